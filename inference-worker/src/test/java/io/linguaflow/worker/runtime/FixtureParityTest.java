package io.linguaflow.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.worker.Fixtures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with HuggingFace transformers 4.57.6 on every fixture model and all 450 corpus samples
 * ({@code ../shared/fixtures/reference/<model>}): token ids, pooled layer means, last-token logits, token NLL,
 * key neurons from the extracted vectors, and ablation perplexities. Half-precision checkpoints are compared
 * with their own references (HF widens them to float32, as the runtime does).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FixtureParityTest {

    private final Map<String, LanguageModel> models = new HashMap<>();
    private final Map<String, List<SampleActivations>> activations = new HashMap<>();

    static List<String> models() {
        return Fixtures.MODELS;
    }

    private LanguageModel model(String name) throws Exception {
        LanguageModel m = models.get(name);
        if (m == null) {
            m = LanguageModel.load(Fixtures.model(name), Device.cpu());
            models.put(name, m);
        }
        return m;
    }

    private List<SampleActivations> acts(String name) throws Exception {
        if (!activations.containsKey(name)) {
            activations.put(name, model(name).activations(Fixtures.texts(Fixtures.corpus()), Ablation.none(), true));
        }
        return activations.get(name);
    }

    private static JsonNode ref(String name) {
        return Fixtures.json(Fixtures.reference(name).resolve("reference.json"));
    }

    @AfterAll
    void close() {
        models.values().forEach(LanguageModel::close);
    }

    @ParameterizedTest
    @MethodSource("models")
    void tokenIdsAreIdentical(String name) throws Exception {
        JsonNode samples = ref(name).get("samples");
        List<SampleActivations> a = acts(name);
        assertEquals(samples.size(), a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonNode ids = samples.get(i).get("input_ids");
            long[] want = new long[ids.size()];
            for (int k = 0; k < want.length; k++) {
                want[k] = ids.get(k).asLong();
            }
            assertArrayEquals(want, a.get(i).inputIds(), name + " sample " + i);
            assertEquals(samples.get(i).get("n_tokens").asInt(), a.get(i).nTokens());
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void layerMeansMatchWithin1e5(String name) throws Exception {
        List<SampleActivations> a = acts(name);
        double max = 0;
        try (Npy means = Npy.open(Fixtures.reference(name).resolve("layer_means.npy"))) {
            int layers = model(name).config().numLayers();
            int d = model(name).config().intermediateSize();
            assertArrayEquals(new long[] {a.size(), layers, d}, means.shape());
            for (int i = 0; i < a.size(); i++) {
                double[] want = means.row(i);
                double sq = 0;
                for (int l = 0; l < layers; l++) {
                    double lsq = 0;
                    for (int k = 0; k < d; k++) {
                        max = Math.max(max, Math.abs(want[l * d + k] - a.get(i).layerMeans()[l][k]));
                        lsq += want[l * d + k] * want[l * d + k];
                    }
                    assertEquals(Math.sqrt(lsq), a.get(i).layerNorms()[l], 1e-5, name + " layer norm " + i + "/" + l);
                    sq += lsq;
                }
                assertEquals(Math.sqrt(sq), a.get(i).modelNorm(), 1e-5, name + " model norm " + i);
            }
        }
        report(name, "layer means max |diff| (all 450 samples, every neuron)", max);
        assertTrue(max <= 1e-5, name + ": layer means deviate by " + max);
    }

    @ParameterizedTest
    @MethodSource("models")
    void meanNllAndTokenNllMatchWithin1e4(String name) throws Exception {
        JsonNode samples = ref(name).get("samples");
        List<SampleActivations> a = acts(name);
        List<double[]> tok = model(name).tokenNll(a.stream().map(SampleActivations::inputIds).toList(), Ablation.none());
        double maxMean = 0;
        double maxTok = 0;
        for (int i = 0; i < a.size(); i++) {
            maxMean = Math.max(maxMean, Math.abs(samples.get(i).get("mean_nll").asDouble() - a.get(i).meanNll()));
            JsonNode want = samples.get(i).get("token_nll");
            assertEquals(want.size(), tok.get(i).length);
            for (int t = 0; t < want.size(); t++) {
                maxTok = Math.max(maxTok, Math.abs(want.get(t).asDouble() - tok.get(i)[t]));
            }
        }
        report(name, "mean NLL max |diff|", maxMean);
        report(name, "token NLL max |diff|", maxTok);
        assertTrue(maxMean <= 1e-4 && maxTok <= 1e-4, name + ": NLL deviates by " + maxMean + " / " + maxTok);
    }

    @ParameterizedTest
    @MethodSource("models")
    void lastTokenLogitsMatchWithin1e4(String name) throws Exception {
        JsonNode samples = ref(name).get("samples");
        List<float[]> logits = model(name).lastTokenLogits(acts(name).stream().map(SampleActivations::inputIds).toList());
        double max = 0;
        for (int i = 0; i < logits.size(); i++) {
            JsonNode want = samples.get(i).get("last_token_logits_first8");
            for (int k = 0; k < 8; k++) {
                max = Math.max(max, Math.abs(want.get(k).asDouble() - logits.get(i)[k]));
            }
        }
        report(name, "last-token logits[0..8] max |diff|", max);
        assertTrue(max <= 1e-4, name + ": logits deviate by " + max);
    }

    @ParameterizedTest
    @MethodSource("models")
    void keyNeuronsFromExtractedVectorsAreIdentical(String name) throws Exception {
        JsonNode ref = ref(name);
        List<SampleActivations> a = acts(name);
        List<String> langs = Fixtures.corpus().stream().map(Corpus.Row::lang).toList();
        Map<String, int[]> key = keyNeurons(a.stream().map(SampleActivations::concatenated).toList(), langs, 2.0);
        JsonNode want = ref.get("analysis").get("key_neurons").get("indices");
        for (Map.Entry<String, int[]> e : key.entrySet()) {
            JsonNode w = want.get(e.getKey());
            int[] wantIds = new int[w.size()];
            for (int k = 0; k < wantIds.length; k++) {
                wantIds[k] = w.get(k).asInt();
            }
            assertArrayEquals(wantIds, e.getValue(), name + " key neurons of " + e.getKey());
        }
        assertEquals(want.size(), key.size());
    }

    /**
     * Brute-force key neurons (Lingua Franca z-score rule, the oracle's definition): a = whole-model L2-normalised
     * vectors, C_l(k) = ((Σ_{i∈l} a_i(k))² − Σ_{i∈l} a_i(k)²) / 2, z over languages with population σ, z > threshold.
     */
    static Map<String, int[]> keyNeurons(List<float[]> vectors, List<String> langs, double threshold) {
        int n = vectors.get(0).length;
        Map<String, double[][]> sums = new LinkedHashMap<>();
        for (int i = 0; i < vectors.size(); i++) {
            double[][] s = sums.computeIfAbsent(langs.get(i), l -> new double[2][n]);
            float[] v = vectors.get(i);
            double norm = 0;
            for (float x : v) {
                norm += (double) x * x;
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < n; k++) {
                double x = v[k] / norm;
                s[0][k] += x;
                s[1][k] += x * x;
            }
        }
        List<String> order = new ArrayList<>(sums.keySet());
        double[][] c = new double[order.size()][n];
        for (int l = 0; l < order.size(); l++) {
            double[][] s = sums.get(order.get(l));
            for (int k = 0; k < n; k++) {
                c[l][k] = 0.5 * (s[0][k] * s[0][k] - s[1][k]);
            }
        }
        Map<String, TreeSet<Integer>> key = new LinkedHashMap<>();
        order.forEach(l -> key.put(l, new TreeSet<>()));
        for (int k = 0; k < n; k++) {
            double mu = 0;
            for (double[] row : c) {
                mu += row[k];
            }
            mu /= c.length;
            double var = 0;
            for (double[] row : c) {
                var += (row[k] - mu) * (row[k] - mu);
            }
            double sd = Math.sqrt(var / c.length);
            for (int l = 0; l < c.length && sd > 0; l++) {
                if ((c[l][k] - mu) / sd > threshold) {
                    key.get(order.get(l)).add(k);
                }
            }
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        key.forEach((l, s) -> out.put(l, s.stream().mapToInt(Integer::intValue).toArray()));
        return out;
    }

    @ParameterizedTest
    @MethodSource("models")
    void ablationPerplexitiesMatchWithin1e3Relative(String name) throws Exception {
        JsonNode ref = ref(name);
        LanguageModel m = model(name);
        List<Corpus.Row> rows = Fixtures.corpus();
        List<String> texts = Fixtures.texts(rows);
        List<String> langs = rows.stream().map(Corpus.Row::lang).toList();
        JsonNode abl = ref.get("ablation");
        double max = relDiff(abl.get("baseline_ppl_token"),
                Perplexity.perGroup(m, texts, langs, Ablation.none()), name + " baseline");
        JsonNode indices = ref.get("analysis").get("key_neurons").get("indices");
        for (String lang : ref.get("languages").properties().stream().map(Map.Entry::getKey).toList()) {
            JsonNode ids = indices.get(lang);
            int[] flat = new int[ids.size()];
            for (int k = 0; k < flat.length; k++) {
                flat[k] = ids.get(k).asInt();
            }
            Ablation a = Ablation.ofFlatIds(flat, m.config().numLayers(), m.config().intermediateSize());
            max = Math.max(max, relDiff(abl.get("ppl_token").get(lang), Perplexity.perGroup(m, texts, langs, a),
                    name + " ablating " + lang));
        }
        report(name, "ablation perplexity max relative diff (9 ablations x 9 languages + baseline)", max);
        assertTrue(max <= 1e-3);
    }

    private static double relDiff(JsonNode want, Map<String, Double> got, String what) {
        assertEquals(want.size(), got.size(), what);
        double max = 0;
        for (Map.Entry<String, Double> e : got.entrySet()) {
            double w = want.get(e.getKey()).asDouble();
            double rel = Math.abs(e.getValue() - w) / w;
            assertTrue(rel <= 1e-3, what + " " + e.getKey() + ": " + e.getValue() + " vs " + w);
            max = Math.max(max, rel);
        }
        return max;
    }

    static void report(String model, String what, double value) {
        System.out.printf("PARITY %-16s %-75s %.3g%n", model, what, value);
    }

}
