package io.linguaflow.streams.query;

/** An answer other than 200: the HTTP status and a message for the JSON error body. */
final class QueryException extends RuntimeException {

    final int status;

    QueryException(int status, String message) {
        super(message);
        this.status = status;
    }

    static QueryException notFound(String message) {
        return new QueryException(404, message);
    }

    static QueryException badRequest(String message) {
        return new QueryException(400, message);
    }

    /** The stores are moving (rebalance, restore) or the owner cannot be reached: the client should retry. */
    static QueryException unavailable(String message) {
        return new QueryException(503, message);
    }
}
