package io.linguaflow.producers.checkpoint;

import io.linguaflow.producers.Rejection;
import java.nio.file.Path;

/** A checkpoint that cannot be landed: incomplete, unreadable or inconsistent. Names the offending file. */
public final class CheckpointException extends Exception {

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

    /** The dead-letter-ready form: input = the file at fault. */
    public Rejection toRejection() {
        return new Rejection(file.toString(), "BrokenCheckpoint", getMessage(), null, null);
    }
}
