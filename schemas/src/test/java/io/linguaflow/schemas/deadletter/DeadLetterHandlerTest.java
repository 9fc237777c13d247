package io.linguaflow.schemas.deadletter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.serde.SerdeConfig;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** Poison records go to the dead-letter topic with topic/partition/offset; the consumer loop keeps going. */
class DeadLetterHandlerTest {

    @Test
    void poisonRecordsAreDeadLetteredAndTheLoopMovesOn() throws Exception {
        TestKafka kafka = TestKafka.shared();
        Topics topics = new Topics("dl-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        kafka.createProjectTopics(topics, 1);
        String source = topics.name(Topic.SENTENCES);
        Map<String, Object> config = new HashMap<>(kafka.producerConfig());
        config.putAll(TestRegistry.shared().serdeConfig());

        AvroSerializer<Sentence> serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        List<Sentence> good = List.of(sentence("0"), sentence("1"), sentence("2"));
        byte[] good0 = serializer.serialize(source, good.get(0));
        byte[] wrongMagic = good0.clone();
        wrongMagic[0] = 7;
        byte[] unknownId = good0.clone();
        unknownId[1] = 0x7f; // schema id 0x7f000000+
        byte[][] values = {
            good0,
            wrongMagic,                                   // offset 1
            serializer.serialize(source, good.get(1)),
            new byte[] {0, 0},                            // offset 3: truncated header
            unknownId,                                    // offset 4
            Arrays.copyOf(good0, good0.length - 4),       // offset 5: truncated body
            serializer.serialize(source, good.get(2)),
        };
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < values.length; i++) {
                raw.send(new ProducerRecord<>(source, 0, ("key" + i).getBytes(StandardCharsets.UTF_8), values[i])).get();
            }
        }

        Map<String, Object> consumerConfig = new HashMap<>(kafka.consumerConfig());
        consumerConfig.putAll(TestRegistry.shared().serdeConfig());
        consumerConfig.put("max.poll.records", 2);
        AvroDeserializer<Sentence> deserializer = new AvroDeserializer<>(Sentence.class);
        deserializer.configure(consumerConfig, false);
        List<Sentence> received = new ArrayList<>();
        try (DeadLetterHandler handler = DeadLetterHandler.create("test-loop", topics, config);
             KafkaConsumer<String, Sentence> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), deserializer)) {
            consumer.subscribe(List.of(source));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received.size() < good.size() && System.nanoTime() < deadline) {
                handler.poll(consumer, Duration.ofMillis(200)).forEach(r -> received.add(r.value()));
            }
        }
        assertEquals(good, received);

        List<DeadLetter> letters = new ArrayList<>();
        List<byte[]> letterKeys = new ArrayList<>();
        AvroDeserializer<DeadLetter> dlValues = new AvroDeserializer<>(DeadLetter.class);
        dlValues.configure(consumerConfig, false);
        try (KafkaConsumer<byte[], DeadLetter> dl = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), dlValues)) {
            dl.subscribe(List.of(topics.name(Topic.DEAD_LETTERS)));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (letters.size() < 4 && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], DeadLetter> r : dl.poll(Duration.ofMillis(200))) {
                    letters.add(r.value());
                    letterKeys.add(r.key());
                }
            }
        }
        assertEquals(List.of(1L, 3L, 4L, 5L), letters.stream().map(DeadLetter::getSourceOffset).toList());
        String[] expectedReasons = {"magic byte 0x07", "truncated: 2 byte(s)", "schema id 2130706", "cannot be decoded"};
        for (int i = 0; i < letters.size(); i++) {
            DeadLetter letter = letters.get(i);
            int offset = letter.getSourceOffset().intValue();
            assertEquals("test-loop", letter.getComponent());
            assertEquals(source, letter.getSourceTopic());
            assertEquals(0, letter.getSourcePartition());
            assertTrue(letter.getError().startsWith("topic " + source + " partition 0 offset " + offset + ": "), letter.getError());
            assertTrue(letter.getError().contains(expectedReasons[i]), letter.getError());
            assertEquals(SerializationException.class.getName(), letter.getErrorClass());
            assertArrayEquals(("key" + offset).getBytes(StandardCharsets.UTF_8), bytes(letter.getKey()));
            assertArrayEquals(("key" + offset).getBytes(StandardCharsets.UTF_8), letterKeys.get(i), "dead-letter record key");
            assertArrayEquals(values[offset], bytes(letter.getValue()));
            assertNull(letter.getInput());
        }
    }

    @Test
    void aDeadLetterThatCannotBeWrittenIsNotDroppedSilently() throws Exception {
        Map<String, Object> config = new HashMap<>(TestKafka.shared().producerConfig());
        config.put(SerdeConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + TestRegistry.freePort());
        config.put(SerdeConfig.MAX_ATTEMPTS, 1);
        try (DeadLetterHandler handler = DeadLetterHandler.create("test", Topics.unprefixed(), config)) {
            KafkaException e = assertThrows(KafkaException.class,
                    () -> handler.publish(DeadLetters.forInput("test", "corpus.tsv line 7", new IllegalArgumentException("3 columns, expected 4"))));
            assertTrue(e.getMessage().contains("corpus.tsv line 7") && e.getMessage().contains("unreachable"), e.getMessage());
        }
    }

    @Test
    void inputDeadLettersNameTheInputAndEveryCause() {
        DeadLetter letter = DeadLetters.forInput("producer", "data/flores.tsv line 12",
                new IllegalStateException("bad row", new NumberFormatException("For input string: \"x\"")));
        assertEquals("data/flores.tsv line 12: IllegalStateException: bad row; caused by NumberFormatException: For input string: \"x\"",
                letter.getError());
        assertEquals(IllegalStateException.class.getName(), letter.getErrorClass());
        assertEquals("data/flores.tsv line 12", letter.getInput());
        assertNull(letter.getSourceTopic());
    }

    @Test
    void aDeadLetterKeepsOriginalKeyAndValueBytesWholeBeyondOneMegabyte() throws Exception {
        TestKafka kafka = TestKafka.shared();
        Topics topics = new Topics("dlbig-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        kafka.createProjectTopics(topics, 1);
        // as large as a streams layer partial can be: more than the producer's and the broker's 1 MB defaults
        byte[] value = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(7).nextBytes(value);
        byte[] key = {0, (byte) 0xff, 'k', (byte) 0x80};
        Map<String, Object> config = new HashMap<>(kafka.producerConfig());
        config.putAll(TestRegistry.shared().serdeConfig());
        try (DeadLetterHandler handler = DeadLetterHandler.create("test", topics, config)) {
            handler.publish(DeadLetters.forRecord("test", "layer-partials", 3, 41, key, value, new RuntimeException("unreadable")));
        }
        Map<String, Object> consumerConfig = new HashMap<>(kafka.consumerConfig());
        consumerConfig.putAll(TestRegistry.shared().serdeConfig());
        AvroDeserializer<DeadLetter> dlValues = new AvroDeserializer<>(DeadLetter.class);
        dlValues.configure(consumerConfig, false);
        List<ConsumerRecord<byte[], DeadLetter>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], DeadLetter> dl = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), dlValues)) {
            dl.subscribe(List.of(topics.name(Topic.DEAD_LETTERS)));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.isEmpty() && System.nanoTime() < deadline) {
                dl.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        assertEquals(1, read.size());
        assertArrayEquals(key, read.get(0).key());
        assertArrayEquals(key, bytes(read.get(0).value().getKey()));
        assertArrayEquals(value, bytes(read.get(0).value().getValue()));
        assertEquals(41L, read.get(0).value().getSourceOffset());
    }

    private static Sentence sentence(String meaning) {
        return Sentence.newBuilder().setCorpus("c").setMeaningId(meaning).setLang("en").setText("text " + meaning)
                .setIndex(Integer.parseInt(meaning)).build();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
