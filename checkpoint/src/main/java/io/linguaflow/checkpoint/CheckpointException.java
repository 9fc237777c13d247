package io.linguaflow.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint directory that cannot be used: incomplete, unreadable, inconsistent or unsupported. The message
 * starts with the file at fault and names the tensor or config key where there is one.
 */
public final class CheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public CheckpointException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public CheckpointException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The file (or directory) at fault. */
    public Path file() {
        return file;
    }
}
