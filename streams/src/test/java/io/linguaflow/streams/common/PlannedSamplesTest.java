package io.linguaflow.streams.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.linguaflow.streams.avro.CheckpointPlan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/** The plan's sample set against the rows it was made from. */
class PlannedSamplesTest {

    // an unbalanced corpus: m2 has no 'de' row, m3 only 'de'
    private static final List<String> LANGS = List.of("en", "de", "en", "en", "de", "de");
    private static final List<String> MEANINGS = List.of("m1", "m1", "m2", "m3", "m3", "m4");

    private static CheckpointPlan plan(PlannedSamples set) {
        return set.writeTo(CheckpointPlan.newBuilder()).setCheckpointId("cp").setModel("m").setContentHash("h").setCorpus("c")
                .setSamplesExpected(LANGS.size()).setThreshold(2.0).setLfCompat(false).setBatches(1)
                .setPlannedAt(Instant.EPOCH).build();
    }

    @Test
    void theSampleSetIsExactlyTheRows() {
        PlannedSamples set = PlannedSamples.ofRows(LANGS, MEANINGS);
        assertEquals(List.of("en", "de"), set.languages());
        assertEquals(List.of("m1", "m2", "m3", "m4"), set.meaningIds());
        assertEquals(List.of("de|m2", "en|m4"), set.absentSamples());
        CheckpointPlan plan = plan(set);
        Set<String> rows = new HashSet<>();
        for (int i = 0; i < LANGS.size(); i++) {
            rows.add(LANGS.get(i) + "|" + MEANINGS.get(i));
        }
        int planned = 0;
        for (String lang : List.of("en", "de", "fr")) {
            for (String meaning : List.of("m1", "m2", "m3", "m4", "m5")) {
                String sampleId = lang + "|" + meaning;
                boolean inPlan = PlannedSamples.whyNotPlanned(plan, sampleId) == null;
                assertEquals(rows.contains(sampleId), inPlan, sampleId);
                planned += inPlan ? 1 : 0;
            }
        }
        assertEquals(plan.getSamplesExpected(), planned);
    }

    @Test
    void saysWhyASampleIsNotPlanned() {
        CheckpointPlan plan = plan(PlannedSamples.ofRows(LANGS, MEANINGS));
        assertEquals("language 'fr' is not one of the plan's languages [en, de]", PlannedSamples.whyNotPlanned(plan, "fr|m1"));
        assertEquals("meaning 'm9' is not one of the 4 meanings of corpus 'c' in the plan", PlannedSamples.whyNotPlanned(plan, "en|m9"));
        assertEquals("corpus 'c' has no sample 'de|m2' (the plan lists it as absent)", PlannedSamples.whyNotPlanned(plan, "de|m2"));
    }

    /** A plan written before the sample set existed reads with no meaningIds and checks the language only. */
    @Test
    void anOlderPlanChecksTheLanguageOnly() throws IOException {
        CheckpointPlan current = plan(PlannedSamples.ofRows(LANGS, MEANINGS));
        Schema before = Schema.createRecord(CheckpointPlan.SCHEMA$.getName(), null, CheckpointPlan.SCHEMA$.getNamespace(), false,
                CheckpointPlan.SCHEMA$.getFields().stream().filter(f -> !f.name().equals("meaningIds") && !f.name().equals("absentSamples"))
                        .map(f -> new Schema.Field(f, f.schema())).toList());
        GenericRecord written = new GenericData.Record(before);
        before.getFields().forEach(f -> written.put(f.name(), current.get(f.name())));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(before, SpecificData.getForClass(CheckpointPlan.class)).write(written, encoder);
        encoder.flush();
        CheckpointPlan old = new SpecificDatumReader<CheckpointPlan>(before, CheckpointPlan.SCHEMA$)
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        assertNull(old.getMeaningIds());
        assertEquals(List.of(), old.getAbsentSamples());
        assertNull(PlannedSamples.whyNotPlanned(old, "en|m9"));
        assertEquals("language 'fr' is not one of the plan's languages [en, de]", PlannedSamples.whyNotPlanned(old, "fr|m1"));
    }
}
