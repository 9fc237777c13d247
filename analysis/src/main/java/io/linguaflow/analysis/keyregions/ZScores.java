package io.linguaflow.analysis.keyregions;

/**
 * z_l(k) = (C_l(k) − μ_k) / σ_k across the L languages, population σ (Zeng et al. 2025 §3.3; docs/math.md §4).
 * Where σ_k = 0 the score is undefined; it is reported as 0, so such a neuron is never selected (the
 * authors' numpy gives NaN, which is never selected either).
 */
public final class ZScores {

    private ZScores() {
    }

    /** z[l][k] for scores[l][k] (L languages, one layer's or the whole model's neurons). */
    public static double[][] of(double[][] scores) {
        int languages = scores.length;
        int neurons = scores[0].length;
        double[][] z = new double[languages][neurons];
        for (int k = 0; k < neurons; k++) {
            double mean = 0;
            for (double[] s : scores) {
                mean += s[k];
            }
            mean /= languages;
            double var = 0;
            for (double[] s : scores) {
                double d = s[k] - mean;
                var += d * d;
            }
            double sigma = Math.sqrt(var / languages);
            for (int l = 0; l < languages; l++) {
                z[l][k] = sigma > 0 ? (scores[l][k] - mean) / sigma : 0.0;
            }
        }
        return z;
    }

    /**
     * The largest z any language can reach with population σ: √(L−1) (Samuelson's inequality; reached
     * when one language differs and the other L−1 are equal). (L−1)/√L, often quoted, is the
     * bound for the sample σ (ddof 1); both put the first reachable L for threshold 2 at 6.
     */
    public static double maxReachable(int languages) {
        return Math.sqrt(languages - 1.0);
    }
}
