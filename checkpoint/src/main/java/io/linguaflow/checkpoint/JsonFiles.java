package io.linguaflow.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JSON files of a checkpoint (config, index, tokenizer, trainer state), read with one-line errors. */
final class JsonFiles {

    static final ObjectMapper JSON = new ObjectMapper();

    private JsonFiles() {
    }

    /** {@code file} as a JSON object; the exception says whether it is missing, not JSON or not an object. */
    static JsonNode readObject(Path file) throws CheckpointException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "missing");
        }
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointException(file, "does not parse as JSON: " + JsonErrors.describe(e), e);
        }
        if (node == null || !node.isObject()) {
            throw new CheckpointException(file, "is not a JSON object");
        }
        return node;
    }
}
