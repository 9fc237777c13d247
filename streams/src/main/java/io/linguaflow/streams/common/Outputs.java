package io.linguaflow.streams.common;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.ExpertPartial;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.config.StreamsSettings;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Sends the mixed output of a processor (records of several types, keyed by strings) to the topic of each
 * record's type. Processors forward {@link SpecificRecord}s; this is the only place that maps a type to a topic.
 */
public final class Outputs {

    private Outputs() {
    }

    /**
     * Routes the records of the given types to their topics; {@code name} prefixes the processor names.
     * {@link DeadLetter}s are keyed by the original key bytes (ByteArraySerializer), like every other component's.
     */
    @SafeVarargs
    public static void route(KStream<String, SpecificRecord> out, StreamsSettings settings, String name,
                             Class<? extends SpecificRecord>... types) {
        for (Class<? extends SpecificRecord> type : types) {
            if (type == DeadLetter.class) {
                out.filter((k, v) -> v instanceof DeadLetter, Named.as(name + "-DeadLetter-filter"))
                        .map((k, v) -> new KeyValue<>(k == null ? null : k.getBytes(StandardCharsets.UTF_8), (DeadLetter) v),
                                Named.as(name + "-DeadLetter-key"))
                        .to(settings.topic(Topic.DEAD_LETTERS), Produced.with(Serdes.ByteArray(), settings.valueSerde(DeadLetter.class))
                                .withName(name + "-DeadLetter-sink"));
            } else {
                to(out, type, topic(type, settings), settings, name);
            }
        }
    }

    private static String topic(Class<? extends SpecificRecord> type, StreamsSettings settings) {
        if (type == CheckpointPlan.class) {
            return settings.plansTopic();
        }
        if (type == LayerPartial.class) {
            return settings.layerPartialsTopic();
        }
        if (type == ExpertPartial.class) {
            return settings.expertPartialsTopic();
        }
        for (Topic t : Topic.values()) {
            if (t.valueType() == type) {
                return settings.topic(t);
            }
        }
        throw new IllegalArgumentException("no topic carries " + type.getName());
    }

    private static <T extends SpecificRecord> void to(KStream<String, SpecificRecord> out, Class<T> type, String topic,
                                                      StreamsSettings settings, String name) {
        String n = name + "-" + type.getSimpleName();
        out.filter((k, v) -> type.isInstance(v), Named.as(n + "-filter"))
                .mapValues(type::cast, Named.as(n + "-cast"))
                .to(topic, Produced.with(Serdes.String(), settings.valueSerde(type)).withName(n + "-sink"));
    }
}
