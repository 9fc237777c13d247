package io.linguaflow.analysis.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.linguaflow.analysis.keyregions.KeyRegions;
import io.linguaflow.analysis.keyregions.LayerScores;
import io.linguaflow.analysis.metrics.PairClassSums;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: for random corpora (incomplete, unbalanced), any arrival order of the layer records, any
 * split into parts merged in any order, and a round trip through the binary encoding after every
 * update, the incremental metrics equal the brute-force O(N²) computation to 1e-9.
 */
class IncrementalEqualsBruteForceTest {

    private static final double TOL = 1e-9;

    static Stream<Long> seeds() {
        return LongStream.rangeClosed(1, 25).boxed();
    }

    /** A random corpus with language and meaning structure; some cells missing. */
    record Data(List<BruteForce.Sample> samples, List<String> languages, int layers, int d) {
        static Data random(Random rnd, boolean complete) {
            int nLang = 2 + rnd.nextInt(6);
            int nMeaning = 3 + rnd.nextInt(6);
            int layers = 1 + rnd.nextInt(3);
            int d = 1 + rnd.nextInt(7);
            int k = layers * d;
            double[][] langDir = gaussians(rnd, nLang, k);
            double[][] meaningDir = gaussians(rnd, nMeaning, k);
            double[] common = gaussians(rnd, 1, k)[0];
            List<BruteForce.Sample> samples = new ArrayList<>();
            List<String> languages = new ArrayList<>();
            for (int l = 0; l < nLang; l++) {
                languages.add("l" + l);
                for (int s = 0; s < nMeaning; s++) {
                    // keep at least 2 samples per language and 2 languages on meaning 0
                    boolean present = complete || s < 2 || rnd.nextDouble() < 0.75;
                    if (!present) {
                        continue;
                    }
                    double scale = 0.1 + 10 * rnd.nextDouble(); // raw vectors of different norms
                    double[] v = new double[k];
                    for (int x = 0; x < k; x++) {
                        v[x] = scale * (2 * common[x] + langDir[l][x] + 0.7 * meaningDir[s][x] + 0.5 * rnd.nextGaussian());
                    }
                    samples.add(new BruteForce.Sample("l" + l, "m" + s, v));
                }
            }
            return new Data(samples, languages, layers, d);
        }
    }

    private static double[][] gaussians(Random rnd, int n, int k) {
        double[][] g = new double[n][k];
        for (double[] row : g) {
            for (int x = 0; x < k; x++) {
                row[x] = rnd.nextGaussian();
            }
        }
        return g;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void shuffledSplitMergedEqualsBruteForce(long seed) {
        Random rnd = new Random(seed);
        Data data = Data.random(rnd, false);
        int parts = 1 + rnd.nextInt(4);
        List<ModelStatistics> partStats = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            partStats.add(new ModelStatistics(data.layers(), data.d()));
        }
        for (int[] rec : shuffledRecords(data, rnd)) {
            BruteForce.Sample s = data.samples().get(rec[0]);
            partStats.get(rnd.nextInt(parts)).add(s.lang(), s.meaning(), rec[1], layerVector(s.raw(), data.layers(), rec[1]));
        }
        Collections.shuffle(partStats, rnd);
        ModelStatistics merged = partStats.get(0);
        for (int p = 1; p < parts; p++) {
            merged.merge(partStats.get(p));
        }

        assertMeans(BruteForce.classMeans(data.samples(), data.layers(), -1), merged.wholeModel());
        for (int m = 0; m < data.layers(); m++) {
            assertMeans(BruteForce.classMeans(data.samples(), data.layers(), m), merged.perLayer().get(m));
        }
        for (boolean lf : new boolean[] {false, true}) {
            double[][] c = BruteForce.scores(data.samples(), data.layers(), data.languages(), lf);
            double[][] z = BruteForce.z(c);
            List<LayerScores> got = merged.layerScores(data.languages(), lf);
            assertScores(c, z, got, data.d());
            KeyRegions regions = merged.keyRegions(data.languages(), 1.0, lf);
            for (int l = 0; l < data.languages().size(); l++) {
                final int lang = l;
                boolean reachable = Math.sqrt(data.languages().size() - 1.0) > 1.0; // two languages: z = ±1 exactly
                long[] expected = IntStream.range(0, z[l].length).filter(k -> reachable && z[lang][k] > 1.0).asLongStream().toArray();
                assertArrayEquals(expected, regions.neurons().get(data.languages().get(l)));
            }
        }
    }

    /** The streams layout: one encoded GroupSums per (layer, group), decoded, updated and re-encoded per record. */
    @ParameterizedTest
    @MethodSource("seeds")
    void encodedStorePerGroupEqualsBruteForce(long seed) {
        Random rnd = new Random(seed * 7919);
        Data data = Data.random(rnd, false);
        Map<String, byte[]> store = new HashMap<>();
        for (int[] rec : shuffledRecords(data, rnd)) {
            BruteForce.Sample s = data.samples().get(rec[0]);
            LayerVector v = layerVector(s.raw(), data.layers(), rec[1]);
            update(store, rec[1] + "/total", GroupSums.vectorSums(data.d()), v);
            update(store, rec[1] + "/lang/" + s.lang(), GroupSums.withNeuronStatistics(data.d()), v);
            update(store, rec[1] + "/meaning/" + s.meaning(), GroupSums.vectorSums(data.d()), v);
        }
        List<String> meanings = data.samples().stream().map(BruteForce.Sample::meaning).distinct().toList();
        List<PairClassSums> modelParts = new ArrayList<>();
        List<LayerScores> scores = new ArrayList<>();
        for (int m = 0; m < data.layers(); m++) {
            final int layer = m;
            List<GroupSums> langs = data.languages().stream().map(l -> GroupSums.decode(store.get(layer + "/lang/" + l))).toList();
            List<GroupSums> means = meanings.stream().map(x -> GroupSums.decode(store.get(layer + "/meaning/" + x))).toList();
            GroupSums total = GroupSums.decode(store.get(m + "/total"));
            for (Normalisation n : Normalisation.values()) {
                PairClassSums p = PairClassSums.of(total.scalars(n), langs.stream().map(g -> g.scalars(n)).toList(),
                        means.stream().map(g -> g.scalars(n)).toList());
                if (n == Normalisation.MODEL) {
                    modelParts.add(p);
                } else {
                    assertMeans(BruteForce.classMeans(data.samples(), data.layers(), m), p);
                }
            }
            scores.add(LayerScores.of(langs, false));
        }
        assertMeans(BruteForce.classMeans(data.samples(), data.layers(), -1), PairClassSums.sumOverLayers(modelParts));
        double[][] c = BruteForce.scores(data.samples(), data.layers(), data.languages(), false);
        assertScores(c, BruteForce.z(c), scores, data.d());
    }

    private static void update(Map<String, byte[]> store, String key, GroupSums fresh, LayerVector v) {
        byte[] old = store.get(key);
        GroupSums g = old == null ? fresh : GroupSums.decode(old);
        g.add(v);
        store.put(key, g.encode());
    }

    /** All (sample, layer) records in random order. */
    private static List<int[]> shuffledRecords(Data data, Random rnd) {
        List<int[]> records = new ArrayList<>();
        for (int i = 0; i < data.samples().size(); i++) {
            for (int m = 0; m < data.layers(); m++) {
                records.add(new int[] {i, m});
            }
        }
        Collections.shuffle(records, rnd);
        return records;
    }

    /** What an activation record carries: the layer slice, its norm and the sample's whole-model norm. */
    static LayerVector layerVector(double[] raw, int layers, int layer) {
        int d = raw.length / layers;
        double[] slice = new double[d];
        System.arraycopy(raw, layer * d, slice, 0, d);
        return LayerVector.of(slice, LayerVector.norm(raw));
    }

    private static void assertMeans(double[] expected, PairClassSums got) {
        assertEquals(expected[0], got.meanSameLanguage(), TOL, "mean SL");
        assertEquals(expected[1], got.meanSameMeaning(), TOL, "mean SM");
        assertEquals(expected[2], got.meanDifferent(), TOL, "mean DD");
        assertEquals(expected[0] - expected[2], got.lrds(), TOL, "LRDS");
        assertEquals(expected[1] - expected[2], got.sads(), TOL, "SADS");
    }

    private static void assertScores(double[][] c, double[][] z, List<LayerScores> got, int d) {
        for (int l = 0; l < c.length; l++) {
            for (int k = 0; k < c[l].length; k++) {
                LayerScores layer = got.get(k / d);
                assertEquals(c[l][k], layer.scores()[l][k % d], TOL * Math.max(1, Math.abs(c[l][k])), "score");
                assertEquals(z[l][k], layer.z()[l][k % d], TOL, "z");
            }
        }
    }
}
