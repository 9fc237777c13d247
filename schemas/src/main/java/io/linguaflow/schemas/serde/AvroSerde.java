package io.linguaflow.schemas.serde;

import io.linguaflow.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * {@link AvroSerializer} + {@link AvroDeserializer} for one generated class, e.g. for Kafka Streams:
 * {@code AvroSerde.of(Metrics.class, Map.of("schema.registry.url", url), false)}.
 */
public final class AvroSerde<T extends SpecificRecord> extends Serdes.WrapperSerde<T> {

    /** Unconfigured; call {@link #configure} (Kafka Streams does for default serdes). */
    public AvroSerde(Class<T> type) {
        super(new AvroSerializer<>(), new AvroDeserializer<>(type));
    }

    /** Sharing one registry client (and its caches) between both halves; still call {@link #configure}. */
    public AvroSerde(Class<T> type, SchemaRegistryClient registry) {
        super(new AvroSerializer<>(registry), new AvroDeserializer<>(type, registry));
    }

    /** A configured serde for keys ({@code isKey}) or values of {@code type}. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, Map<String, ?> configs, boolean isKey) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(configs, isKey);
        return serde;
    }
}
