package io.linguaflow.producers.request;

import io.linguaflow.producers.checkpoint.CheckpointLander;

/**
 * The checkpoint a request is about.
 *
 * @param checkpointId   its {@code CheckpointEvent.checkpointId}
 * @param checkpointPath its directory as workers see it
 * @param neuronCount    flat neuron count L·D to range-check ids against, or null to skip that check
 */
public record RequestTarget(String checkpointId, String checkpointPath, Integer neuronCount) {

    public RequestTarget {
        if (checkpointId == null || checkpointId.isBlank()) {
            throw new IllegalArgumentException("a checkpoint id is required");
        }
        if (checkpointPath == null || checkpointPath.isBlank()) {
            throw new IllegalArgumentException("checkpoint " + checkpointId + ": a checkpoint path is required");
        }
        if (neuronCount != null && neuronCount <= 0) {
            throw new IllegalArgumentException("checkpoint " + checkpointId + ": neuron count must be positive");
        }
    }

    /** The target of a checkpoint landed from its directory (id, path and L·D from config.json). */
    public static RequestTarget of(CheckpointLander.Landing landing) {
        return new RequestTarget(landing.event().getCheckpointId(), landing.event().getPath(), landing.info().neuronCount());
    }
}
