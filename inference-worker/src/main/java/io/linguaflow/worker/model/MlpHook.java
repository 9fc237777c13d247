package io.linguaflow.worker.model;

import ai.djl.ndarray.NDArray;

/**
 * Sees the MLP "neurons" of every layer during a forward pass, in place of PyTorch forward hooks.
 * Tensors are {@code [B, T, D]} (batch, positions, MLP width) and live only for the current batch.
 */
public interface MlpHook {

    /** A hook that observes nothing and changes nothing. */
    MlpHook NONE = new MlpHook() {
        @Override
        public NDArray onGate(int layer, NDArray gate) {
            return gate;
        }

        @Override
        public void onActivation(int layer, NDArray activation) {
        }
    };

    /**
     * The tensor that ablation zeroes and that positive-activation counts read (BLOOM: GeLU output; LLaMA:
     * SiLU(gate), before the product with up). Returns the tensor the forward pass continues with.
     */
    NDArray onGate(int layer, NDArray gate);

    /** The neuron activation, i.e. the input of the MLP down projection (BLOOM: GeLU output; LLaMA: SiLU(gate)*up). */
    void onActivation(int layer, NDArray activation);

    /**
     * The block's output {@code [B, T, H]} (residual stream after attention and MLP, before the final norm:
     * HF {@code hidden_states[layer + 1]} except after the last block, where HF applies the final norm).
     */
    default void onBlockOutput(int layer, NDArray hidden) {
    }
}
