package io.linguaflow.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.codec.LittleEndian;
import io.linguaflow.schemas.registry.SchemaRegistryClient;
import io.linguaflow.schemas.testkit.RandomRecords;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
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
        out.write(0); // concepts: branch 0 (null)
        return out.toByteArray();
    }

    @Test
    void serializerWritesExactlyTheWireFormat() {
        assertArrayEquals(handMade(sentenceId), serializer.serialize(topic, SENTENCE));
    }

    @Test
    void aSmallRecordAfterALargeOneIsWrittenToItsOwnLength() {
        Sentence large = Sentence.newBuilder(SENTENCE).setText("x".repeat(200_000)).build();
        assertEquals(large, deserializer.deserialize(topic, serializer.serialize(topic, large)));
        assertArrayEquals(handMade(sentenceId), serializer.serialize(topic, SENTENCE), "the buffer sized for the large one");
        assertEquals(large, deserializer.deserialize(topic, serializer.serialize(topic, large)), "grown again from the small one's size");
    }

    @Test
    void deserializerReadsHandMadeBytes() {
        assertEquals(SENTENCE, deserializer.deserialize(topic, handMade(sentenceId)));
        AvroDeserializer<Sentence> byWriterName = new AvroDeserializer<>();
        byWriterName.configure(TestRegistry.shared().serdeConfig(), false);
        assertEquals(SENTENCE, byWriterName.deserialize(topic, handMade(sentenceId)));
    }

    /** A record's bytes fields are views of the array it was read from (SlicingDecoder), each over exactly its own bytes. */
    @Test
    void bytesFieldsAreViewsOfTheArrayTheRecordWasReadFrom() {
        AvroSerializer<ActivationRecord> activations = new AvroSerializer<>();
        activations.configure(TestRegistry.shared().serdeConfig(), false);
        AvroDeserializer<ActivationRecord> back = new AvroDeserializer<>(ActivationRecord.class);
        back.configure(TestRegistry.shared().serdeConfig(), false);
        float[] values = {1.5f, -2f, 3e-3f};
        ActivationRecord a = ActivationRecord.newBuilder().setCheckpointId("cp@0").setCorpus("c").setSampleId("en|s1").setIndex(7)
                .setLang("en").setMeaningId("s1").setLayer(0).setLayers(2).setNeuronsPerLayer(3).setValues(LittleEndian.float32s(values))
                .setPositiveCounts(LittleEndian.int32s(new int[] {0, 4, 2})).setTokenCount(4).setLayerNorm(2.5).setWholeModelNorm(5.0)
                .build();
        byte[] bytes = activations.serialize(topic + "-activations", a);
        ActivationRecord read = back.deserialize(topic + "-activations", bytes);
        assertEquals(a, read);
        assertSame(bytes, read.getValues().array());
        assertSame(bytes, read.getPositiveCounts().array());
        assertArrayEquals(values, LittleEndian.float32s("values", read.getValues(), 3));
        assertArrayEquals(new int[] {0, 4, 2}, LittleEndian.int32s("positiveCounts", read.getPositiveCounts(), 3));
    }

    @Test
    void everyRecordTypeSurvivesTheSerde() {
        AvroDeserializer<SpecificRecord> any = new AvroDeserializer<>();
        any.configure(TestRegistry.shared().serdeConfig(), false);
        AvroSerializer<SpecificRecord> all = new AvroSerializer<>();
        all.configure(TestRegistry.shared().serdeConfig(), false);
        RandomRecords random = new RandomRecords(11);
        for (Topic t : Topic.values()) {
            for (int i = 0; i < 200; i++) {
                SpecificRecord record = random.next(t.valueType());
                assertEquals(record, any.deserialize(topic + "-" + t.baseName(), all.serialize(topic + "-" + t.baseName(), record)),
                        t + " record " + i);
            }
        }
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
        assertTrue(e.getMessage().contains("2 trailing byte(s)"), e.getMessage());
    }

    @Test
    void unknownSchemaIdNamesIdAndRegistry() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> deserializer.deserialize(topic, handMade(987_654)));
        assertTrue(e.getMessage().contains("schema id 987654") && e.getMessage().contains(TestRegistry.shared().url())
                && e.getMessage().contains("40403"), e.getMessage());
    }

    @Test
    void randomCorruptionOnlyEverRaisesSerializationException() {
        byte[] whole = handMade(sentenceId);
        Random random = new Random(7);
        int decoded = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] bytes = Arrays.copyOf(whole, WireFormat.HEADER_LENGTH + random.nextInt(40));
            for (int b = WireFormat.HEADER_LENGTH; b < bytes.length; b++) {
                bytes[b] = random.nextInt(3) == 0 ? (byte) random.nextInt() : b < whole.length ? whole[b] : (byte) random.nextInt();
            }
            try {
                assertEquals(Sentence.class, deserializer.deserialize(topic, bytes).getClass());
                decoded++;
            } catch (SerializationException expected) {
                assertTrue(expected.getMessage().contains(topic), expected.getMessage());
            }
        }
        assertTrue(decoded > 0 && decoded < 5000, decoded + " of 5000 corrupted values decoded");
    }

    @Test
    void absurdLengthsAreRejectedBeforeAnythingIsAllocated() {
        // corpus declares 1.5e9 bytes (zig-zag varint 0x80 0xbc 0xc1 0x96 0x0b) with 3 bytes behind it: Avro alone
        // would allocate 1.5 GB before noticing
        byte[] bytes = {0, (byte) (sentenceId >>> 24), (byte) (sentenceId >>> 16), (byte) (sentenceId >>> 8), (byte) sentenceId,
            (byte) 0x80, (byte) 0xbc, (byte) 0xc1, (byte) 0x96, 0x0b, 'a', 'b', 'c'};
        SerializationException e = assertThrows(SerializationException.class, () -> deserializer.deserialize(topic, bytes));
        assertTrue(e.getMessage().contains("string of length 1500000000 but 3 byte(s) left at byte 5"), e.getMessage());
    }

    @Test
    void missingRegistryUrlIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class, () -> new AvroSerializer<Sentence>().configure(Map.of(), false));
        assertTrue(e.getMessage().contains(SerdeConfig.SCHEMA_REGISTRY_URL), e.getMessage());
    }

    @Test
    void withoutAutoRegistrationTheSchemaMustAlreadyBeRegistered() {
        String other = "noauto-" + UUID.randomUUID();
        Map<String, Object> config = new HashMap<>(TestRegistry.shared().serdeConfig());
        config.put(SerdeConfig.AUTO_REGISTER_SCHEMAS, "false");
        AvroSerializer<Sentence> strict = new AvroSerializer<>();
        strict.configure(config, false);
        SerializationException e = assertThrows(SerializationException.class, () -> strict.serialize(other, SENTENCE));
        assertTrue(e.getMessage().contains("subject '" + other + "-value'") && e.getMessage().contains("404"), e.getMessage());
        int id = new SchemaRegistryClient(TestRegistry.shared().url()).register(other + "-value", Sentence.getClassSchema());
        assertArrayEquals(handMade(id), strict.serialize(other, SENTENCE));
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
