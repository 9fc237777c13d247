package io.linguaflow.schemas.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.admin.TopicAdmin;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.deadletter.DeadLetterHandler;
import io.linguaflow.schemas.deadletter.DeadLetters;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topic tool and a dead-letter producer reach a broker that takes only SASL/PLAIN, with a properties file. */
class SaslClusterTest {

    @TempDir
    static Path tmp;

    private static TestKafka kafka;
    private static Path clientProperties;

    @BeforeAll
    static void start() throws Exception {
        kafka = TestKafka.startSasl();
        clientProperties = tmp.resolve("client.properties");
        StringBuilder text = new StringBuilder();
        TestKafka.saslClientProperties(TestKafka.SASL_USER, TestKafka.SASL_PASSWORD)
                .forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(clientProperties, text);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void theTopicToolLogsInWithThePropertiesFile() throws Exception {
        String prefix = "sasl-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Run created = topicAdmin("create", "--bootstrap", kafka.bootstrapServers(), "--prefix", prefix, "--partitions", "1",
                "--kafka-config-file", clientProperties.toString());
        assertEquals(0, created.status, created.err);
        assertTrue(created.out.contains(prefix + "dead-letters") && created.out.contains("created"), created.out);

        Run plaintext = topicAdmin("wait", "--bootstrap", kafka.bootstrapServers(), "--timeout-s", "3");
        assertEquals(1, plaintext.status, plaintext.out);
        assertTrue(plaintext.err.contains("Kafka not ready after 3 s"), plaintext.err);

        Run wrong = topicAdmin("wait", "--bootstrap", kafka.bootstrapServers(), "--timeout-s", "10",
                "--kafka-config-file", clientProperties.toString(), "--kafka-config", "sasl.jaas.config="
                        + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + TestKafka.SASL_USER
                        + "\" password=\"wrong\";");
        assertEquals(1, wrong.status, wrong.out);
        assertTrue(wrong.err.contains("SaslAuthenticationException") && wrong.err.contains("Invalid username or password"), wrong.err);
    }

    @Test
    void aDeadLetterProducerAndAConsumerLogInWithTheProperties() throws Exception {
        Topics topics = new Topics("sasl-dl-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        Map<String, String> client = KafkaClientProperties.load(clientProperties, Map.of());
        try (var admin = org.apache.kafka.clients.admin.Admin.create(KafkaClientProperties.applyTo(kafka.clientConfig(), client))) {
            TopicAdmin.ensureTopics(admin, topics, 1, (short) 1);
        }
        Map<String, Object> config = KafkaClientProperties.applyTo(kafka.clientConfig(), client);
        config.putAll(TestRegistry.shared().serdeConfig());
        try (DeadLetterHandler handler = DeadLetterHandler.create("sasl-test", topics, config)) {
            handler.publish(DeadLetters.forInput("sasl-test", "corpus.tsv line 3", new IllegalArgumentException("bad row")));
        }
        Map<String, Object> consumerConfig = KafkaClientProperties.applyTo(kafka.consumerConfig(), client);
        consumerConfig.putAll(TestRegistry.shared().serdeConfig());
        AvroDeserializer<DeadLetter> values = new AvroDeserializer<>(DeadLetter.class);
        values.configure(consumerConfig, false);
        List<ConsumerRecord<byte[], DeadLetter>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], DeadLetter> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), values)) {
            consumer.subscribe(List.of(topics.name(Topic.DEAD_LETTERS)));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        assertEquals(1, read.size());
        assertEquals("corpus.tsv line 3: IllegalArgumentException: bad row", read.get(0).value().getError());
    }

    private record Run(int status, String out, String err) {
    }

    private static Run topicAdmin(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TopicAdmin.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
