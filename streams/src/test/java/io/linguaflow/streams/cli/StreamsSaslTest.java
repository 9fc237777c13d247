package io.linguaflow.streams.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.client.KafkaClientProperties;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.app.StreamsInstance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code linguaflow streams} against a broker that takes only SASL/PLAIN, logged in by {@code --kafka-config-file}:
 * the admin client creates the topics (with {@code --retention}), the streams' clients run, and the dead-letter
 * producer of unreadable records logs in too.
 */
class StreamsSaslTest {

    @TempDir
    Path tmp;

    @Test
    void theStreamsApplicationRunsOnASaslCluster() throws Exception {
        try (TestKafka kafka = TestKafka.startSasl()) {
            Map<String, String> sasl = TestKafka.saslClientProperties(TestKafka.SASL_USER, TestKafka.SASL_PASSWORD);
            Path file = TestKafka.writeProperties(sasl, tmp.resolve("client.properties"));
            String prefix = "ss-" + UUID.randomUUID().toString().substring(0, 8) + ".";
            Topics topics = new Topics(prefix);

            StreamsCommand command = new StreamsCommand();
            new CommandLine(command).parseArgs("--bootstrap", kafka.bootstrapServers(), "--registry", TestRegistry.shared().url(),
                    "--state-dir", tmp.resolve("state").toString(), "--http-port", Integer.toString(TestRegistry.freePort()),
                    "--topic-prefix", prefix, "--partitions", "1", "--application-id", prefix + "streams",
                    "--kafka-config-file", file.toString(), "--retention", "requests=PT12H");
            try (StreamsInstance instance = command.start()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (instance.streams().kafkaStreams().state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertEquals(KafkaStreams.State.RUNNING, instance.streams().kafkaStreams().state());

                byte[] poison = "not avro".getBytes(StandardCharsets.UTF_8);
                try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KafkaClientProperties.applyTo(kafka.producerConfig(), sasl),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
                    raw.send(new ProducerRecord<>(topics.name(Topic.CHECKPOINTS), "ck".getBytes(StandardCharsets.UTF_8), poison)).get();
                }
                Map<String, Object> consumerConfig = KafkaClientProperties.applyTo(kafka.consumerConfig(), sasl);
                consumerConfig.putAll(TestRegistry.shared().serdeConfig());
                AvroDeserializer<DeadLetter> values = new AvroDeserializer<>(DeadLetter.class);
                values.configure(consumerConfig, false);
                List<ConsumerRecord<byte[], DeadLetter>> letters = new ArrayList<>();
                try (KafkaConsumer<byte[], DeadLetter> dl = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), values)) {
                    dl.subscribe(List.of(topics.name(Topic.DEAD_LETTERS)));
                    long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                    while (letters.isEmpty() && System.nanoTime() < until) {
                        dl.poll(Duration.ofMillis(200)).forEach(letters::add);
                    }
                }
                assertEquals(1, letters.size(), "the dead letter of the unreadable checkpoint event");
                assertEquals(topics.name(Topic.CHECKPOINTS), letters.get(0).value().getSourceTopic());
                assertArrayEquals(poison, bytes(letters.get(0).value().getValue()));

                try (Admin admin = Admin.create(KafkaClientProperties.applyTo(kafka.clientConfig(), sasl))) {
                    ConfigResource requests = new ConfigResource(ConfigResource.Type.TOPIC, topics.name(Topic.INFERENCE_REQUESTS));
                    assertEquals(Long.toString(Duration.ofHours(12).toMillis()),
                            admin.describeConfigs(List.of(requests)).all().get().get(requests).get(TopicConfig.RETENTION_MS_CONFIG).value());
                }
            }
        }
    }

    private static byte[] bytes(java.nio.ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
