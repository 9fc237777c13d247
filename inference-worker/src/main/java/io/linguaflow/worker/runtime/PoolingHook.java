package io.linguaflow.worker.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.linguaflow.worker.model.MlpHook;

/**
 * Applies the ablation and pools on the device, so only {@code [B, D]} per layer leaves it:
 * h̄ᵐ sums over real tokens (float64 of the float32 activations, as the reference pools) and counts of real
 * tokens with BLOOM GeLU / LLaMA SiLU(gate) > 0.
 */
final class PoolingHook implements MlpHook {

    private final NDArray[] keep;
    private final boolean pool;
    private final NDArray real32;
    private final NDArray real64;
    final NDArray[] sums;
    final NDArray[] positives;

    /**
     * @param realTokens float32 {@code [B, T]}, 1 at real tokens
     * @param ablation   neurons to zero
     * @param pool       whether to pool (false: ablation only, e.g. for perplexity)
     */
    PoolingHook(NDArray realTokens, Ablation ablation, int layers, boolean pool) {
        NDManager m = realTokens.getManager();
        this.keep = new NDArray[layers];
        for (int l = 0; l < layers && !ablation.isEmpty(); l++) {
            float[] k = ablation.keepMask(l);
            keep[l] = k == null ? null : m.create(k);
        }
        this.pool = pool;
        this.real32 = realTokens.expandDims(2);
        this.real64 = real32.toType(DataType.FLOAT64, false);
        this.sums = new NDArray[layers];
        this.positives = new NDArray[layers];
    }

    @Override
    public NDArray onGate(int layer, NDArray gate) {
        NDArray g = keep[layer] == null ? gate : gate.mul(keep[layer]);
        if (pool) {
            positives[layer] = g.gt(0f).toType(DataType.FLOAT32, false).mul(real32).sum(new int[] {1});
        }
        return g;
    }

    @Override
    public void onActivation(int layer, NDArray activation) {
        if (pool) {
            sums[layer] = activation.toType(DataType.FLOAT64, false).mul(real64).sum(new int[] {1});
        }
    }
}
