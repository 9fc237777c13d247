package io.linguaflow.analysis.neurontypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Small cases computed by hand (K = 3, so also K != 10): L = 2 layers, D = 3 neurons, languages a, b, c.
 * <pre>
 * layer 0: n0 (0.9, 0, 0)   n1 (0.6, 0.6, 0)   n2 (0, 0, 0)
 * layer 1: n0 (0.7, 0.7, 0.7)   n1 (0.2, 0.1, 0.1)   n2 (1.2, 0, 0)     (p &gt; 1 is legal)
 * </pre>
 * Sorted p: eight zeros, 0.1, 0.1, 0.2, 0.6, 0.6, 0.7 x3, 0.9, 1.2; with ratio 0.5, rank round(9.0) = 9 gives
 * τ = 0.1, so N = 1, 2, 0 | 3, 1 (0.1 is not &gt; τ), 1.
 */
class HandComputedTest {

    static final List<String> LANGS = List.of("a", "b", "c");
    static final float[] P = {
        0.9f, 0f, 0f, 0.6f, 0.6f, 0f, 0f, 0f, 0f,
        0.7f, 0.7f, 0.7f, 0.2f, 0.1f, 0.1f, 1.2f, 0f, 0f,
    };
    static final double LN3 = Math.log(3);
    static final double NORM_MAX = (1 + 1 / 2.0 + 1 / 3.0) / 3;

    static ActivationProbabilities probabilities() {
        return ActivationProbabilities.of("hand", LANGS, 2, 3, P.clone());
    }

    /** Normalised entropy of q (already normalised), by the textbook formula in double. */
    static double hn(double... q) {
        double h = 0;
        for (double x : q) {
            h -= x * Math.log(Math.max(x, 1e-12));
        }
        return h / LN3;
    }

    @Test
    void scoresAreNormalisedEntropyMinusLambdaTimesPeakOverNormMax() {
        assertEquals(0.611111111111111, ZhangClassifier.normMax(3), 0.0); // Python: sum(1/k for k in 1..3) / 3
        double lambda = 0.1;
        float[] s = ZhangClassifier.prepare(probabilities(), 0.5, 0.5).scores(lambda);
        double c = lambda / NORM_MAX;
        double[] expected = {
            hn(1, 0, 0) - 0.9 * c, hn(0.5, 0.5, 0) - 0.6 * c, 1.0,      // all-zero neuron: uniform q, Hn = 1
            hn(1 / 3.0, 1 / 3.0, 1 / 3.0) - 0.7 * c, hn(0.5, 0.25, 0.25) - 0.2 * c, hn(1, 0, 0) - 1.2 * c,
        };
        for (int f = 0; f < 6; f++) {
            assertEquals(expected[f], s[f], 1e-6, "neuron " + f);
        }
        assertEquals(0.946395, hn(0.5, 0.25, 0.25), 1e-6); // guards the hand arithmetic in the class comment
    }

    @Test
    void zhangSelectionTauMasksAndTypes() {
        ZhangClassifier z = ZhangClassifier.prepare(probabilities(), 0.5, 0.5);
        assertEquals(3, z.k(), "k = round(6 * 0.5)");
        assertEquals(9, z.tauRank());
        assertEquals(0.1f, z.tau());
        NeuronTypesResult r = z.classify(0.1);
        // scores: -0.147, 0.533, 1 | 0.885, 0.914, -0.196 -> the 3 smallest are f = 5, 0, 1
        assertArrayEquals(new int[] {0, 1, 5}, r.selected());
        assertArrayEquals(new int[] {0, 1}, r.mask(0, 0));
        assertArrayEquals(new int[] {2}, r.mask(0, 1));
        assertArrayEquals(new int[] {1}, r.mask(1, 0));
        assertArrayEquals(new int[] {}, r.mask(1, 1));
        assertArrayEquals(new int[] {}, r.mask(2, 0));
        assertArrayEquals(new int[] {0, 2, 1, 0}, r.appear());
        assertArrayEquals(new int[] {3, 1, 0}, r.sizes());
        assertArrayEquals(new int[] {2, 0, 0}, r.specificPerLanguage());
        assertArrayEquals(new int[] {1, 1}, r.specificPerLayer());
        assertArrayEquals(new int[] {1, 0}, r.relatedPerLayer());
        assertArrayEquals(new int[] {0, 1}, r.generalPerLayer(), "layer 1 n0 is above tau everywhere, not selected");
        assertArrayEquals(new int[] {1, 3, 1, 1}, r.languageCountHistogram());
        assertEquals(0, r.selectedWithoutLanguage());
        assertEquals(hn(0.5, 0.5, 0) - 0.6 * 0.1 / NORM_MAX, r.kthScore(), 1e-6);
        assertEquals(hn(1 / 3.0, 1 / 3.0, 1 / 3.0) - 0.7 * 0.1 / NORM_MAX, r.nextScore(), 1e-6);
    }

    @Test
    void selectedNeuronWithNoLanguageAboveTauIsDroppedNotFiltered() {
        // K = 2, D = 4: n0 (0.05, 0) is peaked but low; sorted p = 0, 0, 0.05, 0.3, 0.3, 0.4, 0.5, 0.9 and
        // rank round(8 * 0.75) = 6 gives τ = 0.4. At λ = 0 the two peaked neurons n0, n1 have the lowest entropy.
        ActivationProbabilities p = ActivationProbabilities.of("drop", List.of("a", "b"), 1, 4,
                new float[] {0.05f, 0f, 0.9f, 0f, 0.4f, 0.5f, 0.3f, 0.3f});
        NeuronTypesResult r = ZhangClassifier.prepare(p, 0.5, 0.75).classify(0.0);
        assertEquals(0.4f, r.tau());
        assertArrayEquals(new int[] {0, 1}, r.selected());
        assertEquals(1, r.selectedWithoutLanguage(), "n0: no language above tau, in no mask");
        assertArrayEquals(new int[] {1}, r.mask(0, 0));
        assertArrayEquals(new int[] {}, r.mask(1, 0));
        assertArrayEquals(new int[] {0, 1, 0}, r.appear());
        assertArrayEquals(new int[] {2, 2, 0}, r.languageCountHistogram(), "N = 0, 1, 1 (b = 0.5 > 0.4), 0");
        // LAPE pre-filters n0 (+inf) and takes n2 instead
        NeuronTypesResult lape = Lape.classify(p, 0.5, 0.75);
        assertArrayEquals(new int[] {1, 2}, lape.selected());
        assertEquals(0, lape.selectedWithoutLanguage());
    }

    @Test
    void tiesAtTheSelectionBoundaryGoToTheLowerFlatIndex() {
        // three identical neurons (0.5, 0.1) and one peaked neuron; k = 2 takes the peaked one and the first tie
        ActivationProbabilities p = ActivationProbabilities.of("ties", List.of("a", "b"), 2, 2,
                new float[] {0.5f, 0.1f, 0.5f, 0.1f, 0.5f, 0.1f, 0.9f, 0f});
        ZhangClassifier z = ZhangClassifier.prepare(p, 0.5, 0.95);
        float[] s = z.scores(0.05);
        assertEquals(s[0], s[1]);
        assertEquals(s[1], s[2]);
        assertTrue(s[3] < s[0]);
        NeuronTypesResult r = z.classify(0.05);
        assertArrayEquals(new int[] {0, 3}, r.selected());
        assertEquals(r.kthScore(), r.nextScore(), "a tie straddles the boundary");
    }

    @Test
    void lapeUsesPureEntropyAndDiffersFromZhangAtTheBoundary() {
        // k = round(6 * 0.7) = 4. Zhang at λ = 0.1 takes layer 1 n0 (0.885 < 0.914),
        // LAPE takes layer 1 n1 (H = 1.040 < ln 3 = 1.099); the all-zero neuron is pre-filtered (+inf).
        ActivationProbabilities p = probabilities();
        NeuronTypesResult zhang = ZhangClassifier.prepare(p, 0.7, 0.5).classify(0.1);
        assertArrayEquals(new int[] {0, 1, 3, 5}, zhang.selected());
        assertArrayEquals(new int[] {0, 2, 1, 1}, zhang.appear());
        NeuronTypesResult lape = Lape.classify(p, 0.7, 0.5);
        assertEquals(Method.LAPE, lape.method());
        assertTrue(lape.lambda().isEmpty());
        assertArrayEquals(new int[] {0, 1, 4, 5}, lape.selected());
        assertArrayEquals(new int[] {0, 3, 1, 0}, lape.appear());
        assertArrayEquals(new int[] {0, 1}, lape.mask(0, 0));
        assertArrayEquals(new int[] {1, 2}, lape.mask(0, 1));
        assertArrayEquals(new int[] {1}, lape.mask(1, 0));
        float[] h = Lape.entropies(p, Threshold.of(p, 0.5));
        assertEquals(Float.POSITIVE_INFINITY, h[2]);
        assertEquals(0.0, h[0], 0.0);
        assertEquals(Math.log(2), h[1], 1e-6);
        assertEquals(LN3, h[3], 1e-6);
        assertEquals(hn(0.5, 0.25, 0.25) * LN3, h[4], 1e-6);
    }

    @Test
    void sweepWithThreeLanguagesTestsAppearAtIndexK() {
        // k = 4. Layer 1 n0 (N = K = 3) overtakes layer 1 n1 when 1 - 0.7x < 0.946395 - 0.2x, x = λ / norm_max,
        // i.e. at λ* = 0.065518: ok below, not ok above. The reference's hard-coded a[10] would never be ok here.
        ZhangClassifier z = ZhangClassifier.prepare(probabilities(), 0.7, 0.5);
        LambdaSweep.Result r = LambdaSweep.run(z, LambdaSweep.Settings.DEFAULT);
        // mid = (lo + hi) / 2 in double, as Python: (0.05 + 0.1) / 2 = 0.07500000000000001
        double[] lambdas = {0.0, 0.2, 0.1, 0.05, 0.07500000000000001, 0.0625, 0.06875, 0.065625, 0.0640625, 0.06484375};
        boolean[] ok = {true, false, false, true, false, true, false, false, true, true};
        assertEquals(lambdas.length, r.trajectory().size());
        for (int i = 0; i < lambdas.length; i++) {
            LambdaSweep.Step s = r.trajectory().get(i);
            assertEquals(lambdas[i], s.lambda(), 0.0);
            assertEquals(ok[i], s.ok(), "lambda " + s.lambda());
            assertEquals(ok[i] ? 0 : 1, s.appear()[3]);
        }
        assertEquals("lo", r.trajectory().get(0).label());
        assertEquals("8", r.trajectory().get(9).label());
        assertEquals(8, r.iterations());
        assertEquals(0.06484375, r.best().getAsDouble(), 0.0);
        NeuronTypesResult best = NeuronTypes.classify(probabilities(),
                NeuronTypes.Options.zhangAutosweep().withTopRate(0.7).withActivationBarRatio(0.5));
        assertEquals(0.06484375, best.lambda().getAsDouble(), 0.0);
        assertArrayEquals(new int[] {0, 1, 4, 5}, best.selected());
    }

    @Test
    void kUsesPythonRoundHalfToEven() {
        float[] p = new float[10 * 2];
        for (int i = 0; i < p.length; i++) {
            p[i] = (i % 7) / 7f;
        }
        ActivationProbabilities a = ActivationProbabilities.of("round", List.of("x", "y"), 1, 10, p);
        assertEquals(2, ZhangClassifier.prepare(a, 0.25, 0.95).k(), "round(2.5) = 2");
        assertEquals(4, ZhangClassifier.prepare(a, 0.35, 0.95).k(), "round(3.5) = 4");
        assertEquals(4, ZhangClassifier.prepare(a, 0.45, 0.95).k(), "round(4.5) = 4");
        assertEquals(19, ZhangClassifier.prepare(a, 0.5, 0.95).tauRank(), "round(20 * 0.95) = 19");
        assertEquals(18, ZhangClassifier.prepare(a, 0.5, 0.875).tauRank(), "round(17.5) = 18");
    }
}
