package io.linguaflow.analysis.neurontypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The NJUNLP fixture ({@code shared/fixtures/njunlp}): the authors' own Mistral MGSM counts and shipped mask.
 * Mirrors every check of the fixture's independent {@code verify.py}: p bit for bit, k and τ bits, selected set,
 * mask, appear, sizes, per-layer types, scores within 1e-6, the whole λ autosweep; plus the LAPE histogram
 * of IMPLEMENTATION-NOTES §3.2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NjunlpFixtureTest {

    static final double LAMBDA = 0.109375;
    static final List<String> LANGS = List.of("en", "ru", "es", "fr", "de", "zh", "ja", "bn", "th", "sw");

    Path dir;
    JsonNode summary;
    ActivationProbabilities p;
    ZhangClassifier zhang;
    NeuronTypesResult atLambda;

    @BeforeAll
    void load() throws IOException {
        dir = SharedData.fixtures().resolve("njunlp");
        ObjectMapper m = new ObjectMapper();
        summary = m.readTree(dir.resolve("expected/summary.json").toFile());
        p = ProbabilityFiles.readNpy(dir.resolve("counts/p.npy"), LANGS);
        long t0 = System.nanoTime();
        zhang = ZhangClassifier.prepare(p, 0.01, 0.95);
        long t1 = System.nanoTime();
        atLambda = zhang.classify(LAMBDA);
        long t2 = System.nanoTime();
        System.out.printf("NJUNLP fixture: prepare (tau, N, entropies) %.1f ms, classify at lambda %.1f ms%n",
                (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    }

    static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).intValue();
        }
        return v;
    }

    int[] perLanguage(JsonNode o) {
        return LANGS.stream().mapToInt(l -> o.get(l).intValue()).toArray();
    }

    @Test
    void responseOnlyProbabilitiesFromTheCountsAreBitIdenticalToPNpy() throws IOException {
        ActivationProbabilities fromCounts = ProbabilityFiles.readNjunlpCounts(dir.resolve("counts"), null);
        assertEquals(LANGS, fromCounts.languages());
        float[] a = p.toArray();
        float[] b = fromCounts.toArray();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                throw new AssertionError("p differs at flat " + i + ": " + a[i] + " vs " + b[i]);
            }
        }
        float max = 0;
        for (float v : a) {
            max = Math.max(max, v);
        }
        assertEquals(Float.intBitsToFloat(Float.floatToRawIntBits((float) summary.get("p_max").doubleValue())), max,
                "p can exceed 1 (boundary effects of full - prefix)");
    }

    @Test
    void kAndTauAreTheReferenceValuesBitForBit() {
        assertEquals(4588, zhang.k());
        assertEquals(summary.get("k").intValue(), atLambda.k());
        assertEquals(4358144, zhang.tauRank());
        assertEquals(summary.get("tau_rank_1indexed").intValue(), atLambda.tauRank());
        assertEquals(1058045670, Float.floatToRawIntBits(zhang.tau()));
        assertEquals(summary.get("tau_float32_bits").intValue(), Float.floatToRawIntBits(atLambda.tau()));
        assertEquals(summary.get("norm_max").doubleValue(), ZhangClassifier.normMax(10));
    }

    @Test
    void selectedSetEqualsSelectedJson() throws IOException {
        JsonNode sel = new ObjectMapper().readTree(dir.resolve("expected/selected.json").toFile()).get("selected");
        assertArrayEquals(ints(sel), atLambda.selected());
        assertEquals(summary.get("kth_selected_score").doubleValue(), atLambda.kthScore(), 1e-6);
        assertEquals(summary.get("next_unselected_score").doubleValue(), atLambda.nextScore(), 1e-6);
        assertTrue(atLambda.kthScore() < atLambda.nextScore());
    }

    @Test
    void maskEqualsTheShippedMaskInEveryLanguageAndLayer() throws IOException {
        JsonNode mask = new ObjectMapper().readTree(dir.resolve("expected/mask.json").toFile()).get("mask");
        int total = 0;
        for (int k = 0; k < LANGS.size(); k++) {
            JsonNode layers = mask.get(LANGS.get(k));
            assertEquals(32, layers.size());
            for (int l = 0; l < 32; l++) {
                assertArrayEquals(ints(layers.get(l)), atLambda.mask(k, l), LANGS.get(k) + " layer " + l);
                total += atLambda.mask(k, l).length;
            }
        }
        assertEquals(6307, total);
    }

    @Test
    void appearSizesAndTernaryTypesPerLayer() {
        assertArrayEquals(new int[] {0, 1866, 617, 310, 153, 127, 59, 40, 27, 20, 0}, atLambda.appear());
        assertArrayEquals(ints(summary.get("appear")), atLambda.appear());
        assertArrayEquals(new int[] {142, 556, 523, 821, 941, 412, 676, 948, 622, 666}, atLambda.sizes());
        assertArrayEquals(perLanguage(summary.get("sizes")), atLambda.sizes());
        assertArrayEquals(perLanguage(summary.get("specific_per_language")), atLambda.specificPerLanguage());
        JsonNode perLayer = summary.get("per_layer");
        assertArrayEquals(ints(perLayer.get("specific")), atLambda.specificPerLayer());
        assertArrayEquals(ints(perLayer.get("related")), atLambda.relatedPerLayer());
        assertArrayEquals(ints(perLayer.get("general")), atLambda.generalPerLayer());
        assertEquals(1866, atLambda.specificTotal());
        assertEquals(1353, atLambda.relatedTotal());
        assertEquals(7797, atLambda.generalTotal());
        assertArrayEquals(ints(summary.get("N_histogram_all_neurons")), atLambda.languageCountHistogram());
        assertEquals(1369, atLambda.selectedWithoutLanguage());
        assertEquals(summary.get("selected_with_N0_dropped").intValue(), atLambda.selectedWithoutLanguage());
    }

    @Test
    void scoresMatchTheTorchReferenceWithin1e6() throws IOException {
        float[] ref;
        try (Npy npy = Npy.open(dir.resolve("expected/score_lambda0.109375.npy"))) {
            assertArrayEquals(new long[] {32, 14336}, npy.shape());
            ref = npy.readFloats(0, (int) npy.size());
        }
        float[] mine = zhang.scores(LAMBDA);
        double max = 0;
        int notBitEqual = 0;
        for (int i = 0; i < ref.length; i++) {
            max = Math.max(max, Math.abs((double) ref[i] - mine[i]));
            if (Float.floatToRawIntBits(ref[i]) != Float.floatToRawIntBits(mine[i])) {
                notBitEqual++;
            }
        }
        System.out.printf("NJUNLP scores vs torch reference: max |diff| %.3g, %d of %d not bit-equal%n", max,
                notBitEqual, ref.length);
        assertTrue(max <= 1e-6, "max |score - reference| = " + max);
    }

    @Test
    void autosweepReproducesTheWholeTrajectoryAndBestLambda() {
        long t0 = System.nanoTime();
        NeuronTypesResult best = LambdaSweep.classify(zhang, LambdaSweep.Settings.DEFAULT);
        long t1 = System.nanoTime();
        System.out.printf("NJUNLP autosweep (%d classifications + final): %.1f ms%n",
                best.sweep().orElseThrow().trajectory().size(), (t1 - t0) / 1e6);
        LambdaSweep.Result sweep = best.sweep().orElseThrow();
        JsonNode a = summary.get("autosweep");
        JsonNode traj = a.get("trajectory");
        List<LambdaSweep.Step> steps = sweep.trajectory();
        assertEquals(traj.size(), steps.size());
        for (int i = 0; i < steps.size(); i++) {
            JsonNode e = traj.get(i);
            LambdaSweep.Step s = steps.get(i);
            assertEquals(e.get("step").asText(), s.label());
            assertEquals(Double.parseDouble(e.get("lambda_hex").asText()), s.lambda(), 0.0, "lambda at step " + i);
            assertArrayEquals(ints(e.get("appear")), s.appear(), "appear at lambda " + s.lambda());
            assertEquals(e.get("ok").booleanValue(), s.ok(), "ok at lambda " + s.lambda());
            assertEquals(e.get("kth_score").doubleValue(), s.kthScore(), 1e-6);
            assertEquals(e.get("next_score").doubleValue(), s.nextScore(), 1e-6);
        }
        assertEquals(0.109375, sweep.best().getAsDouble(), 0.0);
        assertEquals(a.get("best_lambda").doubleValue(), sweep.best().getAsDouble(), 0.0);
        assertEquals(8, sweep.iterations());
        assertEquals(LAMBDA, best.lambda().getAsDouble(), 0.0);
        assertArrayEquals(atLambda.selected(), best.selected());
    }

    @Test
    void lapeOnTheNjunlpProbabilities() {
        NeuronTypesResult lape = Lape.classify(p, 0.01, 0.95);
        assertEquals(Method.LAPE, lape.method());
        assertEquals(4588, lape.k());
        assertEquals(0, lape.selectedWithoutLanguage(), "LAPE pre-filter leaves no selected neuron without language");
        assertArrayEquals(new int[] {0, 3406, 820, 225, 74, 50, 10, 2, 1, 0, 0}, lape.appear());
        assertEquals(Float.floatToRawIntBits(zhang.tau()), Float.floatToRawIntBits(lape.tau()));
        List<Integer> n = new ArrayList<>();
        for (int s : lape.sizes()) {
            n.add(s);
        }
        System.out.println("NJUNLP LAPE per-language sizes " + n);
    }
}
