package io.linguaflow.analysis.stats;

/**
 * One sample's pooled activation in one layer, as an activation record carries it: the raw mean-pooled
 * vector h̄ᵐ, its norm ‖h̄ᵐ‖, and the sample's whole-model norm ‖[h̄¹|…|h̄ᴹ]‖. Optionally the per-neuron
 * number of tokens with a positive activation and the token count (for neuron types).
 *
 * @param values         h̄ᵐ, D values (not normalised)
 * @param layerNorm      ‖h̄ᵐ‖
 * @param modelNorm      ‖[h̄¹|…|h̄ᴹ]‖ of the same sample
 * @param positiveCounts per neuron, tokens with activation &gt; 0; null when not measured
 * @param tokenCount     tokens of the sample (0 when {@code positiveCounts} is null)
 */
public record LayerVector(double[] values, double layerNorm, double modelNorm, int[] positiveCounts, long tokenCount) {

    public LayerVector {
        if (!(layerNorm > 0) || !Double.isFinite(layerNorm)) {
            throw new IllegalArgumentException("layer norm must be finite and > 0, got " + layerNorm
                    + (layerNorm == 0 ? " (an all-zero layer vector has no direction)" : ""));
        }
        if (!(modelNorm >= layerNorm * (1 - 1e-12)) || !Double.isFinite(modelNorm)) {
            throw new IllegalArgumentException("whole-model norm " + modelNorm
                    + " must be finite and at least the layer norm " + layerNorm);
        }
        if (positiveCounts != null && positiveCounts.length != values.length) {
            throw new IllegalArgumentException("positive counts have " + positiveCounts.length
                    + " entries for " + values.length + " neurons");
        }
        if (positiveCounts == null && tokenCount != 0) {
            throw new IllegalArgumentException("token count without positive counts");
        }
    }

    /** A layer slice without activation counts; the layer norm is computed here. */
    public static LayerVector of(double[] values, double modelNorm) {
        return new LayerVector(values, norm(values), modelNorm, null, 0);
    }

    /** Euclidean norm, accumulated in float64; rejects NaN and infinite elements. */
    public static double norm(double[] v) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("non-finite value " + x + " at neuron " + i);
            }
            s += x * x;
        }
        return Math.sqrt(s);
    }

    public int dimension() {
        return values.length;
    }
}
