package io.linguaflow.producers.checkpoint;

import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code linguaflow replay}: the latest event of a checkpoint on the compacted {@code checkpoints} topic, marked as a
 * replay (a fresh nonce in {@code CheckpointEvent.replay}), so that the planner plans it again although its content
 * hash was analysed: a checkpoint that FAILED (its checkpoint directory was missing, say) or never completed gets all
 * its inference requests again; the aggregators drop the samples they already counted.
 */
public final class CheckpointReplay {

    private static final Duration POLL = Duration.ofMillis(200);

    private CheckpointReplay() {
    }

    /** The latest committed event keyed {@code checkpointId} on {@code topic}, read from the start to the end. */
    public static Optional<CheckpointEvent> latest(Map<String, Object> clientConfig, String topic, String checkpointId,
                                                   Duration timeout) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        AvroDeserializer<CheckpointEvent> values = new AvroDeserializer<>(CheckpointEvent.class);
        values.configure(config, false);
        byte[] latest = null;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " took more than " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    if (checkpointId.equals(r.key())) {
                        latest = r.value(); // a tombstone (null) deletes it
                    }
                }
            }
        }
        return Optional.ofNullable(latest == null ? null : values.deserialize(topic, latest));
    }

    /** {@code event} marked as a replay with a fresh nonce. */
    public static CheckpointEvent replay(CheckpointEvent event) {
        return CheckpointEvent.newBuilder(event).setReplay(UUID.randomUUID().toString()).build();
    }
}
