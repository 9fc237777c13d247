package io.linguaflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.registry.SchemaRegistryClient;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.testkit.RandomRecords;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Every record type of the design through a real KRaft broker, the real registry and the serde. */
class KafkaRoundTripTest {

    private static final int PER_TOPIC = 5;

    @Test
    void everyRecordTypeRoundTrips() throws Exception {
        TestKafka kafka = TestKafka.shared();
        TestRegistry registry = TestRegistry.shared();
        Topics topics = new Topics("rt-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        kafka.createProjectTopics(topics, 2);

        Map<String, Object> config = new HashMap<>(kafka.producerConfig());
        config.putAll(registry.serdeConfig());
        AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
        values.configure(config, false);
        RandomRecords random = new RandomRecords(42);
        Map<String, List<ProducerRecord<String, SpecificRecord>>> sent = new HashMap<>();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(config, new StringSerializer(), values)) {
            for (Topic t : Topic.values()) {
                for (int i = 0; i < PER_TOPIC; i++) {
                    ProducerRecord<String, SpecificRecord> record = new ProducerRecord<>(topics.name(t), 0, "k" + i,
                            random.next(t.valueType()));
                    producer.send(record).get();
                    sent.computeIfAbsent(record.topic(), x -> new ArrayList<>()).add(record);
                }
            }
        }

        Map<String, Object> consumerConfig = new HashMap<>(kafka.consumerConfig());
        consumerConfig.putAll(registry.serdeConfig());
        AvroDeserializer<SpecificRecord> reader = new AvroDeserializer<>(); // class chosen by the writer schema's name
        reader.configure(consumerConfig, false);
        Map<String, List<ConsumerRecord<String, SpecificRecord>>> received = new HashMap<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), reader)) {
            consumer.subscribe(sent.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int total = 0;
            while (total < PER_TOPIC * Topic.values().length && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, SpecificRecord> r : consumer.poll(Duration.ofMillis(200))) {
                    received.computeIfAbsent(r.topic(), x -> new ArrayList<>()).add(r);
                    total++;
                }
            }
        }

        SchemaRegistryClient client = new SchemaRegistryClient(registry.url());
        for (Topic t : Topic.values()) {
            String name = topics.name(t);
            List<ProducerRecord<String, SpecificRecord>> out = sent.get(name);
            List<ConsumerRecord<String, SpecificRecord>> in = received.getOrDefault(name, List.of());
            assertEquals(out.size(), in.size(), "records received on " + name);
            for (int i = 0; i < out.size(); i++) {
                assertEquals(out.get(i).key(), in.get(i).key(), name + " key " + i);
                assertEquals(t.valueType(), in.get(i).value().getClass(), name + " value class");
                assertEquals(out.get(i).value(), in.get(i).value(), name + " value " + i);
            }
            assertEquals(Arrays.asList(t.valueType().getMethod("getClassSchema").invoke(null)),
                    List.of(client.latest(name + "-value").schema()), "schema registered under " + name + "-value");
        }
        assertTrue(sent.size() == Topic.values().length);
    }
}
