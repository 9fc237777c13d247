package io.linguaflow.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.SafetensorsWriter;
import io.linguaflow.worker.model.Bloom;
import io.linguaflow.worker.model.Checkpoint;
import io.linguaflow.worker.model.MlpHook;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The worker's {@link Bloom} with gradients on: loaded from a checkpoint directory through the runtime's own path,
 * every parameter marked as requiring a gradient, and a next-token loss on top of the inference forward pass.
 */
public final class TrainableBloom implements AutoCloseable {

    private final Bloom bloom;

    private TrainableBloom(Bloom bloom) {
        this.bloom = bloom;
        bloom.parameters().values().forEach(p -> p.setRequiresGradient(true));
    }

    /** Loads {@code dir} (config.json, model.safetensors) onto {@code manager}'s device. */
    public static TrainableBloom load(Path dir, NDManager manager) throws CheckpointException {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            return new TrainableBloom(Bloom.load(ckpt, manager));
        }
    }

    public Map<String, NDArray> parameters() {
        return bloom.parameters();
    }

    /**
     * Mean next-token cross-entropy of packed sequences: position t predicts token t+1.
     *
     * @param tokens int64 {@code [B, T+1]}, every position real (packed, no padding)
     * @return a 0-dim float32 loss, on the tokens' manager
     */
    public NDArray loss(NDArray tokens) {
        NDArray targets = tokens.get(":, 1:").expandDims(-1);
        return logits(tokens.get(":, :-1")).logSoftmax(-1).gather(targets, -1).mean().neg();
    }

    /** Logits {@code [B, T, V]} of int64 ids {@code [B, T]}, every position real. */
    public NDArray logits(NDArray ids) {
        int[] lengths = new int[Math.toIntExact(ids.getShape().get(0))];
        Arrays.fill(lengths, Math.toIntExact(ids.getShape().get(1)));
        return bloom.logits(bloom.forward(ids, lengths, MlpHook.NONE));
    }

    /** The current weights, by checkpoint name, in checkpoint order (copied to the host). */
    public List<SafetensorsWriter.Tensor> weights() {
        List<SafetensorsWriter.Tensor> out = new ArrayList<>();
        for (var e : bloom.parameters().entrySet()) {
            out.add(new SafetensorsWriter.Tensor(e.getKey(), e.getValue().getShape().getShape(),
                    e.getValue().toFloatArray()));
        }
        return out;
    }

    @Override
    public void close() {
        bloom.close();
    }
}
