package io.linguaflow.worker.checkpoint;

import java.io.IOException;

/** A checkpoint directory that cannot be used: the message names the file and, where there is one, the tensor. */
public final class CheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
