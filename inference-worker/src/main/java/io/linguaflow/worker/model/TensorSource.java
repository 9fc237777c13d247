package io.linguaflow.worker.model;

import ai.djl.ndarray.NDArray;
import io.linguaflow.checkpoint.CheckpointException;

/** Hands out the weights of a validated spec list in order while an architecture assembles its blocks. */
@FunctionalInterface
interface TensorSource {
    /** The next tensor, or null for an optional tensor the config says is absent. */
    NDArray next() throws CheckpointException;
}
