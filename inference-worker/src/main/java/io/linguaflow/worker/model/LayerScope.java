package io.linguaflow.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * Frees a transformer block's intermediates when the block is done. DJL has no reference counting: without
 * this, every intermediate of every layer (attention scores, MLP activations) stays allocated until the end of
 * the batch, which for a 24-layer model is tens of gigabytes.
 */
final class LayerScope implements AutoCloseable {

    private final NDScope scope = new NDScope();
    private final NDManager batch;

    /** @param batch the manager the surviving tensors belong to (that of the input ids: freed with the batch) */
    LayerScope(NDManager batch) {
        this.batch = batch;
    }

    /** Keeps {@code a} alive after the block (until the batch ends). */
    NDArray keep(NDArray a) {
        a.attach(batch);
        NDScope.unregister(a);
        return a;
    }

    @Override
    public void close() {
        scope.close();
    }
}
