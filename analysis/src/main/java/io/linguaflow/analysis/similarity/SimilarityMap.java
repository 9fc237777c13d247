package io.linguaflow.analysis.similarity;

import io.linguaflow.analysis.batch.ModelNorms;
import io.linguaflow.analysis.batch.VectorSource;
import io.linguaflow.analysis.corpus.Corpus;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The N×N similarity map S_ij = aᵢ·aⱼ (Zeng et al. 2025 §3.1; ARCHITECTURE §3), accumulated layer by layer
 * as Σ_m h̄ᵢᵐ·h̄ⱼᵐ / (‖h̄ᵢ‖‖h̄ⱼ‖), so only one layer block [N, D] is held at a time, plus the block means
 * by language and by meaning. This is the brute-force O(N²·M·D) object the incremental metrics avoid;
 * it exists for plots and checks.
 */
public final class SimilarityMap {

    private final double[][] s;

    private SimilarityMap(double[][] s) {
        this.s = s;
    }

    /** Whole-model map of all rows of {@code vectors}. */
    public static SimilarityMap wholeModel(VectorSource vectors) throws IOException {
        double[] norms = ModelNorms.of(vectors, null);
        int n = vectors.samples();
        double[][] s = new double[n][n];
        double[][] block = new double[n][];
        for (int m = 0; m < vectors.layers(); m++) {
            for (int i = 0; i < n; i++) {
                double[] v = vectors.slice(i, m);
                for (int k = 0; k < v.length; k++) {
                    v[k] /= norms[i];
                }
                block[i] = v;
            }
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    s[i][j] += dot(block[i], block[j]);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                s[i][j] = s[j][i];
            }
        }
        return new SimilarityMap(s);
    }

    /** Dot product with four accumulators (the JIT cannot reorder a single float64 reduction). */
    public static double dot(double[] a, double[] b) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 3 < a.length; k += 4) {
            s0 += a[k] * b[k];
            s1 += a[k + 1] * b[k + 1];
            s2 += a[k + 2] * b[k + 2];
            s3 += a[k + 3] * b[k + 3];
        }
        for (; k < a.length; k++) {
            s0 += a[k] * b[k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    public int size() {
        return s.length;
    }

    public double get(int i, int j) {
        return s[i][j];
    }

    /** Row-major copy, for writing as .npy. */
    public double[] flatten() {
        int n = s.length;
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(s[i], 0, out, i * n, n);
        }
        return out;
    }

    /**
     * L×L block means: B[l][l'] = mean S_ij over i ≠ j with lang(i) = l, lang(j) = l' and different meanings
     * (the authors' masked blocks; the diagonal holds the SL mean per language). NaN where no pair exists.
     */
    public double[][] blockMeansByLanguage(Corpus corpus) {
        return blockMeans(corpus, corpus.languages(), true);
    }

    /**
     * S×S block means: B[s][s'] = mean S_ij over i ≠ j with meaning(i) = s, meaning(j) = s' and different
     * languages (the diagonal holds the SM mean per meaning). NaN where no pair exists.
     */
    public double[][] blockMeansByMeaning(Corpus corpus) {
        return blockMeans(corpus, corpus.meanings(), false);
    }

    private double[][] blockMeans(Corpus corpus, List<String> groups, boolean byLanguage) {
        if (corpus.size() != s.length) {
            throw new IllegalArgumentException(corpus.source() + " has " + corpus.size() + " samples, the map has " + s.length);
        }
        int g = groups.size();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < g; i++) {
            index.put(groups.get(i), i);
        }
        double[][] sum = new double[g][g];
        long[][] count = new long[g][g];
        for (int i = 0; i < s.length; i++) {
            Corpus.Row a = corpus.row(i);
            int gi = index.get(byLanguage ? a.lang() : a.id());
            for (int j = 0; j < s.length; j++) {
                Corpus.Row b = corpus.row(j);
                boolean excluded = byLanguage ? a.id().equals(b.id()) : a.lang().equals(b.lang());
                if (i != j && !excluded) {
                    int gj = index.get(byLanguage ? b.lang() : b.id());
                    sum[gi][gj] += s[i][j];
                    count[gi][gj]++;
                }
            }
        }
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < g; j++) {
                sum[i][j] = count[i][j] == 0 ? Double.NaN : sum[i][j] / count[i][j];
            }
        }
        return sum;
    }
}
