package io.linguaflow.analysis.stats;

import io.linguaflow.analysis.compat.LfCompat;
import java.util.List;

/**
 * The definitions computed the slow way, straight from the pairs, for property tests: O(N²) similarities
 * and O(n_l²) per-neuron pair sums, no sufficient statistics.
 */
final class BruteForce {

    record Sample(String lang, String meaning, double[] raw) {
    }

    /** Class means: [meanSL, meanSM, meanDD]. */
    static double[] classMeans(List<Sample> samples, int layers, int layer) {
        double[][] a = normalised(samples, layers, layer);
        double sl = 0, sm = 0, dd = 0;
        long nsl = 0, nsm = 0, ndd = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                if (i == j) {
                    continue;
                }
                double s = 0;
                for (int k = 0; k < a[i].length; k++) {
                    s += a[i][k] * a[j][k];
                }
                boolean sameLang = samples.get(i).lang().equals(samples.get(j).lang());
                boolean sameMeaning = samples.get(i).meaning().equals(samples.get(j).meaning());
                if (sameLang && !sameMeaning) {
                    sl += s;
                    nsl++;
                } else if (!sameLang && sameMeaning) {
                    sm += s;
                    nsm++;
                } else if (!sameLang) {
                    dd += s;
                    ndd++;
                }
            }
        }
        return new double[] {sl / nsl, sm / nsm, dd / ndd};
    }

    /**
     * Whole-model normalised vectors (layer = -1) or the per-layer normalised slice of one layer.
     */
    static double[][] normalised(List<Sample> samples, int layers, int layer) {
        double[][] a = new double[samples.size()][];
        for (int i = 0; i < a.length; i++) {
            double[] raw = samples.get(i).raw();
            int d = raw.length / layers;
            double[] v = layer < 0 ? raw.clone() : java.util.Arrays.copyOfRange(raw, layer * d, (layer + 1) * d);
            double n = 0;
            for (double x : v) {
                n += x * x;
            }
            n = Math.sqrt(n);
            for (int k = 0; k < v.length; k++) {
                v[k] /= n;
            }
            a[i] = v;
        }
        return a;
    }

    /** [L][M·D] scores by direct pair sums: C_l(k) = mean over ordered pairs, or the authors' ε score. */
    static double[][] scores(List<Sample> samples, int layers, List<String> languages, boolean lfCompat) {
        double[][] a = normalised(samples, layers, -1);
        int k = a[0].length;
        double[][] c = new double[languages.size()][k];
        for (int l = 0; l < languages.size(); l++) {
            String lang = languages.get(l);
            long n = samples.stream().filter(s -> s.lang().equals(lang)).count();
            for (int i = 0; i < a.length; i++) {
                for (int j = i + 1; j < a.length; j++) {
                    if (!samples.get(i).lang().equals(lang) || !samples.get(j).lang().equals(lang)) {
                        continue;
                    }
                    for (int x = 0; x < k; x++) {
                        c[l][x] += lfCompat ? (a[i][x] + LfCompat.EPSILON) * (a[j][x] + LfCompat.EPSILON) : a[i][x] * a[j][x];
                    }
                }
            }
            double pairs = n * (n - 1) / 2.0;
            for (int x = 0; x < k; x++) {
                c[l][x] = lfCompat ? c[l][x] / (pairs * pairs) : c[l][x] / pairs;
            }
        }
        return c;
    }

    /** Population z-scores per neuron across languages; 0 where σ = 0. */
    static double[][] z(double[][] c) {
        double[][] z = new double[c.length][c[0].length];
        for (int k = 0; k < c[0].length; k++) {
            double mean = 0;
            for (double[] row : c) {
                mean += row[k];
            }
            mean /= c.length;
            double var = 0;
            for (double[] row : c) {
                var += (row[k] - mean) * (row[k] - mean);
            }
            double sd = Math.sqrt(var / c.length);
            for (int l = 0; l < c.length; l++) {
                z[l][k] = sd > 0 ? (c[l][k] - mean) / sd : 0;
            }
        }
        return z;
    }

    private BruteForce() {
    }
}
