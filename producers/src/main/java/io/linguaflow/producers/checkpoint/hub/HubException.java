package io.linguaflow.producers.checkpoint.hub;

import java.io.IOException;

/** A hub revision that cannot be fetched; the message names repository, revision and, where one is at fault, the file. */
public final class HubException extends IOException {

    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
