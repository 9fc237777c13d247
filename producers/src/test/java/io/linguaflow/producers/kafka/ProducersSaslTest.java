package io.linguaflow.producers.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.producers.cli.ProduceCorpusCommand;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.admin.TopicAdmin;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.client.KafkaClientProperties;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The producer commands log in to a SASL/PLAIN-only broker with {@code --kafka-config-file}. */
class ProducersSaslTest {

    @TempDir
    Path tmp;

    @Test
    void aCorpusIsPublishedToASaslClusterAndABadPropertyIsNamed() throws Exception {
        try (TestKafka kafka = TestKafka.startSasl()) {
            Map<String, String> sasl = TestKafka.saslClientProperties(TestKafka.SASL_USER, TestKafka.SASL_PASSWORD);
            Path file = TestKafka.writeProperties(sasl, tmp.resolve("client.properties"));
            String prefix = "ps-" + UUID.randomUUID().toString().substring(0, 8) + ".";
            Topics topics = new Topics(prefix);
            try (Admin admin = Admin.create(KafkaClientProperties.applyTo(kafka.clientConfig(), sasl))) {
                TopicAdmin.ensureTopics(admin, topics, 1, (short) 1);
            }
            Path tsv = tmp.resolve("mini.tsv");
            Files.writeString(tsv, "id\tlang\ttext\n1\ten\tHello.\n1\tfr\tBonjour.\n2\ten\ttoo\tmany tabs\n");

            StringWriter err = new StringWriter();
            assertEquals(0, run(err, "--format", "tsv", tsv.toString(), "--bootstrap", kafka.bootstrapServers(),
                    "--registry", TestRegistry.shared().url(), "--topic-prefix", prefix, "--kafka-config-file", file.toString()), err.toString());
            assertEquals(List.of("Hello.", "Bonjour."),
                    read(kafka, sasl, topics.name(Topic.SENTENCES), Sentence.class, 2).stream().map(s -> s.getText().toString()).toList());
            List<DeadLetter> letters = read(kafka, sasl, topics.name(Topic.DEAD_LETTERS), DeadLetter.class, 1);
            assertEquals(1, letters.size());
            assertTrue(letters.get(0).getInput().startsWith(tsv + ":"), letters.get(0).getInput());

            StringWriter bogus = new StringWriter();
            assertEquals(1, run(bogus, "--format", "tsv", tsv.toString(), "--bootstrap", kafka.bootstrapServers(),
                    "--registry", TestRegistry.shared().url(), "--topic-prefix", prefix, "--kafka-config-file", file.toString(),
                    "--kafka-config", "security.protocol=BOGUS"));
            assertTrue(bogus.toString().contains("Invalid value BOGUS for configuration security.protocol"), bogus.toString());
        }
    }

    private static int run(StringWriter err, String... args) {
        CommandLine cmd = new CommandLine(new ProduceCorpusCommand());
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        return cmd.execute(args);
    }

    private static <T extends SpecificRecord> List<T> read(TestKafka kafka, Map<String, String> sasl, String topic, Class<T> type,
                                                           int count) {
        Map<String, Object> config = KafkaClientProperties.applyTo(kafka.consumerConfig(), sasl);
        config.putAll(TestRegistry.shared().serdeConfig());
        AvroDeserializer<T> values = new AvroDeserializer<>(type);
        values.configure(config, false);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }
}
