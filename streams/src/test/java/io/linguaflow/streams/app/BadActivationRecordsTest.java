package io.linguaflow.streams.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.testkit.Drivers;
import io.linguaflow.streams.testkit.Fixture;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 5, the streams cases of the bad-input suite, through the whole application topology: each bad
 * activation record becomes one dead letter whose message names its topic, partition and offset and its checkpoint,
 * sample and layer; it is not counted, and the rest of the checkpoint's analysis completes with the final metrics of
 * the good records ({@link LinguaflowTopologyTest#assertMetricsOf}: reference.json and the batch analysis of the same
 * vectors).
 */
class BadActivationRecordsTest {

    private static final String CP = "bloom-tiny@0";
    private static Fixture fixture;
    private final StreamsSettings settings = Drivers.settings();

    @BeforeAll
    static void load() {
        fixture = Fixture.load();
    }

    @Test
    void nanAndInfiniteValuesAreDeadLetteredAndTheCheckpointCompletes(@TempDir Path state) {
        ActivationRecord nan = withValue(fixture.record(CP, fixture.index("en", "s01"), 1), 5, Float.NaN);
        ActivationRecord inf = withValue(fixture.record(CP, fixture.index("fr", "s02"), 0), 7, Float.POSITIVE_INFINITY);
        ActivationRecord negInf = withValue(fixture.record(CP, fixture.index("zh", "s03"), 2), 0, Float.NEGATIVE_INFINITY);
        List<DeadLetter> letters = runWith(state, List.of(nan, inf, negInf));
        assertEquals(3, letters.size());
        assertLetter(letters.get(0), 0, "sample 'en|s01', layer 1)", "non-finite value NaN at neuron 5");
        assertLetter(letters.get(1), 1, "sample 'fr|s02', layer 0)", "non-finite value Infinity at neuron 7");
        assertLetter(letters.get(2), 2, "sample 'zh|s03', layer 2)", "non-finite value -Infinity at neuron 0");
    }

    @Test
    void aWidthChangeWithinTheCheckpointIsDeadLetteredAndTheCheckpointCompletes(@TempDir Path state) {
        ActivationRecord good = fixture.record(CP, fixture.index("en", "s01"), 1);
        ActivationRecord narrower = narrowed(good, fixture.neurons / 2);
        ActivationRecord moreLayers = ActivationRecord.newBuilder(fixture.record(CP, fixture.index("fr", "s04"), 0))
                .setLayers(fixture.layers + 1).build();
        // the good record of each (sample, layer) goes first, so its layer already has a shape
        List<DeadLetter> letters = runWith(state, List.of(good, narrower, fixture.record(CP, fixture.index("fr", "s04"), 0), moreLayers));
        assertEquals(2, letters.size());
        assertLetter(letters.get(0), 1, "sample 'en|s01', layer 1)", " has " + fixture.layers + " layers x " + fixture.neurons / 2
                + " neurons, earlier records of this checkpoint had " + fixture.layers + " x " + fixture.neurons);
        assertLetter(letters.get(1), 3, "sample 'fr|s04', layer 0)", " has " + (fixture.layers + 1) + " layers x " + fixture.neurons
                + " neurons, earlier records of this checkpoint had " + fixture.layers + " x " + fixture.neurons);
    }

    /**
     * Issue 13 item 1: the planner's plan carries the corpus's sample set, and a sample outside it (a meaning the corpus
     * lacks, one of another corpus) is not counted: the checkpoint completes on its planned samples alone.
     */
    @Test
    void aSampleOutsideThePlansSampleSetIsDeadLetteredAndTheCheckpointCompletes(@TempDir Path state) {
        ActivationRecord unknownMeaning = ActivationRecord.newBuilder(fixture.record(CP, fixture.index("en", "s01"), 0))
                .setMeaningId("s99").setSampleId("en|s99").build();
        ActivationRecord otherCorpus = ActivationRecord.newBuilder(fixture.record(CP, fixture.index("fr", "s07"), 2))
                .setMeaningId("xstory-0007").setSampleId("fr|xstory-0007").build();
        List<DeadLetter> letters = runWith(state, List.of(unknownMeaning, otherCorpus));
        assertEquals(2, letters.size());
        assertLetter(letters.get(0), 0, "sample 'en|s99', layer 0)",
                ": meaning 's99' is not one of the 50 meanings of corpus '" + Fixture.CORPUS + "' in the plan; not counted");
        assertLetter(letters.get(1), 1, "sample 'fr|xstory-0007', layer 2)",
                ": meaning 'xstory-0007' is not one of the 50 meanings of corpus '" + Fixture.CORPUS + "' in the plan; not counted");
    }

    /**
     * Corpus and checkpoint in, then {@code first} on the activations topic (offsets 0, 1, ...), then every record of the
     * checkpoint, shuffled (a record of {@code first} that is good comes again: a re-delivery). Asserts the final metrics
     * and returns the dead letters.
     */
    private List<DeadLetter> runWith(Path state, List<ActivationRecord> first) {
        try (TopologyTestDriver driver = new TopologyTestDriver(LinguaflowTopology.build(settings), Drivers.props(state))) {
            TestInputTopic<String, Sentence> sentences = Drivers.input(driver, settings.topic(Topic.SENTENCES), Sentence.class);
            for (int i = 0; i < fixture.samples(); i++) {
                sentences.pipeInput(fixture.sentenceKey(i), fixture.sentence(i));
            }
            Drivers.input(driver, settings.topic(Topic.CHECKPOINTS), CheckpointEvent.class).pipeInput(CP, fixture.checkpoint(CP, "h0"));
            TestInputTopic<String, ActivationRecord> activations = Drivers.input(driver, settings.topic(Topic.ACTIVATIONS),
                    ActivationRecord.class);
            for (ActivationRecord a : first) {
                activations.pipeInput(Keys.activation(a.getCheckpointId(), a.getLayer()), a);
            }
            for (ActivationRecord a : fixture.shuffledRecords(CP, 13)) {
                activations.pipeInput(Keys.activation(CP, a.getLayer()), a);
            }
            List<Metrics> metrics = Drivers.output(driver, settings.topic(Topic.METRICS), Metrics.class).readValuesToList();
            assertEquals(1, metrics.size(), "the final result once (no wall-clock time passed: no interim one)");
            LinguaflowTopologyTest.assertMetricsOf(fixture, metrics.get(0));
            List<DeadLetter> letters = Drivers.deadLetters(driver).readValuesToList();
            letters.forEach(l -> System.out.println("[streams] dead letter: " + l.getError()));
            return letters;
        }
    }

    private void assertLetter(DeadLetter letter, long offset, String record, String defect) {
        String topic = settings.topic(Topic.ACTIVATIONS);
        assertEquals("aggregator", letter.getComponent());
        assertEquals(topic, letter.getSourceTopic());
        assertEquals(0, letter.getSourcePartition());
        assertEquals(offset, letter.getSourceOffset());
        assertEquals(IllegalArgumentException.class.getName(), letter.getErrorClass());
        String error = letter.getError();
        assertTrue(error.startsWith("topic " + topic + " partition 0 offset " + offset + ": "), error);
        assertTrue(error.contains("activation record (checkpoint '" + CP + "', " + record), error);
        assertTrue(error.contains(defect), error);
    }

    private static float[] floats(ActivationRecord a) {
        ByteBuffer b = a.getValues().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[a.getNeuronsPerLayer()];
        for (int k = 0; k < v.length; k++) {
            v[k] = b.getFloat();
        }
        return v;
    }

    private static ByteBuffer bytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.flip();
    }

    /** The record with one value replaced; everything else (norms included) as it was. */
    private static ActivationRecord withValue(ActivationRecord a, int neuron, float value) {
        float[] v = floats(a);
        v[neuron] = value;
        return ActivationRecord.newBuilder(a).setValues(bytes(v)).build();
    }

    /** The record cut to its first {@code d} neurons, consistent in itself (values, counts and layer norm agree). */
    private static ActivationRecord narrowed(ActivationRecord a, int d) {
        float[] v = Arrays.copyOf(floats(a), d);
        double[] h = new double[d];
        for (int k = 0; k < d; k++) {
            h[k] = v[k];
        }
        ByteBuffer counts = a.getPositiveCounts();
        if (counts != null && counts.hasRemaining()) {
            byte[] first = new byte[4 * d];
            counts.duplicate().get(first);
            counts = ByteBuffer.wrap(first);
        }
        return ActivationRecord.newBuilder(a).setNeuronsPerLayer(d).setValues(bytes(v)).setPositiveCounts(counts)
                .setLayerNorm(LayerVector.norm(h)).build();
    }
}
