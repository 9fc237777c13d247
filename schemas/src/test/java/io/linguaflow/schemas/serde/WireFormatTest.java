package io.linguaflow.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.registry.SchemaRegistryClient;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Confluent wire format against bytes written by hand, and what bad bytes produce. */
class WireFormatTest {

    private static String topic;
    private static AvroSerializer<Sentence> serializer;
    private static AvroDeserializer<Sentence> deserializer;
    private static int sentenceId;

    private static final Sentence SENTENCE = Sentence.newBuilder()
            .setCorpus("c").setMeaningId("m1").setLang("en").setText("hé").setIndex(3)
            .setCorpusSize(10).setSource(null).build();

    @BeforeAll
    static void registry() {
        Map<String, Object> config = TestRegistry.shared().serdeConfig();
        topic = "wire-" + UUID.randomUUID();
        serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        deserializer = new AvroDeserializer<>(Sentence.class);
        deserializer.configure(config, false);
        sentenceId = new SchemaRegistryClient(TestRegistry.shared().url()).register(topic + "-value", Sentence.getClassSchema());
    }

    /** Magic 0, big-endian id, then Avro binary: strings = zig-zag varint length + UTF-8, ints zig-zag, union = branch index + value. */
    private static byte[] handMade(int id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        out.write(2); // corpus: length 1
        out.write('c');
        out.write(4); // meaningId: length 2
        out.writeBytes("m1".getBytes(StandardCharsets.US_ASCII));
        out.write(4); // lang
        out.writeBytes("en".getBytes(StandardCharsets.US_ASCII));
        out.write(6); // text: "hé" is 3 bytes of UTF-8
        out.writeBytes(new byte[] {'h', (byte) 0xc3, (byte) 0xa9});
        out.write(6); // index 3
        out.write(2); // corpusSize: branch 1 (int)
        out.write(20); // 10
        out.write(0); // source: branch 0 (null)
        return out.toByteArray();
    }

    @Test
    void serializerWritesExactlyTheWireFormat() {
        assertArrayEquals(handMade(sentenceId), serializer.serialize(topic, SENTENCE));
    }

    @Test
    void deserializerReadsHandMadeBytes() {
        assertEquals(SENTENCE, deserializer.deserialize(topic, handMade(sentenceId)));
        AvroDeserializer<Sentence> byWriterName = new AvroDeserializer<>();
        byWriterName.configure(TestRegistry.shared().serdeConfig(), false);
        assertEquals(SENTENCE, byWriterName.deserialize(topic, handMade(sentenceId)));
    }

    @Test
    void nullIsATombstone() {
        assertNull(serializer.serialize(topic, null));
        assertNull(deserializer.deserialize(topic, null));
    }

    @Test
    void wrongMagicByteIsNamed() {
        byte[] bytes = handMade(sentenceId);
        bytes[0] = 1;
        SerializationException e = assertThrows(SerializationException.class, () -> deserializer.deserialize(topic, bytes));
        assertTrue(e.getMessage().contains("magic byte 0x01") && e.getMessage().contains(topic), e.getMessage());
    }

    @Test
    void truncatedHeaderIsNamed() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> deserializer.deserialize(topic, new byte[] {0, 0, 0}));
        assertTrue(e.getMessage().contains("truncated: 3 byte(s)") && e.getMessage().contains(topic), e.getMessage());
    }

    @Test
    void truncatedBodyIsNamed() {
        byte[] whole = handMade(sentenceId);
        for (int cut = WireFormat.HEADER_LENGTH; cut < whole.length; cut++) {
            byte[] bytes = Arrays.copyOf(whole, cut);
            SerializationException e = assertThrows(SerializationException.class, () -> deserializer.deserialize(topic, bytes),
                    "cut at " + cut);
            assertTrue(e.getMessage().contains("cannot be decoded") && e.getMessage().contains("schema id " + sentenceId)
                    && e.getMessage().contains(topic), e.getMessage());
        }
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] bytes = Arrays.copyOf(handMade(sentenceId), handMade(sentenceId).length + 2);
        SerializationException e = assertThrows(SerializationException.class, () -> deserializer.deserialize(topic, bytes));
        assertTrue(e.getMessage().contains("trailing bytes"), e.getMessage());
    }

    @Test
    void unknownSchemaIdNamesIdAndRegistry() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> deserializer.deserialize(topic, handMade(987_654)));
        assertTrue(e.getMessage().contains("schema id 987654") && e.getMessage().contains(TestRegistry.shared().url())
                && e.getMessage().contains("40403"), e.getMessage());
    }

    @Test
    void missingRegistryUrlIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class, () -> new AvroSerializer<Sentence>().configure(Map.of(), false));
        assertTrue(e.getMessage().contains(SerdeConfig.SCHEMA_REGISTRY_URL), e.getMessage());
    }

    @Test
    void keysUseTheKeySubject() {
        AvroSerializer<Sentence> keys = new AvroSerializer<>();
        keys.configure(TestRegistry.shared().serdeConfig(), true);
        keys.serialize(topic, SENTENCE);
        SchemaRegistryClient client = new SchemaRegistryClient(TestRegistry.shared().url());
        assertEquals(Sentence.getClassSchema(), client.latest(topic + "-key").schema());
    }
}
