package io.linguaflow.analysis.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.corpus.CorpusTsv;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.metrics.PairClassSums;
import io.linguaflow.analysis.similarity.SimilarityMap;
import io.linguaflow.analysis.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture model: results on vectors.npy equal reference.json (independent numpy oracle) and, in
 * lf-compat mode, lf_reference.json (the authors' code). Tolerance 1e-9 for every number; key sets identical.
 */
class FixtureConformanceTest {

    private static final double TOL = 1e-9;
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> models() {
        return Stream.of("bloom-tiny", "bloom-tiny-fp16", "bloom-tiny-bf16", "llama-tiny");
    }

    private static Path dir(String model) {
        return SharedData.require(SharedData.fixtures().resolve("reference").resolve(model));
    }

    private static Corpus corpus() throws IOException {
        return CorpusTsv.read(SharedData.fixtures().resolve("corpus.tsv"));
    }

    @ParameterizedTest
    @MethodSource("models")
    void correctedDefinitionsEqualTheOracle(String model) throws IOException {
        Path dir = dir(model);
        JsonNode ref = JSON.readTree(dir.resolve("reference.json").toFile());
        int layers = ref.at("/meta/n_layers").asInt();
        AnalysisResult r;
        try (NpyVectors v = NpyVectors.open(dir.resolve("vectors.npy"), layers)) {
            r = Analyzer.analyze(v, corpus(), AnalysisOptions.defaults());
        }
        assertEquals(strings(ref.get("languages")), r.languages());
        JsonNode a = ref.get("analysis");
        assertClasses(a.get("overall"), r.overall(), r.lrds(), r.sads());
        assertEquals(1800, r.overall().sameMeaningPairs() / 2);
        assertEquals(a.at("/n_pairs/same_lang_diff_meaning").asLong(), r.overall().sameLanguagePairs() / 2);
        assertEquals(a.at("/n_pairs/diff_lang_same_meaning").asLong(), r.overall().sameMeaningPairs() / 2);
        assertEquals(a.at("/n_pairs/diff_lang_diff_meaning").asLong(), r.overall().differentPairs() / 2);
        for (int m = 0; m < layers; m++) {
            assertClasses(a.get("per_layer").get(m), r.perLayer().get(m), r.perLayerLrds()[m], r.perLayerSads()[m]);
        }

        // C_l(k) here is the mean over the n(n-1) ordered pairs; contrib.npy is the paper's sum over i<j.
        double[][] contrib = matrix(dir.resolve("contrib.npy"));
        double[][] z = matrix(dir.resolve("zscores.npy"));
        double pairs = 50 * 49 / 2.0;
        double maxC = 0, maxZ = 0;
        for (int l = 0; l < contrib.length; l++) {
            for (int k = 0; k < contrib[l].length; k++) {
                maxC = Math.max(maxC, Math.abs(r.scores()[l][k] * pairs - contrib[l][k]));
                maxZ = Math.max(maxZ, Math.abs(r.zScores()[l][k] - z[l][k]));
            }
        }
        System.out.printf("%s corrected: max |metric - reference| %.3g, max |C - contrib| %.3g, max |z - zscores| %.3g%n", model,
                maxMetricDiff, maxC, maxZ);
        assertTrue(maxC < TOL, "contribution scores deviate by " + maxC);
        assertTrue(maxZ < TOL, "z-scores deviate by " + maxZ);
        assertKeyNeurons(a.get("key_neurons"), r);
    }

    @ParameterizedTest
    @MethodSource("models")
    void lfCompatEqualsTheAuthorsCode(String model) throws IOException {
        Path dir = dir(model);
        JsonNode lf = JSON.readTree(dir.resolve("lf_reference.json").toFile());
        JsonNode ref = JSON.readTree(dir.resolve("reference.json").toFile());
        int layers = lf.at("/input/n_layers_L").asInt();
        AnalysisResult r;
        try (NpyVectors v = NpyVectors.open(dir.resolve("vectors.npy"), layers)) {
            r = Analyzer.analyze(v, corpus(), new AnalysisOptions(2, true, null));
        }
        LfCompatResult c = r.compat();
        assertEquals(strings(lf.at("/input/language_order")), c.languageOrder());
        JsonNode w = lf.get("whole_model");
        assertBlock(w.get("lrds"), c.lrds());
        assertBlock(w.get("sads_released_stride_S_plus_1"), c.sadsReleased());
        assertBlock(w.get("sads_intended_stride_S"), c.sadsIntended());
        assertEquals(w.at("/lrds/score").asDouble(), r.lrds(), TOL);
        assertEquals(w.at("/sads_released_stride_S_plus_1/score").asDouble(), r.sads(), TOL);
        for (int m = 0; m < layers; m++) {
            JsonNode l = lf.get("per_layer").get(m);
            LfCompatResult.Layer got = c.perLayer().get(m);
            assertBlock(l.get("lrds"), got.lrds());
            assertBlock(l.get("sads_intended_stride_S"), got.sadsIntended());
            assertBlock(l.get("sads_released_stride_S_plus_1"), got.sadsReleased());
            assertBlock(l.get("sads_released_main_call_default_sample_num_100"), got.sadsReleasedMainCall());
            assertEquals(l.at("/sads_released_main_call_default_sample_num_100/score").asDouble(), r.perLayerSads()[m], TOL);
        }

        // lf_*.npy rows are in the authors' language order; ours in corpus order.
        double[][] scores = matrix(dir.resolve("lf_neuron_scores.npy"));
        double[][] z = matrix(dir.resolve("lf_zscores.npy"));
        double maxRelS = 0, maxZ = 0;
        for (int lfRow = 0; lfRow < scores.length; lfRow++) {
            int l = r.languages().indexOf(c.languageOrder().get(lfRow));
            for (int k = 0; k < scores[lfRow].length; k++) {
                maxRelS = Math.max(maxRelS, Math.abs(r.scores()[l][k] - scores[lfRow][k]) / Math.abs(scores[lfRow][k]));
                maxZ = Math.max(maxZ, Math.abs(r.zScores()[l][k] - z[lfRow][k]));
            }
        }
        System.out.printf("%s lf-compat: max |metric - lf_reference| %.3g, max rel |s - lf_neuron_scores| %.3g, max |z - lf_zscores| %.3g%n",
                model, maxMetricDiff, maxRelS, maxZ);
        assertTrue(maxRelS < TOL, "neuron scores deviate by " + maxRelS + " (relative)");
        assertTrue(maxZ < TOL, "z-scores deviate by " + maxZ);
        assertKeyNeurons(lf.get("key_neurons"), r);
        assertEquals(lf.at("/key_neurons/total").asLong(), r.keyRegions().sklr());
        // the corrected key sets of the oracle are the same on these fixtures (the README's margins)
        assertKeyNeurons(ref.at("/analysis/key_neurons"), r);
    }

    @ParameterizedTest
    @MethodSource("models")
    void rawLayerMeansGiveTheSameResultsAsNormalisedVectors(String model) throws IOException {
        Path dir = dir(model);
        AnalysisResult fromRaw;
        AnalysisResult fromVectors;
        try (NpyVectors raw = NpyVectors.open(dir.resolve("layer_means.npy"), null)) {
            fromRaw = Analyzer.analyze(raw, corpus(), AnalysisOptions.defaults());
        }
        try (NpyVectors v = NpyVectors.open(dir.resolve("vectors.npy"), fromRaw.layers())) {
            fromVectors = Analyzer.analyze(v, corpus(), AnalysisOptions.defaults());
        }
        assertEquals(fromVectors.lrds(), fromRaw.lrds(), 1e-12);
        assertEquals(fromVectors.sads(), fromRaw.sads(), 1e-12);
        assertArrayEquals(fromVectors.perLayerLrds(), fromRaw.perLayerLrds(), 1e-12);
        assertArrayEquals(fromVectors.perLayerSads(), fromRaw.perLayerSads(), 1e-12);
        for (String l : fromRaw.languages()) {
            assertArrayEquals(fromVectors.keyRegions().neurons().get(l), fromRaw.keyRegions().neurons().get(l));
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void similarityMapEqualsTheOracle(String model) throws IOException {
        Path dir = dir(model);
        SimilarityMap map;
        SimilarityMap layer2;
        SimilarityMap fromBlocks = null;
        try (NpyVectors raw = NpyVectors.open(dir.resolve("layer_means.npy"), null)) {
            map = SimilarityMap.wholeModel(raw);
            layer2 = SimilarityMap.layer(raw, 2);
            // as the streams instances do it: each layer's block on its own, shipped as bytes, summed
            double[] norms = ModelNorms.of(raw, null);
            for (int m = 0; m < raw.layers(); m++) {
                double[][] slices = new double[raw.samples()][];
                for (int i = 0; i < slices.length; i++) {
                    slices[i] = raw.slice(i, m);
                }
                SimilarityMap block = SimilarityMap.fromUpperTriangle(SimilarityMap.layerBlock(slices, norms).upperTriangle(), "layer " + m);
                fromBlocks = fromBlocks == null ? block : fromBlocks.plus(block);
            }
        }
        double[][] ref = matrix(dir.resolve("similarity.npy"));
        double max = 0;
        double maxBlocks = 0;
        for (int i = 0; i < ref.length; i++) {
            for (int j = 0; j < ref.length; j++) {
                max = Math.max(max, Math.abs(map.get(i, j) - ref[i][j]));
                maxBlocks = Math.max(maxBlocks, Math.abs(fromBlocks.get(i, j) - ref[i][j]));
            }
        }
        assertTrue(max < TOL, "similarity deviates by " + max);
        assertTrue(maxBlocks < TOL, "similarity summed from layer blocks deviates by " + maxBlocks);
        // block means: on this complete corpus the mean of the diagonal blocks is the SL mean, and so on
        JsonNode overall = JSON.readTree(dir.resolve("reference.json").toFile()).at("/analysis/overall");
        double[][] byLang = map.blockMeansByLanguage(corpus());
        double[][] byMeaning = map.blockMeansByMeaning(corpus());
        assertEquals(overall.get("mean_same_lang_diff_meaning").asDouble(), diagonalMean(byLang), TOL);
        assertEquals(overall.get("mean_diff_lang_diff_meaning").asDouble(), offDiagonalMean(byLang), TOL);
        assertEquals(overall.get("mean_diff_lang_same_meaning").asDouble(), diagonalMean(byMeaning), TOL);
        assertEquals(overall.get("mean_diff_lang_diff_meaning").asDouble(), offDiagonalMean(byMeaning), TOL);
        JsonNode second = JSON.readTree(dir.resolve("reference.json").toFile()).at("/analysis/per_layer/2");
        assertEquals(second.get("mean_same_lang_diff_meaning").asDouble(), diagonalMean(layer2.blockMeansByLanguage(corpus())), TOL);
        assertEquals(second.get("mean_diff_lang_same_meaning").asDouble(), diagonalMean(layer2.blockMeansByMeaning(corpus())), TOL);
    }

    private static double diagonalMean(double[][] b) {
        double s = 0;
        for (int i = 0; i < b.length; i++) {
            s += b[i][i];
        }
        return s / b.length;
    }

    private static double offDiagonalMean(double[][] b) {
        double s = 0;
        for (int i = 0; i < b.length; i++) {
            for (int j = 0; j < b.length; j++) {
                s += i == j ? 0 : b[i][j];
            }
        }
        return s / (b.length * (b.length - 1.0));
    }

    /** Largest deviation of a metric seen by the current test, printed for the record. */
    private double maxMetricDiff;

    private void assertClasses(JsonNode ref, PairClassSums got, double lrds, double sads) {
        track(ref.get("lrds").asDouble(), lrds);
        track(ref.get("sads").asDouble(), sads);
        track(ref.get("mean_same_lang_diff_meaning").asDouble(), got.meanSameLanguage());
        track(ref.get("mean_diff_lang_same_meaning").asDouble(), got.meanSameMeaning());
        track(ref.get("mean_diff_lang_diff_meaning").asDouble(), got.meanDifferent());
        assertEquals(ref.get("lrds").asDouble(), lrds, TOL);
        assertEquals(ref.get("sads").asDouble(), sads, TOL);
        assertEquals(ref.get("mean_same_lang_diff_meaning").asDouble(), got.meanSameLanguage(), TOL);
        assertEquals(ref.get("mean_diff_lang_same_meaning").asDouble(), got.meanSameMeaning(), TOL);
        assertEquals(ref.get("mean_diff_lang_diff_meaning").asDouble(), got.meanDifferent(), TOL);
    }

    private void track(double expected, double actual) {
        maxMetricDiff = Math.max(maxMetricDiff, Math.abs(expected - actual));
    }

    private void assertBlock(JsonNode ref, BlockScore got) {
        track(ref.get("diagonal_mean").asDouble(), got.diagonalMean());
        track(ref.get("off_diagonal_mean").asDouble(), got.offDiagonalMean());
        track(ref.get("score").asDouble(), got.score());
        assertEquals(ref.get("diagonal_mean").asDouble(), got.diagonalMean(), TOL);
        assertEquals(ref.get("off_diagonal_mean").asDouble(), got.offDiagonalMean(), TOL);
        assertEquals(ref.get("score").asDouble(), got.score(), TOL);
    }

    private static void assertKeyNeurons(JsonNode ref, AnalysisResult r) {
        for (String lang : r.languages()) {
            long[] expected = longs(ref.get("indices").get(lang));
            assertArrayEquals(expected, r.keyRegions().neurons().get(lang), "key neurons of " + lang);
            assertEquals(ref.get("counts").get(lang).asInt(), r.keyRegions().count(lang));
            int[] perLayer = new int[r.layers()];
            for (int m = 0; m < perLayer.length; m++) {
                perLayer[m] = ref.get("counts_per_layer").get(lang).get(m).asInt();
            }
            assertArrayEquals(perLayer, r.keyRegions().countsPerLayer().get(lang), "per-layer counts of " + lang);
        }
    }

    private static double[][] matrix(Path npy) throws IOException {
        try (Npy a = Npy.open(npy)) {
            double[][] m = new double[(int) a.rows()][];
            for (int i = 0; i < m.length; i++) {
                m[i] = a.row(i);
            }
            return m;
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
