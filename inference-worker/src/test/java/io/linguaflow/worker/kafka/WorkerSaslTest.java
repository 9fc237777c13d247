package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.admin.TopicAdmin;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.client.KafkaClientProperties;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.worker.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code linguaflow worker --kafka-config-file} on a broker that takes only SASL/PLAIN: its transactional producer,
 * its read_committed consumer and its serdes are all configured from the file.
 */
class WorkerSaslTest {

    @TempDir
    Path tmp;

    @Test
    void theWorkerAnswersARequestOnASaslCluster() throws Exception {
        Path bloom = Fixtures.model("bloom-tiny");
        try (TestKafka kafka = TestKafka.startSasl()) {
            Map<String, String> sasl = TestKafka.saslClientProperties(TestKafka.SASL_USER, TestKafka.SASL_PASSWORD);
            Path file = TestKafka.writeProperties(sasl, tmp.resolve("client.properties"));
            Topics topics = new Topics("ws-" + UUID.randomUUID().toString().substring(0, 8) + ".");
            try (Admin admin = Admin.create(KafkaClientProperties.applyTo(kafka.clientConfig(), sasl))) {
                TopicAdmin.ensureTopics(admin, topics, 1, (short) 1);
            }
            InferenceRequest request = WorkerKit.request("sasl@1", bloom, 0, List.of(WorkerKit.sample(0), WorkerKit.sample(1)));
            Map<String, Object> producerConfig = WorkerKit.serdeClientConfig(KafkaClientProperties.applyTo(kafka.producerConfig(), sasl));
            AvroSerializer<InferenceRequest> values = new AvroSerializer<>();
            values.configure(producerConfig, false);
            try (KafkaProducer<String, InferenceRequest> p = new KafkaProducer<>(producerConfig, new StringSerializer(), values)) {
                p.send(new ProducerRecord<>(topics.name(Topic.INFERENCE_REQUESTS), "sasl@1", request)).get();
            }

            WorkerCommand command = new WorkerCommand();
            new CommandLine(command).parseArgs("--bootstrap", kafka.bootstrapServers(), "--registry", WorkerKit.registry().url(),
                    "--topic-prefix", topics.prefix(), "--instance-id", "sasl-1", "--threads", "1",
                    "--checkpoint-root", bloom.getParent().toString(), "--kafka-config-file", file.toString());
            InferenceWorker worker = new InferenceWorker(command.settings());
            Thread thread = new Thread(worker, "worker-sasl");
            thread.start();
            Map<String, Object> consumerConfig = WorkerKit.serdeClientConfig(KafkaClientProperties.applyTo(kafka.consumerConfig(), sasl));
            consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            AvroDeserializer<ActivationRecord> activations = new AvroDeserializer<>(ActivationRecord.class);
            activations.configure(consumerConfig, false);
            List<ActivationRecord> read = new ArrayList<>();
            int layers = 4; // bloom-tiny
            try (KafkaConsumer<String, ActivationRecord> c = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), activations)) {
                c.subscribe(List.of(topics.name(Topic.ACTIVATIONS)));
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (read.size() < 2 * layers && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
                }
            } finally {
                worker.stop();
                assertTrue(worker.awaitFinished(Duration.ofSeconds(30)), "worker did not stop");
            }
            assertEquals(2 * layers, read.size(), "one record per (sample, layer), committed over SASL");
            assertTrue(read.stream().allMatch(a -> a.getCheckpointId().equals("sasl@1")));
        }
    }
}
