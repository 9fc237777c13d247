package io.linguaflow.producers.checkpoint;

import io.linguaflow.producers.kafka.TopicReader;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code linguaflow replay}: the latest event of a checkpoint on the compacted {@code checkpoints} topic, marked as a
 * replay (a fresh nonce in {@code CheckpointEvent.replay}), so that the planner plans it again although its content
 * hash was analysed: a checkpoint that FAILED (its checkpoint directory was missing, say) or never completed gets all
 * its inference requests again; the aggregators drop the samples they already counted.
 */
public final class CheckpointReplay {

    private CheckpointReplay() {
    }

    /** The latest committed event keyed {@code checkpointId} on {@code topic}, read from the start to the end. */
    public static Optional<CheckpointEvent> latest(Map<String, Object> clientConfig, String topic, String checkpointId,
                                                   Duration timeout) {
        AvroDeserializer<CheckpointEvent> values = new AvroDeserializer<>(CheckpointEvent.class);
        values.configure(clientConfig, false);
        AtomicReference<byte[]> latest = new AtomicReference<>();
        TopicReader.readToEnd(clientConfig, topic, timeout, r -> {
            if (checkpointId.equals(r.key())) {
                latest.set(r.value()); // a tombstone (null) deletes it
            }
        });
        return Optional.ofNullable(latest.get() == null ? null : values.deserialize(topic, latest.get()));
    }

    /** {@code event} marked as a replay with a fresh nonce. */
    public static CheckpointEvent replay(CheckpointEvent event) {
        return CheckpointEvent.newBuilder(event).setReplay(UUID.randomUUID().toString()).build();
    }
}
