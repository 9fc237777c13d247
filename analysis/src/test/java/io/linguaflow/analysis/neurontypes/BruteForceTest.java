package io.linguaflow.analysis.neurontypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Random count-derived probabilities (few distinct values, so scores and p tie a lot; some neurons all zero,
 * some firing on (almost) every token, so that large λ selects all-language neurons)
 * against a straightforward re-implementation of the reference steps: full sort for τ, boxed sort for top-k,
 * masks as sets, appear by counting ids across the masks ({@code appear_distribution}), the autosweep loop.
 */
class BruteForceTest {

    record Case(ActivationProbabilities p, double topRate, double ratio) {
    }

    static Case randomCase(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int layers = 1 + rnd.nextInt(4);
        int d = 20 + rnd.nextInt(60);
        int kk = 2 + rnd.nextInt(9);
        List<String> langs = IntStream.range(0, kk).mapToObj(i -> "l" + i).toList();
        long[][] counts = new long[kk][layers * d];
        long[] tokens = new long[kk];
        for (int k = 0; k < kk; k++) {
            tokens[k] = 10 + rnd.nextInt(50);
            for (int f = 0; f < layers * d; f++) {
                counts[k][f] = f % 11 == 3 ? 0                                      // never fires
                        : f % 7 == 2 ? tokens[k] - rnd.nextLong(Math.min(2, tokens[k]))  // fires (almost) always
                        : rnd.nextLong(tokens[k] / 2 + 1);
            }
        }
        ActivationProbabilities p = ActivationProbabilities.fromCounts("random " + seed, langs, layers, d, counts, tokens);
        return new Case(p, 0.05 + rnd.nextDouble() * 0.3, 0.5 + rnd.nextDouble() * 0.45);
    }

    static int pythonRound(double x) {
        return new BigDecimal(x).setScale(0, RoundingMode.HALF_EVEN).intValueExact();
    }

    /** What the reference computes at one λ, the slow way. */
    static final class Expected {
        float tau;
        int[] selected;
        List<List<TreeSet<Integer>>> masks = new ArrayList<>();
        int[] appear;
        int[] specific;
        int[] related;
        int[] general;

        Expected(Case c, float[] scores) {
            ActivationProbabilities p = c.p();
            int kk = p.languageCount();
            int d = p.neuronsPerLayer();
            int m = p.neuronCount();
            float[] all = p.toArray();
            float[] sorted = all.clone();
            Arrays.sort(sorted);
            tau = sorted[pythonRound((double) all.length * c.ratio()) - 1];
            int k = pythonRound((double) m * c.topRate());
            Integer[] order = IntStream.range(0, m).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.<Integer>comparingDouble(f -> scores[f]).thenComparingInt(f -> f));
            selected = Arrays.stream(order, 0, k).mapToInt(Integer::intValue).sorted().toArray();
            for (int lang = 0; lang < kk; lang++) {
                List<TreeSet<Integer>> perLayer = new ArrayList<>();
                for (int l = 0; l < p.layers(); l++) {
                    perLayer.add(new TreeSet<>());
                }
                for (int f : selected) {
                    if (p.get(f, lang) > tau) {
                        perLayer.get(f / d).add(f % d);
                    }
                }
                masks.add(perLayer);
            }
            Map<Integer, Integer> occurrences = new HashMap<>();
            for (List<TreeSet<Integer>> perLayer : masks) {
                for (int l = 0; l < perLayer.size(); l++) {
                    for (int n : perLayer.get(l)) {
                        occurrences.merge(l * d + n, 1, Integer::sum);
                    }
                }
            }
            appear = new int[kk + 1];
            specific = new int[p.layers()];
            related = new int[p.layers()];
            occurrences.forEach((f, c2) -> {
                appear[c2]++;
                if (c2 == 1) {
                    specific[f / d]++;
                } else if (c2 < kk) {
                    related[f / d]++;
                }
            });
            general = new int[p.layers()];
            for (int f = 0; f < m; f++) {
                int above = 0;
                for (int lang = 0; lang < kk; lang++) {
                    above += p.get(f, lang) > tau ? 1 : 0;
                }
                general[f / d] += above == kk ? 1 : 0;
            }
        }

        void check(NeuronTypesResult r, String what) {
            assertEquals(tau, r.tau(), what);
            assertArrayEquals(selected, r.selected(), what);
            for (int lang = 0; lang < masks.size(); lang++) {
                for (int l = 0; l < masks.get(lang).size(); l++) {
                    int[] ids = masks.get(lang).get(l).stream().mapToInt(Integer::intValue).toArray();
                    assertArrayEquals(ids, r.mask(lang, l), what + " mask " + lang + " layer " + l);
                }
            }
            assertArrayEquals(appear, r.appear(), what);
            assertArrayEquals(specific, r.specificPerLayer(), what);
            assertArrayEquals(related, r.relatedPerLayer(), what);
            assertArrayEquals(general, r.generalPerLayer(), what);
        }
    }

    @Test
    void zhangAtSeveralLambdasMatchesTheSlowReference() {
        for (long seed = 1; seed <= 40; seed++) {
            Case c = randomCase(seed);
            ZhangClassifier z = ZhangClassifier.prepare(c.p(), c.topRate(), c.ratio());
            for (double lambda : new double[] {0.0, 0.05, 0.13, 0.2, 1.0}) {
                new Expected(c, z.scores(lambda)).check(z.classify(lambda), "seed " + seed + " lambda " + lambda);
            }
        }
    }

    @Test
    void lapeMatchesTheSlowReference() {
        int compared = 0;
        for (long seed = 100; seed <= 140; seed++) {
            Case c = randomCase(seed);
            ActivationProbabilities p = c.p();
            int kk = p.languageCount();
            float[] all = p.toArray();
            float[] sorted = all.clone();
            Arrays.sort(sorted);
            float tau = sorted[pythonRound((double) all.length * c.ratio()) - 1];
            float[] entropy = new float[p.neuronCount()];
            int candidates = 0;
            for (int f = 0; f < entropy.length; f++) {
                double s = 0;
                boolean any = false;
                for (int k = 0; k < kk; k++) {
                    s += p.get(f, k);
                    any |= p.get(f, k) > tau;
                }
                double h = 0;
                for (int k = 0; k < kk; k++) {
                    double q = p.get(f, k) / s;
                    h -= q > 0 ? q * Math.log(q) : 0;
                }
                entropy[f] = any ? (float) h : Float.POSITIVE_INFINITY;
                candidates += any ? 1 : 0;
            }
            int k = pythonRound((double) p.neuronCount() * c.topRate());
            NeuronTypesResult r = Lape.classify(p, c.topRate(), c.ratio());
            float[] mine = Lape.entropies(p, Threshold.of(p, c.ratio()));
            for (int f = 0; f < entropy.length; f++) {
                assertEquals(entropy[f], mine[f], 1e-6, "seed " + seed + " neuron " + f);
            }
            // equal entropies in float32 may differ by rounding between the two paths; compare the selection
            // only where the slow path has no near-tie at the boundary
            float[] sortedH = entropy.clone();
            Arrays.sort(sortedH);
            if (k < sortedH.length && sortedH[k] - sortedH[k - 1] > 1e-5) {
                new Expected(c, entropy).check(r, "LAPE seed " + seed);
                compared++;
            }
            assertEquals(Math.max(0, k - candidates), r.selectedWithoutLanguage(), "only +inf neurons can lack a language");
        }
        assertEquals(true, compared >= 10, "only " + compared + " LAPE selections compared");
    }

    @Test
    void autosweepMatchesTheReferenceLoop() {
        int found = 0;
        int notOk = 0;
        for (long seed = 200; seed <= 230; seed++) {
            Case c = randomCase(seed);
            ZhangClassifier z = ZhangClassifier.prepare(c.p(), c.topRate(), c.ratio());
            int kk = c.p().languageCount();
            LambdaSweep.Settings settings = new LambdaSweep.Settings(0.0, 2.0, 1e-3, 64);
            LambdaSweep.Result r = LambdaSweep.run(z, settings);
            List<Double> lambdas = new ArrayList<>();
            double lo = 0.0;
            double hi = 2.0;
            Double best = null;
            List<Boolean> oks = new ArrayList<>();
            for (double l : new double[] {lo, hi}) {
                boolean ok = new Expected(c, z.scores(l)).appear[kk] == 0;
                lambdas.add(l);
                oks.add(ok);
                best = ok ? (Double) l : best;
            }
            int it = 0;
            while (hi - lo > 1e-3 && it < 64) {
                it++;
                double mid = (lo + hi) / 2.0;
                boolean ok = new Expected(c, z.scores(mid)).appear[kk] == 0;
                lambdas.add(mid);
                oks.add(ok);
                if (ok) {
                    best = mid;
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            assertEquals(lambdas, r.trajectory().stream().map(LambdaSweep.Step::lambda).toList(), "seed " + seed);
            assertEquals(oks, r.trajectory().stream().map(LambdaSweep.Step::ok).toList(), "seed " + seed);
            assertEquals(it, r.iterations());
            assertEquals(best == null, r.best().isEmpty(), "seed " + seed);
            if (best != null) {
                assertEquals(best, r.best().getAsDouble(), 0.0);
                found++;
            }
            notOk += oks.contains(false) ? 1 : 0;
        }
        System.out.println("brute-force sweeps: " + found + " of 31 found a lambda, " + notOk + " had a rejected lambda");
        assertEquals(true, found >= 5 && notOk >= 5, found + " sweeps found a lambda, " + notOk + " rejected one");
    }
}
