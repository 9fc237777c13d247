package io.linguaflow.checkpoint;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;

/** Short JSON error messages for the checkpoint's JSON files and every other JSON input: Jackson's own message without its source dump, with line and column. */
public final class JsonErrors {

    private JsonErrors() {
    }

    /** {@code "line L, column C: what"} for a JSON syntax error, else the exception's message. */
    public static String describe(IOException e) {
        if (e instanceof JsonProcessingException j) {
            JsonLocation at = j.getLocation();
            return (at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ")
                    + j.getOriginalMessage();
        }
        return e.toString();
    }
}
