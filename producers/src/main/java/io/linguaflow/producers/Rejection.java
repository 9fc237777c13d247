package io.linguaflow.producers;

import io.linguaflow.schemas.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One input the producers could not turn into a record (a corpus row, a checkpoint directory), with the reason.
 * Everything else in the same input continues; the Kafka layer publishes these to {@code dead-letters}.
 *
 * @param input      human-readable name of the input: {@code file:line}, a verse id, a checkpoint file
 * @param errorClass short category, e.g. {@code UnknownLanguage}, {@code BrokenCheckpoint}
 * @param error      clear message naming the input and what is wrong with it
 * @param key        the record key the input would have had, when known (else null)
 * @param rawValue   the offending raw text (a corpus line), when there is one (else null); kept whole
 */
public record Rejection(String input, String errorClass, String error, String key, String rawValue) {

    /** {@code DeadLetter.component} of everything the producers reject. */
    public static final String COMPONENT = "producer";

    public Rejection {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(errorClass, "errorClass");
        Objects.requireNonNull(error, "error");
    }

    /** The dead letter to publish for this rejection. */
    public DeadLetter toDeadLetter(Instant failedAt) {
        return DeadLetter.newBuilder()
                .setComponent(COMPONENT)
                .setInput(input)
                .setKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                .setValue(rawValue == null ? null : ByteBuffer.wrap(rawValue.getBytes(StandardCharsets.UTF_8)))
                .setErrorClass(errorClass)
                .setError(error)
                .setFailedAt(failedAt)
                .build();
    }
}
