package io.linguaflow.checkpoint;

import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint directory that passed {@link CheckpointInspector#inspect}.
 *
 * @param dir             the directory
 * @param architecture    HF {@code model_type} from config.json (bloom, llama, ...), or null when absent
 * @param layers          number of transformer layers, or null when config.json does not say
 * @param neuronsPerLayer MLP width D (the hooked activation's size), or null when config.json does not say
 * @param weightFiles     the weight files in content-hash order (file name order)
 * @param tensors         number of tensors over all weight files
 * @param weightBytes     total size of the weight files
 */
public record CheckpointInfo(Path dir, String architecture, Integer layers, Integer neuronsPerLayer,
                             List<Path> weightFiles, int tensors, long weightBytes) {

    public CheckpointInfo {
        weightFiles = List.copyOf(weightFiles);
    }

    /** Flat neuron count L·D (ids k = layer·D + neuron range over [0, L·D)), or null when unknown. */
    public Integer neuronCount() {
        return layers == null || neuronsPerLayer == null ? null : layers * neuronsPerLayer;
    }
}
