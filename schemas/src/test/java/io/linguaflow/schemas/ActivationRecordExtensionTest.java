package io.linguaflow.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.codec.LittleEndian;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * The optional parts of {@link ActivationRecord} (maxima, sampled token vectors) in both directions of schema
 * evolution: a reader on the released schema decodes a record that carries them (and sees the mean vector
 * unchanged), and a record written with the released schema decodes with the new fields null.
 */
class ActivationRecordExtensionTest {

    private static final Schema RELEASED;

    static {
        try {
            RELEASED = new Schema.Parser().parse(Path.of("released/ActivationRecord.avsc").toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ActivationRecord.Builder base() {
        return ActivationRecord.newBuilder().setCheckpointId("c1").setCorpus("toy").setSampleId("en|m1").setIndex(0)
                .setLang("en").setMeaningId("m1").setLayer(1).setLayers(2).setNeuronsPerLayer(3)
                .setValues(LittleEndian.float32s(new float[] {1, 2, 3}))
                .setPositiveCounts(LittleEndian.int32s(new int[] {1, 0, 2})).setTokenCount(4).setLayerNorm(3.7)
                .setWholeModelNorm(5.1);
    }

    @Test
    void anOldReaderDecodesARecordWithTheExtensions() throws IOException {
        ActivationRecord full = base().setMaxValues(LittleEndian.float32s(new float[] {4, 5, 6}))
                .setSampledTokenPositions(LittleEndian.int32s(new int[] {1, 3}))
                .setSampledTokenVectors(LittleEndian.float32s(new float[] {1, 2, 3, 4}))
                .setSampledTokenSource("block_output").build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(ActivationRecord.class).write(full, enc);
        enc.flush();
        GenericRecord old = new GenericDatumReader<GenericRecord>(ActivationRecord.getClassSchema(), RELEASED)
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        assertNull(old.getSchema().getField("maxValues"));
        assertEquals("en|m1", old.get("sampleId").toString());
        assertArrayEquals(new float[] {1, 2, 3},
                LittleEndian.float32s("values", (ByteBuffer) old.get("values"), 3));
        assertEquals(5.1, (double) old.get("wholeModelNorm"));
    }

    @Test
    void aRecordOfTheReleasedSchemaHasNoExtensions() throws IOException {
        GenericRecord old = new GenericData.Record(RELEASED);
        ActivationRecord plain = base().build();
        for (Schema.Field f : RELEASED.getFields()) {
            old.put(f.name(), plain.get(f.name()));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(RELEASED).write(old, enc);
        enc.flush();
        ActivationRecord now = new SpecificDatumReader<ActivationRecord>(RELEASED, ActivationRecord.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        assertNull(now.getMaxValues());
        assertNull(now.getSampledTokenPositions());
        assertNull(now.getSampledTokenVectors());
        assertNull(now.getSampledTokenSource());
        assertEquals(plain, now);
    }
}
