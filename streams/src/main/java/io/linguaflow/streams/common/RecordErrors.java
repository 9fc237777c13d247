package io.linguaflow.streams.common;

import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Dead letters for records a processor rejects, naming topic, partition and offset of the input. */
public final class RecordErrors {

    private RecordErrors() {
    }

    /** The value bytes are not kept: the record was already deserialized; its source offset finds it. */
    public static DeadLetter deadLetter(String component, ProcessingContext context, String key, Throwable error) {
        RecordMetadata m = context.recordMetadata().orElse(null);
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        return m == null
                ? DeadLetters.forInput(component, "record with key '" + key + "'", error)
                : DeadLetters.forRecord(component, m.topic(), m.partition(), m.offset(), keyBytes, null, error);
    }
}
