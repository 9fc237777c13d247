package io.linguaflow.schemas.deadletter;

import io.linguaflow.schemas.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.common.errors.RecordDeserializationException;

/**
 * Builds {@link DeadLetter} records; shared by consumer loops ({@link DeadLetterHandler}), Kafka Streams
 * exception handlers and producers that reject input files. The {@code error} text names the input
 * (topic/partition/offset, or file and line) and every cause in the chain.
 */
public final class DeadLetters {

    /**
     * The most bytes a dead letter may take (producer {@code max.request.size}, topic {@code max.message.bytes}): the
     * original key and value are kept whole, so a dead letter must fit the largest record any linguaflow topic carries
     * (16 MiB layer partials of the streams application) plus its error text.
     */
    public static final int MAX_RECORD_BYTES = 17 * 1024 * 1024;

    private DeadLetters() {
    }

    /** A record a consumer could not deserialize; Kafka's exception carries where it was and its raw bytes. */
    public static DeadLetter fromDeserialization(String component, RecordDeserializationException e) {
        return forRecord(component, e.topicPartition().topic(), e.topicPartition().partition(), e.offset(),
                bytes(e.keyBuffer()), bytes(e.valueBuffer()), e);
    }

    /** A record (raw key and value bytes, kept unchanged and whole, so it can be replayed) that failed while being deserialized or processed. */
    public static DeadLetter forRecord(String component, String topic, int partition, long offset, byte[] key,
                                       byte[] value, Throwable error) {
        return DeadLetter.newBuilder()
                .setComponent(component)
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key.clone()))
                .setValue(value == null ? null : ByteBuffer.wrap(value.clone()))
                .setErrorClass(errorClass(error))
                .setError("topic " + topic + " partition " + partition + " offset " + offset + ": " + describe(error))
                .setFailedAt(now())
                .build();
    }

    /** An input that is not a Kafka record: a file and line, a checkpoint directory. */
    public static DeadLetter forInput(String component, String input, Throwable error) {
        return DeadLetter.newBuilder()
                .setComponent(component)
                .setInput(input)
                .setErrorClass(errorClass(error))
                .setError(input + ": " + describe(error))
                .setFailedAt(now())
                .build();
    }

    /** Every message of the cause chain, outermost first; a cause whose message is already quoted is left out. */
    public static String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && text.indexOf(message) >= 0) {
                continue;
            }
            if (text.length() > 0) {
                text.append("; caused by ");
            }
            text.append(t.getClass().getSimpleName());
            if (message != null) {
                text.append(": ").append(message);
            }
        }
        return text.toString();
    }

    /** The class of what the component threw; Kafka's RecordDeserializationException wrapper is looked through. */
    private static String errorClass(Throwable error) {
        Throwable thrown = error instanceof RecordDeserializationException && error.getCause() != null ? error.getCause() : error;
        return thrown.getClass().getName();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static Instant now() {
        // DeadLetter.failedAt is timestamp-millis: keep what survives a round trip
        return Instant.ofEpochMilli(System.currentTimeMillis());
    }
}
