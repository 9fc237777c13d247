package io.linguaflow.analysis.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LanguageProbeTest {

    static final List<String> LANGS = List.of("en", "fr", "zh");
    static final int DIM = 6;

    /** Per language 40 sentences of 4 tokens, Gaussian around the language's mean (unit variance), scaled by spread. */
    static LanguageProbe.Tokens gaussian(double separation, long seed, boolean shuffleLanguages) {
        SplittableRandom r = new SplittableRandom(seed);
        List<float[]> x = new ArrayList<>();
        List<String> y = new ArrayList<>();
        List<Integer> s = new ArrayList<>();
        int sentence = 0;
        for (int l = 0; l < LANGS.size(); l++) {
            for (int i = 0; i < 40; i++, sentence++) {
                String label = shuffleLanguages ? LANGS.get(r.nextInt(LANGS.size())) : LANGS.get(l);
                for (int t = 0; t < 4; t++) {
                    float[] v = new float[DIM];
                    for (int j = 0; j < DIM; j++) {
                        v[j] = (float) (r.nextGaussian() + (j == l ? separation : 0) + 3.0 * j); // offsets: standardising matters
                    }
                    x.add(v);
                    y.add(label);
                    s.add(sentence);
                }
            }
        }
        return new LanguageProbe.Tokens(x.toArray(new float[0][]), y, s.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void separableLanguagesAreIdentifiedPerfectly() {
        LanguageProbe.LayerResult r = LanguageProbe.crossValidate(0, gaussian(12, 1, false), LanguageProbe.Options.DEFAULTS, "fixture");
        assertEquals(15, r.folds().size());
        r.folds().forEach(f -> assertEquals(1.0, f.accuracy(), "seed " + f.seed() + " fold " + f.fold()));
        assertEquals(1.0, r.accuracyMean());
        assertEquals(0.0, r.accuracyStd());
    }

    /**
     * A second, independent implementation on the same folds: full-batch gradient descent on the multinomial
     * log-loss (softmax regression, 2000 steps), with the same standardisation. Where the classes overlap
     * (Bayes accuracy ~0.8) the two may disagree only on tokens near the boundary.
     */
    @Test
    void foldAccuraciesAgreeWithAnIndependentSoftmaxRegression() {
        LanguageProbe.Tokens t = gaussian(2.0, 2, false);
        LanguageProbe.Options o = LanguageProbe.Options.DEFAULTS;
        LanguageProbe.LayerResult r = LanguageProbe.crossValidate(3, t, o, "fixture");
        int i = 0;
        double meanOracle = 0;
        for (long seed : o.seeds()) {
            Map<Integer, Integer> foldOf = LanguageProbe.foldOfSentence(t, o.folds(), seed, "fixture");
            for (int f = 0; f < o.folds(); f++) {
                List<Integer> train = new ArrayList<>();
                List<Integer> test = new ArrayList<>();
                for (int n = 0; n < t.features().length; n++) {
                    (foldOf.get(t.sentences()[n]) == f ? test : train).add(n);
                }
                LanguageProbe.Fold fold = r.folds().get(i++);
                assertEquals(test.size(), fold.testTokens());
                double gd = softmaxRegressionAccuracy(t, train, test);
                double oracle = nearestTrueMeanAccuracy(t, test);
                meanOracle += oracle / 15;
                assertEquals(gd, fold.accuracy(), 0.06, "seed " + seed + " fold " + f);
                assertTrue(fold.accuracy() > 0.6 && fold.accuracy() < 0.97, "fold accuracy " + fold.accuracy());
            }
        }
        assertEquals(meanOracle, r.accuracyMean(), 0.03);
    }

    @Test
    void languagesDrawnAtRandomGiveChanceAccuracy() {
        LanguageProbe.LayerResult r = LanguageProbe.crossValidate(0, gaussian(6, 3, true), LanguageProbe.Options.DEFAULTS, "fixture");
        assertTrue(r.accuracyMean() > 0.2 && r.accuracyMean() < 0.47, "accuracy " + r.accuracyMean());
    }

    @Test
    void aLanguageWithFewerSentencesThanFoldsIsNamed() {
        LanguageProbe.Tokens t = gaussian(2, 4, false);
        var o = new LanguageProbe.Options(41, List.of(1L), 1, 1.0, true);
        var e = assertThrows(IllegalArgumentException.class, () -> LanguageProbe.crossValidate(0, t, o, "C.tsv"));
        assertTrue(e.getMessage().contains("C.tsv") && e.getMessage().contains("'en'") && e.getMessage().contains("41"),
                e.getMessage());
    }

    private static double softmaxRegressionAccuracy(LanguageProbe.Tokens t, List<Integer> train, List<Integer> test) {
        int k = LANGS.size();
        double[] mean = new double[DIM];
        double[] sd = new double[DIM];
        for (int n : train) {
            for (int j = 0; j < DIM; j++) {
                mean[j] += t.features()[n][j] / train.size();
            }
        }
        for (int n : train) {
            for (int j = 0; j < DIM; j++) {
                sd[j] += Math.pow(t.features()[n][j] - mean[j], 2) / train.size();
            }
        }
        for (int j = 0; j < DIM; j++) {
            sd[j] = Math.sqrt(sd[j]);
        }
        double[][] w = new double[k][DIM + 1];
        for (int step = 0; step < 2000; step++) {
            double[][] grad = new double[k][DIM + 1];
            for (int n : train) {
                double[] x = standardised(t.features()[n], mean, sd);
                double[] p = softmax(w, x);
                int y = LANGS.indexOf(t.languages().get(n));
                for (int c = 0; c < k; c++) {
                    double g = p[c] - (c == y ? 1 : 0);
                    for (int j = 0; j <= DIM; j++) {
                        grad[c][j] += g * x[j] / train.size();
                    }
                }
            }
            for (int c = 0; c < k; c++) {
                for (int j = 0; j <= DIM; j++) {
                    w[c][j] -= 0.5 * grad[c][j];
                }
            }
        }
        int ok = 0;
        for (int n : test) {
            double[] p = softmax(w, standardised(t.features()[n], mean, sd));
            int best = 0;
            for (int c = 1; c < k; c++) {
                best = p[c] > p[best] ? c : best;
            }
            ok += LANGS.get(best).equals(t.languages().get(n)) ? 1 : 0;
        }
        return (double) ok / test.size();
    }

    private static double[] standardised(float[] f, double[] mean, double[] sd) {
        double[] x = new double[DIM + 1];
        for (int j = 0; j < DIM; j++) {
            x[j] = (f[j] - mean[j]) / sd[j];
        }
        x[DIM] = 1; // bias
        return x;
    }

    private static double[] softmax(double[][] w, double[] x) {
        double[] z = new double[w.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < w.length; c++) {
            for (int j = 0; j < x.length; j++) {
                z[c] += w[c][j] * x[j];
            }
            max = Math.max(max, z[c]);
        }
        double sum = 0;
        for (int c = 0; c < w.length; c++) {
            z[c] = Math.exp(z[c] - max);
            sum += z[c];
        }
        for (int c = 0; c < w.length; c++) {
            z[c] /= sum;
        }
        return z;
    }

    /** The Bayes rule of the fixture (equal isotropic covariances): the nearest true language mean. */
    private static double nearestTrueMeanAccuracy(LanguageProbe.Tokens t, List<Integer> test) {
        int ok = 0;
        for (int n : test) {
            float[] v = t.features()[n];
            int best = 0;
            for (int l = 1; l < LANGS.size(); l++) {
                best = (v[l] - 3.0 * l) > (v[best] - 3.0 * best) ? l : best; // largest coordinate along its own axis
            }
            ok += LANGS.get(best).equals(t.languages().get(n)) ? 1 : 0;
        }
        return (double) ok / test.size();
    }
}
