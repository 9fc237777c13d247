package io.linguaflow.schemas.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Records written with an older schema are read into today's generated class. */
class ReaderSchemaResolutionTest {

    /** Sentence as a producer might have written it before corpusSize and source existed, with a since-dropped field. */
    private static final Schema OLD_SENTENCE = new Schema.Parser().parse("""
            {"type":"record","name":"Sentence","namespace":"io.linguaflow.schemas.avro","fields":[
              {"name":"corpus","type":"string"},
              {"name":"meaningId","type":"string"},
              {"name":"lang","type":"string"},
              {"name":"text","type":"string"},
              {"name":"index","type":"int"},
              {"name":"tokenizer","type":["null","string"],"default":null}
            ]}""");

    @Test
    void olderWriterSchemaResolvesIntoCurrentClass() {
        String topic = "resolution-" + UUID.randomUUID();
        GenericRecord old = new GenericData.Record(OLD_SENTENCE);
        old.put("corpus", "flores");
        old.put("meaningId", "7");
        old.put("lang", "fr");
        old.put("text", "Bonjour");
        old.put("index", 5);
        old.put("tokenizer", "bloom");
        AvroSerializer<GenericRecord> oldProducer = new AvroSerializer<>();
        oldProducer.configure(TestRegistry.shared().serdeConfig(), false);
        byte[] bytes = oldProducer.serialize(topic, old);

        AvroDeserializer<Sentence> current = new AvroDeserializer<>(Sentence.class);
        current.configure(TestRegistry.shared().serdeConfig(), false);
        Sentence read = current.deserialize(topic, bytes);
        assertEquals("flores", read.getCorpus());
        assertEquals("7", read.getMeaningId());
        assertEquals("fr", read.getLang());
        assertEquals("Bonjour", read.getText());
        assertEquals(5, read.getIndex());
        assertNull(read.getCorpusSize());
        assertNull(read.getSource());

        // and the current producer can follow on the same subject (the registry checks compatibility)
        AvroSerializer<Sentence> newProducer = new AvroSerializer<>();
        newProducer.configure(TestRegistry.shared().serdeConfig(), false);
        Sentence now = Sentence.newBuilder(read).setCorpusSize(12).build();
        assertEquals(now, current.deserialize(topic, newProducer.serialize(topic, now)));
    }

    @Test
    void unresolvableWriterSchemaIsNamed() {
        String topic = "unresolvable-" + UUID.randomUUID();
        Schema incompatible = new Schema.Parser().parse("""
                {"type":"record","name":"Sentence","namespace":"io.linguaflow.schemas.avro","fields":[
                  {"name":"corpus","type":"long"}]}""");
        GenericRecord bad = new GenericData.Record(incompatible);
        bad.put("corpus", 1L);
        AvroSerializer<GenericRecord> producer = new AvroSerializer<>();
        producer.configure(TestRegistry.shared().serdeConfig(), false);
        byte[] bytes = producer.serialize(topic, bad);
        AvroDeserializer<Sentence> current = new AvroDeserializer<>(Sentence.class);
        current.configure(TestRegistry.shared().serdeConfig(), false);
        SerializationException e = assertThrows(SerializationException.class, () -> current.deserialize(topic, bytes));
        assertTrue(e.getMessage().contains(topic) && e.getMessage().contains("schema id"), e.getMessage());
    }
}
