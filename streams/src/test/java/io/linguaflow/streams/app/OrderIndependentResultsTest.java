package io.linguaflow.streams.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.testkit.Drivers;
import io.linguaflow.streams.testkit.Fixture;
import io.linguaflow.streams.testkit.FixtureRun;
import io.linguaflow.streams.testkit.FixtureRun.Results;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * The published results are a function of the set of samples (docs/math.md §10): the reference kit's activation
 * records fed to the whole topology in shuffled orders and with duplicates give Metrics (every double), key regions
 * and neuron types bit-identical to a clean run in request order (restarts: the fault suite, {@code StreamsFaultTest}).
 * Plain float64 sums of the same records in the same orders do differ, so the orders do exercise the arithmetic.
 */
class OrderIndependentResultsTest {

    private static Fixture fixture;
    private static Results clean;

    @BeforeAll
    static void load() {
        fixture = Fixture.load();
        clean = FixtureRun.clean(fixture);
        LinguaflowTopologyTest.assertMetricsOf(fixture, clean.metrics()); // the clean run is the reference kit's result
    }

    /** The comparison itself: one ulp in one field of the metrics, or one key neuron, is a failure. */
    @Test
    void aOneUlpDifferenceIsCaught() {
        Metrics m = Metrics.newBuilder(clean.metrics()).setSads(Math.nextUp(clean.metrics().getSads())).build();
        assertThrows(AssertionFailedError.class,
                () -> new Results(m, clean.keyRegions(), clean.neuronTypes()).assertBitIdenticalTo(clean));
        List<KeyRegion> regions = new ArrayList<>(clean.keyRegions());
        KeyRegion first = regions.get(0);
        List<Integer> neurons = new ArrayList<>(first.getNeurons());
        if (neurons.isEmpty()) {
            neurons.add(0);
        } else {
            neurons.remove(0);
        }
        regions.set(0, KeyRegion.newBuilder(first).setNeurons(neurons).build());
        assertThrows(AssertionFailedError.class,
                () -> new Results(clean.metrics(), regions, clean.neuronTypes()).assertBitIdenticalTo(clean));
    }

    /** The records in a seeded random order, a quarter of them delivered a second time at random later positions. */
    private static List<ActivationRecord> shuffledWithDuplicates(List<ActivationRecord> answers, long seed) {
        Random rnd = new Random(seed);
        List<ActivationRecord> out = new ArrayList<>(answers);
        Collections.shuffle(out, rnd);
        for (ActivationRecord again : new ArrayList<>(out.subList(0, out.size() / 4))) {
            int at = out.indexOf(again) + 1;
            out.add(at + rnd.nextInt(out.size() - at + 1), again);
        }
        return out;
    }

    @Test
    void shuffledOrdersWithDuplicatesGiveBitIdenticalResults(@TempDir Path dir) {
        StreamsSettings settings = Drivers.settings();
        for (long seed : new long[] {1, 2, 3}) {
            try (TopologyTestDriver driver = new TopologyTestDriver(LinguaflowTopology.build(settings), Drivers.props(dir.resolve("s" + seed)))) {
                List<ActivationRecord> order = shuffledWithDuplicates(FixtureRun.plan(driver, settings, fixture), seed);
                assertOrderMattersForPlainSums(order);
                FixtureRun.answer(driver, settings, order);
                FixtureRun.results(driver, settings, fixture).assertBitIdenticalTo(clean);
            }
        }
    }

    /** The test's premise: summing these records' normalised values in this order and in request order differs somewhere. */
    private static void assertOrderMattersForPlainSums(List<ActivationRecord> order) {
        double[] plain = new double[fixture.neurons];
        double[] requestOrder = new double[fixture.neurons];
        List<ActivationRecord> once = order.stream().distinct().filter(r -> r.getLayer() == 0).toList();
        assertEquals(fixture.samples(), once.size());
        for (ActivationRecord r : once) {
            add(plain, r);
        }
        for (int i = 0; i < fixture.samples(); i++) {
            add(requestOrder, fixture.record(FixtureRun.CP, i, 0));
        }
        int differ = 0;
        for (int k = 0; k < plain.length; k++) {
            differ += Double.doubleToLongBits(plain[k]) != Double.doubleToLongBits(requestOrder[k]) ? 1 : 0;
        }
        assertTrue(differ > 0, "plain float64 sums of layer 0 happen to agree in both orders");
    }

    private static void add(double[] sums, ActivationRecord r) {
        java.nio.ByteBuffer b = r.getValues().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < sums.length; k++) {
            sums[k] += b.getFloat() / r.getWholeModelNorm();
        }
    }
}
