package io.linguaflow.analysis.neurontypes;

/**
 * The activation threshold τ and, per neuron, the number of languages above it. One τ serves all layers and
 * languages: the {@code round(L*D*K*ratio)}-th smallest (1-indexed) of all p values, i.e. torch
 * {@code p.flatten().kthvalue(r)} ("top 5%" for ratio 0.95; NJUNLP {@code identify.py} l.43-45, LAPE
 * {@code identify.py} l.30/l.49). N(f) = #{k : p[f,k] &gt; τ} with a strict float32 compare (paper: N_ij).
 */
final class Threshold {

    final double ratio;
    final int rank;
    final float tau;
    /** N per flat neuron f = l*D + n. */
    final int[] languagesAbove;

    private Threshold(double ratio, int rank, float tau, int[] languagesAbove) {
        this.ratio = ratio;
        this.rank = rank;
        this.tau = tau;
        this.languagesAbove = languagesAbove;
    }

    static Threshold of(ActivationProbabilities p, double activationBarRatio) {
        if (!(activationBarRatio > 0 && activationBarRatio <= 1)) {
            throw new IllegalArgumentException("activation bar ratio " + activationBarRatio + " outside (0, 1]");
        }
        float[] v = p.values();
        int rank = pythonRound((double) v.length * activationBarRatio);
        if (rank < 1) {
            throw new IllegalArgumentException("tau rank round(" + v.length + "*" + activationBarRatio + ") = 0; "
                    + "need at least one value below the bar");
        }
        float tau = Selection.kthValue(v, rank);
        int kk = p.languageCount();
        int[] n = new int[p.neuronCount()];
        for (int f = 0, i = 0; f < n.length; f++) {
            int c = 0;
            for (int k = 0; k < kk; k++, i++) {
                if (v[i] > tau) {
                    c++;
                }
            }
            n[f] = c;
        }
        return new Threshold(activationBarRatio, rank, tau, n);
    }

    /**
     * Python 3 {@code round(x)} of a double: to the nearest integer, halves to even (as the reference rounds its
     * counts). Callers pass x = count * rate with rate in (0, 1], so the result fits an int.
     */
    static int pythonRound(double x) {
        return (int) Math.rint(x);
    }
}
