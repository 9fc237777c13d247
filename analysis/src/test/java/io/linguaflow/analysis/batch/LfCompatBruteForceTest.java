package io.linguaflow.analysis.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.linguaflow.analysis.compat.LfCompat;
import io.linguaflow.analysis.corpus.Corpus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: lf-compat results equal a literal port of the authors' block computation (run.py
 * show_cos_sim / similarity_by_block / rearrange_by_meaning / find_max_average_neurons) on random
 * complete corpora whose rows arrive in random order.
 */
class LfCompatBruteForceTest {

    private static final double TOL = 1e-9;

    static Stream<Long> seeds() {
        return LongStream.rangeClosed(1, 12).boxed();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void compatScoresEqualTheAuthorsBlockAlgorithm(long seed) throws IOException {
        Random rnd = new Random(seed);
        List<String> pool = new ArrayList<>(List.of("en", "zh", "fr", "xx", "es", "yy", "pt", "ar"));
        Collections.shuffle(pool, rnd);
        List<String> languages = pool.subList(0, 2 + rnd.nextInt(6));
        int s = 2 + rnd.nextInt(12);
        int layers = 1 + rnd.nextInt(3);
        int d = 1 + rnd.nextInt(5);
        List<String> ids = new ArrayList<>();
        List<String> langs = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        for (String l : languages) {
            double[] ld = gaussian(rnd, layers * d);
            for (int m = 0; m < s; m++) {
                double[] v = gaussian(rnd, layers * d);
                for (int k = 0; k < v.length; k++) {
                    v[k] = 3 + ld[k] + 0.5 * v[k] + 0.3 * Math.sin(m * (k + 1));
                }
                ids.add(String.format("s%02d", m));
                langs.add(l);
                rows.add(v);
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, rnd);
        double[][] shuffled = new double[rows.size()][];
        List<String> sIds = new ArrayList<>();
        List<String> sLangs = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            shuffled[i] = rows.get(order.get(i));
            sIds.add(ids.get(order.get(i)));
            sLangs.add(langs.get(order.get(i)));
        }
        Corpus corpus = Corpus.of(sIds, sLangs);
        AnalysisResult r = Analyzer.analyze(new ArrayVectors(shuffled, layers), corpus, new AnalysisOptions(2, true, null));

        // the authors' `outputs`: language-major in their order, meanings in corpus order of first appearance
        List<String> lfOrder = LfCompat.languageOrder(corpus.languages(), null);
        List<String> meanings = corpus.meanings();
        double[][] outputs = new double[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            outputs[lfOrder.indexOf(sLangs.get(i)) * s + meanings.indexOf(sIds.get(i))] = shuffled[i];
        }
        int n = languages.size();
        assertEquals(showCosSim(outputs, 0, layers * d, s), r.compat().lrds().score(), TOL);
        assertEquals(showCosSim(rearrange(outputs, s + 1), 0, layers * d, n), r.compat().sadsReleased().score(), TOL);
        assertEquals(showCosSim(rearrange(outputs, s), 0, layers * d, n), r.compat().sadsIntended().score(), TOL);
        for (int m = 0; m < layers; m++) {
            LfCompatResult.Layer l = r.compat().perLayer().get(m);
            assertEquals(showCosSim(outputs, m * d, d, s), l.lrds().score(), TOL);
            assertEquals(showCosSim(rearrange(outputs, s + 1), m * d, d, n), l.sadsReleased().score(), TOL);
            assertEquals(showCosSim(rearrange(outputs, LfCompat.DEFAULT_SAMPLE_NUM + 1), m * d, d, n),
                    l.sadsReleasedMainCall().score(), TOL);
            assertEquals(showCosSim(rearrange(outputs, s), m * d, d, n), l.sadsIntended().score(), TOL);
        }
        for (int li = 0; li < n; li++) {
            double[] expected = findMaxAverageNeurons(outputs, li * s, (li + 1) * s);
            int l = r.languages().indexOf(lfOrder.get(li));
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], r.scores()[l][k], TOL * Math.abs(expected[k]));
            }
        }
    }

    private static double[] gaussian(Random rnd, int k) {
        double[] v = new double[k];
        for (int i = 0; i < k; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }

    /** rearrange_by_meaning: for i in range(stride): for j in range(i, n, stride): append(row j). */
    private static double[][] rearrange(double[][] rows, int stride) {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < stride; i++) {
            for (int j = i; j < rows.length; j += stride) {
                out.add(rows[j]);
            }
        }
        return out.toArray(new double[0][]);
    }

    /** show_cos_sim on columns [from, from+width): cosine matrix, masked b×b block means, diag mean − off-diag mean. */
    private static double showCosSim(double[][] rows, int from, int width, int b) {
        int n = rows.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0, ni = 0, nj = 0;
                for (int k = from; k < from + width; k++) {
                    dot += rows[i][k] * rows[j][k];
                    ni += rows[i][k] * rows[i][k];
                    nj += rows[j][k] * rows[j][k];
                }
                c[i][j] = dot / Math.sqrt(ni * nj);
            }
        }
        int blocks = n / b;
        double diag = 0, off = 0;
        for (int bi = 0; bi < blocks; bi++) {
            for (int bj = 0; bj < blocks; bj++) {
                double sum = 0;
                for (int p = 0; p < b; p++) {
                    for (int q = 0; q < b; q++) {
                        if (p != q) {
                            sum += c[bi * b + p][bj * b + q];
                        }
                    }
                }
                double mean = sum / (b * b - b);
                if (bi == bj) {
                    diag += mean;
                } else {
                    off += mean;
                }
            }
        }
        return diag / blocks - off / (blocks * (blocks - 1.0));
    }

    /** find_max_average_neurons: a = x/‖x‖ + 1e-5, mean of aᵢaⱼ over the P pairs i&lt;j, divided by P again. */
    private static double[] findMaxAverageNeurons(double[][] rows, int from, int to) {
        int k = rows[0].length;
        List<double[]> a = new ArrayList<>();
        for (int i = from; i < to; i++) {
            double norm = 0;
            for (double x : rows[i]) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            double[] v = new double[k];
            for (int x = 0; x < k; x++) {
                v[x] = rows[i][x] / norm + 10e-6;
            }
            a.add(v);
        }
        double[] sum = new double[k];
        int pairs = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = i + 1; j < a.size(); j++) {
                for (int x = 0; x < k; x++) {
                    sum[x] += a.get(i)[x] * a.get(j)[x];
                }
                pairs++;
            }
        }
        for (int x = 0; x < k; x++) {
            sum[x] = sum[x] / pairs / pairs;
        }
        return sum;
    }
}
