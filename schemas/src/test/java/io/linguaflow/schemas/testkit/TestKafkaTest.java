package io.linguaflow.schemas.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The in-JVM cluster supports what workers and streams need: transactions, read_committed consumers. */
class TestKafkaTest {

    @Test
    void transactionsCommitAndAbort() throws Exception {
        TestKafka kafka = TestKafka.shared();
        String topic = "tx-" + UUID.randomUUID();
        kafka.createTopics(2, topic);
        Map<String, Object> config = new HashMap<>(kafka.producerConfig());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "a", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "b", "committed"));
            producer.commitTransaction();
        }
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.value());
                }
            }
            consumer.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
        }
        assertEquals(List.of("committed"), seen);
    }

    /** {@link TestKafka#restartBroker}: same port, and what was written before is still there (same log directory). */
    @Test
    void brokerRestartKeepsPortAndData() throws Exception {
        try (TestKafka kafka = TestKafka.start()) {
            String topic = "restart-" + UUID.randomUUID();
            kafka.createTopics(1, topic);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerConfig(), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "k", "before")).get();
            }
            String bootstrap = kafka.bootstrapServers();
            kafka.restartBroker(Duration.ofSeconds(1));
            assertEquals(bootstrap, kafka.bootstrapServers());
            List<String> seen = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.consumerConfig(), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (seen.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                }
            }
            assertEquals(List.of("before"), seen);
        }
    }
}
