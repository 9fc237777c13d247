package io.linguaflow.streams.testkit;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.NeuronTypes;
import io.linguaflow.streams.app.LinguaflowTopology;
import io.linguaflow.streams.config.StreamsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The clean run a fault run is compared with: the committed input of a real run on a broker (its sentences, checkpoint
 * events and activation records, read with {@code read_committed}) piped, as the bytes the run read, into a fresh
 * {@link TopologyTestDriver} of the same topology, and the final results both published. The results are a function of
 * the set of samples (docs/math.md §10), so the two must agree bit for bit whatever the faults did to the order.
 */
public final class CommittedReplay {

    private CommittedReplay() {
    }

    /** The clean driver run on the committed input of the run whose topics are {@code topics}. */
    public static FixtureRun.Results replay(Map<String, Object> consumerConfig, Topics topics) {
        StreamsSettings settings = Drivers.settings();
        Path state;
        try {
            state = Files.createTempDirectory("linguaflow-replay");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (TopologyTestDriver driver = new TopologyTestDriver(LinguaflowTopology.build(settings), Drivers.props(state))) {
            for (Topic t : List.of(Topic.SENTENCES, Topic.CHECKPOINTS, Topic.ACTIVATIONS)) {
                TestInputTopic<byte[], byte[]> in = driver.createInputTopic(settings.topic(t), new ByteArraySerializer(), new ByteArraySerializer());
                for (ConsumerRecord<byte[], byte[]> r : committed(consumerConfig, topics.name(t))) {
                    in.pipeInput(r.key(), r.value());
                }
            }
            return FixtureRun.results(driver, settings);
        }
    }

    /** The final results the run published on its topics. */
    public static FixtureRun.Results published(Map<String, Object> consumerConfig, Topics topics) {
        return FixtureRun.results(decode(consumerConfig, topics.name(Topic.METRICS), Metrics.class),
                decode(consumerConfig, topics.name(Topic.KEY_REGIONS), KeyRegion.class),
                decode(consumerConfig, topics.name(Topic.NEURON_TYPES), NeuronTypes.class));
    }

    private static <T extends SpecificRecord> List<T> decode(Map<String, Object> consumerConfig, String topic, Class<T> type) {
        var deserializer = Drivers.settings().valueSerde(type).deserializer();
        return committed(consumerConfig, topic).stream().map(r -> deserializer.deserialize(topic, r.value())).toList();
    }

    /** Every committed record of {@code topic} now, partition by partition. */
    private static List<ConsumerRecord<byte[], byte[]>> committed(Map<String, Object> consumerConfig, String topic) {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions); // the last stable offsets under read_committed
            while (partitions.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
