package io.linguaflow.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.ModelConfig;

/** A decoder-only language model whose weights live in an {@link NDManager} (CPU or GPU). */
public interface CausalLM extends AutoCloseable {

    ModelConfig config();

    /**
     * One forward pass over a right-padded batch.
     *
     * @param ids     int64 {@code [B, T]} token ids, row b real at positions {@code 0 .. lengths[b]-1} (right
     *                padding; any valid id at padded positions)
     * @param lengths real tokens per row, each >= 1
     * @param hook    observes and may modify the MLP neurons of every layer
     * @return the hidden states after the final norm, {@code [B, T, H]}
     */
    NDArray forward(NDArray ids, int[] lengths, MlpHook hook);

    /** LM head: {@code [..., H]} hidden states to {@code [..., V]} float32 logits. */
    NDArray logits(NDArray hidden);

    @Override
    void close();

    /** Validates every tensor the architecture needs, then loads the weights onto {@code manager}'s device. */
    static CausalLM load(Checkpoint checkpoint, NDManager manager) throws CheckpointException {
        return switch (checkpoint.config().architecture()) {
            case BLOOM -> Bloom.load(checkpoint, manager);
            case LLAMA -> Llama.load(checkpoint, manager);
        };
    }
}
