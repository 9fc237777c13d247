package io.linguaflow.worker.runtime;

/**
 * One sample's pooled MLP activations: what the Lingua Franca method keeps per sentence.
 *
 * @param inputIds       token ids as encoded (with the post-processor's special tokens)
 * @param layerMeans     {@code [L][D]}: h̄ᵐ, mean over the sample's tokens, pooled in float64, stored as float32
 * @param positiveCounts {@code [L][D]}: tokens where BLOOM's GeLU output / LLaMA's SiLU(gate) is > 0
 * @param layerNorms     {@code [L]}: ‖h̄ᵐ‖ of the float64 means (per-layer normalisation)
 * @param modelNorm      ‖[h̄¹ | … | h̄ᴸ]‖ of the float64 means (whole-model normalisation)
 * @param nllSum         Σ_t −log p(x_{t+1} | x_{≤t}) over the sample's predicted tokens (0 when not computed)
 * @param nPredicted     number of predicted tokens (n_tokens − 1), 0 when NLL was not computed
 * @param layerMaxima    {@code [L][D]}: max of each activation over the sample's tokens after the tokenizer's
 *                       leading special tokens (BOS); null unless
 *                       {@link Capture#maxima()}
 * @param tokenSample    the sampled tokens' vectors; null unless {@link Capture#tokens()}
 */
public record SampleActivations(long[] inputIds, float[][] layerMeans, int[][] positiveCounts, double[] layerNorms,
                                double modelNorm, double nllSum, int nPredicted, float[][] layerMaxima,
                                TokenSample tokenSample) {

    public int nTokens() {
        return inputIds.length;
    }

    /** Mean next-token NLL; NaN when none was computed (or the sample has a single token). */
    public double meanNll() {
        return nPredicted == 0 ? Double.NaN : nllSum / nPredicted;
    }

    /** The layer-major concatenation {@code [h̄¹ | … | h̄ᴸ]} (neuron k = layer * D + d). */
    public float[] concatenated() {
        return concatenate(layerMeans);
    }

    /** The layer-major concatenation of the maxima (as {@link #concatenated()}); requires maxima captured. */
    public float[] concatenatedMaxima() {
        if (layerMaxima == null) {
            throw new IllegalStateException("maxima were not captured (Capture.maxima off)");
        }
        return concatenate(layerMaxima);
    }

    private static float[] concatenate(float[][] perLayer) {
        int d = perLayer[0].length;
        float[] out = new float[perLayer.length * d];
        for (int l = 0; l < perLayer.length; l++) {
            System.arraycopy(perLayer[l], 0, out, l * d, d);
        }
        return out;
    }
}
