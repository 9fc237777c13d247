package io.linguaflow.worker.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.linguaflow.worker.model.MlpHook;

/**
 * Applies the ablation and pools on the device, so only {@code [B, D]} per layer leaves it:
 * Σ_t h_t over real tokens (float64 of the float32 activations, as the reference pools) and counts of real
 * tokens with BLOOM GeLU / LLaMA SiLU(gate) > 0. The sums are a batched product with the row's 0/1 token
 * mask {@code [B, 1, T]}, the counts a sum of (activation > 0) AND (real token); both skip padding exactly.
 * With a {@link Capture}: per-neuron maxima over the real tokens after the tokenizer's leading special tokens
 * ({@code [B, 1, D]}, the rest at −∞: a BOS is the same in every sentence and carries none of it) and the vectors
 * of the sampled token positions ({@code [S, W]}, gathered rows of the flattened {@code [B*T, W]}).
 */
final class PoolingHook implements MlpHook {

    private final NDArray[] keep;
    private final boolean pool;
    private final NDArray realMask;
    private final NDArray real64;
    private final NDArray zero;
    final NDArray[] sums;
    final NDArray[] positives;
    private final Capture capture;
    private final NDArray paddingMinusInf;
    private final NDArray sampledRows;
    final NDArray[] maxima;
    final NDArray[] tokens;

    /**
     * @param lengths  real tokens per row (right padding)
     * @param t        padded length
     * @param ablation neurons to zero
     * @param pool     whether to pool (false: ablation only, e.g. for perplexity)
     * @param capture  what to capture besides the pooled statistics (only when pooling)
     * @param sampled  per row, the token positions whose vectors are kept (null without token capture)
     * @param skip     leading special tokens left out of the maxima (unless a row has nothing else)
     */
    PoolingHook(NDManager m, int[] lengths, int t, Ablation ablation, int layers, boolean pool, Capture capture,
                int[][] sampled, int skip) {
        this.keep = new NDArray[layers];
        for (int l = 0; l < layers && !ablation.isEmpty(); l++) {
            float[] k = ablation.keepMask(l);
            keep[l] = k == null ? null : m.create(k);
        }
        this.pool = pool;
        float[] real = new float[lengths.length * t];
        double[] real64 = new double[real.length];
        for (int b = 0; b < lengths.length; b++) {
            for (int i = 0; i < lengths[b]; i++) {
                real[b * t + i] = 1f;
                real64[b * t + i] = 1.0;
            }
        }
        this.realMask = m.create(real, new Shape(lengths.length, t, 1)).gt(0f); // bool [B, T, 1]
        this.real64 = m.create(real64, new Shape(lengths.length, 1, t));
        this.zero = m.create(0f);
        this.sums = new NDArray[layers];
        this.positives = new NDArray[layers];
        this.capture = pool ? capture : Capture.NONE;
        this.maxima = new NDArray[layers];
        this.tokens = new NDArray[layers];
        if (this.capture.maxima()) {
            float[] minusInf = new float[real.length];
            java.util.Arrays.fill(minusInf, Float.NEGATIVE_INFINITY);
            for (int b = 0; b < lengths.length; b++) {
                for (int i = lengths[b] > skip ? skip : 0; i < lengths[b]; i++) {
                    minusInf[b * t + i] = 0f;
                }
            }
            this.paddingMinusInf = m.create(minusInf, new Shape(lengths.length, t, 1));
        } else {
            this.paddingMinusInf = null;
        }
        if (this.capture.tokens()) {
            int total = 0;
            for (int[] s : sampled) {
                total += s.length;
            }
            long[] rows = new long[total];
            int k = 0;
            for (int b = 0; b < sampled.length; b++) {
                for (int p : sampled[b]) {
                    rows[k++] = (long) b * t + p;
                }
            }
            this.sampledRows = m.create(rows);
        } else {
            this.sampledRows = null;
        }
    }

    @Override
    public NDArray onGate(int layer, NDArray gate) {
        NDArray g = keep[layer] == null ? gate : gate.mul(keep[layer]);
        if (pool) {
            positives[layer] = g.gt(zero).logicalAnd(realMask).sum(new int[] {1}, true); // int64 [B, 1, D]
            NDScope.unregister(positives[layer]); // outlives the layer's scope; freed with the batch manager
        }
        return g;
    }

    @Override
    public void onActivation(int layer, NDArray activation) {
        if (pool) {
            sums[layer] = real64.matMul(activation.toType(DataType.FLOAT64, false)); // [B, 1, D]
            NDScope.unregister(sums[layer]);
        }
        if (capture.maxima()) {
            maxima[layer] = activation.add(paddingMinusInf).max(new int[] {1}, true); // [B, 1, D], float32
            NDScope.unregister(maxima[layer]);
        }
        if (capture.tokens() && capture.tokenSource() == Capture.TokenSource.MLP_ACTIVATION) {
            tokens[layer] = gather(activation);
        }
    }

    @Override
    public void onBlockOutput(int layer, NDArray hidden) {
        if (capture.tokens() && capture.tokenSource() == Capture.TokenSource.BLOCK_OUTPUT) {
            tokens[layer] = gather(hidden);
        }
    }

    /** The sampled positions' rows of {@code x [B, T, W]}: {@code [S, W]}, kept until the batch ends. */
    private NDArray gather(NDArray x) {
        long w = x.getShape().get(2);
        NDArray rows = x.reshape(-1, w).get(new NDIndex("{}", sampledRows));
        NDScope.unregister(rows);
        return rows;
    }
}
