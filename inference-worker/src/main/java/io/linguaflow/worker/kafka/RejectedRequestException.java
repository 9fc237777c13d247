package io.linguaflow.worker.kafka;

/**
 * A request the worker will never be able to process (bad content, unreadable checkpoint): it goes to the
 * dead-letter topic and the worker moves on. The message names the request and what is wrong with it.
 */
public final class RejectedRequestException extends Exception {

    private static final long serialVersionUID = 1L;

    RejectedRequestException(String message) {
        super(message);
    }

    RejectedRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
