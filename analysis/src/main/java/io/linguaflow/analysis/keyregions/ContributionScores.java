package io.linguaflow.analysis.keyregions;

import io.linguaflow.analysis.compat.LfCompat;
import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.analysis.stats.Normalisation;

/**
 * Per-neuron contribution of one language to its mean intra-language similarity, from the language's
 * {@link GroupSums} in one layer (whole-model normalisation). Two variants: the corrected definition and
 * the authors' released arithmetic.
 */
public final class ContributionScores {

    private ContributionScores() {
    }

    /**
     * C_l(k) = [(Σ_{i∈l} aᵢ(k))² − Σ_{i∈l} aᵢ(k)²] / (n_l(n_l−1)): neuron k's share of the mean similarity
     * over the pairs of language l (Zeng et al. 2025 §3.3 with the 2/(n(n−1)) of S̄_l; docs/math.md §4).
     * With equal n_l this is the paper's Σ_{i&lt;j} aᵢ(k)aⱼ(k) divided by the common pair count P_l = n_l(n_l−1)/2.
     */
    public static double[] meanOverPairs(GroupSums language) {
        long n = requirePairs(language);
        double[] u = language.sum(Normalisation.MODEL);
        double[] q = language.squaresModel();
        double pairs = (double) n * (n - 1);
        double[] c = new double[u.length];
        for (int k = 0; k < c.length; k++) {
            c[k] = (u[k] * u[k] - q[k]) / pairs;
        }
        return c;
    }

    /**
     * The authors' score (run.py find_max_average_neurons, IMPLEMENTATION-NOTES §1.6): with a = x̂ + ε,
     * s_l(k) = Σ_{i&lt;j} aᵢ(k)aⱼ(k) / P² = ((Σa)² − Σa²) / (2P²), P = n(n−1)/2. The ε-shifted sums follow
     * exactly from the stored ones: Σ(a+ε) = Σa + nε, Σ(a+ε)² = Σa² + 2εΣa + nε².
     */
    public static double[] lfCompat(GroupSums language) {
        long n = requirePairs(language);
        double eps = LfCompat.EPSILON;
        double[] u = language.sum(Normalisation.MODEL);
        double[] q = language.squaresModel();
        double p = (double) n * (n - 1) / 2;
        double denominator = 2 * p * p;
        double[] s = new double[u.length];
        for (int k = 0; k < s.length; k++) {
            double sum = u[k] + n * eps;
            double squares = q[k] + 2 * eps * u[k] + n * eps * eps;
            s[k] = (sum * sum - squares) / denominator;
        }
        return s;
    }

    private static long requirePairs(GroupSums language) {
        long n = language.count();
        if (n < 2) {
            throw new IllegalArgumentException("a language with " + n
                    + " sample(s) has no pairs: its contribution score C_l(k) needs at least 2 samples");
        }
        return n;
    }
}
