package io.linguaflow.schemas.failure;

import io.linguaflow.schemas.registry.SchemaRegistryException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The one place that tells a transient failure from a permanent one, for the worker loop and the streams exception
 * handlers alike (README "Operations"). Transient: the same input will succeed later, so it is retried with
 * {@link Backoff} and never dead-lettered; permanent: the input itself is bad, so it becomes a dead letter.
 *
 * <p>Transient, anywhere in the cause chain: Kafka's {@link RetriableException} (broker unavailable, not leader,
 * {@code TimeoutException}), a {@link SchemaRegistryException} without an answer or with HTTP 5xx/429, a refused
 * connection or a timed-out socket or HTTP call, {@link java.util.concurrent.TimeoutException}, and running out of
 * memory: {@link OutOfMemoryError} or a libtorch error saying so (DJL's {@code EngineException} carries libtorch's
 * text, "CUDA out of memory" or "DefaultCPUAllocator: can't allocate memory"). Everything else is permanent.
 */
public final class Failures {

    private Failures() {
    }

    /** Whether {@code error} or one of its causes is transient. */
    public static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (transientItself(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean transientItself(Throwable t) {
        if (t instanceof RetriableException || t instanceof OutOfMemoryError || t instanceof ConnectException
                || t instanceof SocketTimeoutException || t instanceof HttpTimeoutException
                || t instanceof java.util.concurrent.TimeoutException) {
            return true;
        }
        if (t instanceof SchemaRegistryException r) {
            return r.status() == SchemaRegistryException.NO_RESPONSE || r.status() >= 500 || r.status() == 429;
        }
        String message = t.getMessage();
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("out of memory") || m.contains("can't allocate memory");
    }
}
