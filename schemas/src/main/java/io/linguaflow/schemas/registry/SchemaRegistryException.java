package io.linguaflow.schemas.registry;

/**
 * A schema-registry call failed: unreachable after the bounded retries, or answered with an error.
 * The message names the request URL and, where known, the subject and schema id.
 */
public final class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** HTTP status when the registry answered; {@link #NO_RESPONSE} when it could not be reached. */
    public static final int NO_RESPONSE = -1;

    private final String url;
    private final int status;
    private final int errorCode;

    SchemaRegistryException(String message, String url, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.url = url;
        this.status = status;
        this.errorCode = errorCode;
    }

    /** The request URL. */
    public String url() {
        return url;
    }

    /** HTTP status, or {@link #NO_RESPONSE}. */
    public int status() {
        return status;
    }

    /** Confluent {@code error_code} (e.g. 40401 subject not found, 40403 schema not found, 40901 incompatible), or 0. */
    public int errorCode() {
        return errorCode;
    }
}
