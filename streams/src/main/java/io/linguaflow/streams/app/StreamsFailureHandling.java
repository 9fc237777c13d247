package io.linguaflow.streams.app;

import io.linguaflow.schemas.deadletter.DeadLetters;
import io.linguaflow.schemas.failure.Backoff;
import io.linguaflow.schemas.failure.Failures;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stream thread's death does (README "Operations"). A transient failure ({@link Failures}: the registry down
 * while a record is deserialised, see {@link DeadLetterOnDeserializationError}; a broker gone past Kafka Streams' own
 * retries) replaces the thread after the {@link Backoff} delay: its tasks restart from the last commit (exactly-once
 * aborts the open transaction), so the record that failed is read again. Anything else, or transient failures past
 * {@link Backoff#maxAttempts()} in a row, shuts the client down; the state listener then completes {@link #fatal()},
 * on which {@code linguaflow streams} exits non-zero so that a supervisor restarts it, instead of a half-dead
 * instance answering 503 for ever.
 */
final class StreamsFailureHandling implements StreamsUncaughtExceptionHandler, KafkaStreams.StateListener {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsFailureHandling.class);

    /** Least quiet time after which transient failures are counted afresh. */
    private static final Duration RECOVERED = Duration.ofMinutes(1);

    private final String applicationId;
    private final Backoff retry;
    private final CompletableFuture<String> fatal = new CompletableFuture<>();
    private volatile boolean closing;
    private int attempts;
    private long lastFailureNanos;
    private String lastFailure = "";

    StreamsFailureHandling(String applicationId, Backoff retry) {
        this.applicationId = applicationId;
        this.retry = retry;
    }

    /** Installs both handlers; before {@link KafkaStreams#start()}. */
    void install(KafkaStreams streams) {
        streams.setUncaughtExceptionHandler(this);
        streams.setStateListener(this);
    }

    /** Completes with the reason when the client stopped without {@link #closing()} having been called. */
    CompletableFuture<String> fatal() {
        return fatal;
    }

    /** Marks the coming NOT_RUNNING as asked for. */
    void closing() {
        closing = true;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable error) {
        String thread = Thread.currentThread().getName();
        String what = DeadLetters.describe(error);
        if (!Failures.isTransient(error)) {
            LOG.error("streams {}: permanent failure in {}: {}; shutting the instance down", applicationId, thread, what, error);
            lastFailure = "permanent failure: " + what;
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        int attempt;
        synchronized (this) {
            long now = System.nanoTime();
            // a failure long after the previous one starts a new count: the instance recovered in between (a thread's
            // replacement and rebalance take seconds, so the window is at least a minute)
            if (now - lastFailureNanos > Math.max(retry.max().multipliedBy(4).toNanos(), RECOVERED.toNanos())) {
                attempts = 0;
            }
            attempt = ++attempts;
            lastFailureNanos = now;
        }
        if (!retry.allows(attempt)) {
            LOG.error("streams {}: transient failure in {}, attempt {}/{}: {}; giving up: shutting the instance down",
                    applicationId, thread, attempt, retry.maxAttempts(), what);
            lastFailure = "transient failure, " + attempt + " attempts: " + what;
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        Duration delay = retry.delay(attempt);
        LOG.warn("streams {}: transient failure in {}, attempt {}/{}: {}; replacing the thread in {} ms (its tasks resume "
                + "from the last commit)", applicationId, thread, attempt, retry.maxAttempts(), what, delay.toMillis());
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            lastFailureNanos = System.nanoTime();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.NOT_RUNNING && !closing) {
            String reason = "streams " + applicationId + " stopped (" + oldState + " -> " + newState + ")"
                    + (lastFailure.isEmpty() ? "" : ": " + lastFailure);
            LOG.error(reason);
            fatal.complete(reason);
        }
    }
}
