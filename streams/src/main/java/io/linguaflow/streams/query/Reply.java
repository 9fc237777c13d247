package io.linguaflow.streams.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/** A 200 answer as bytes: its content type and body (the similarity map and its blocks; JSON answers are {@link JsonNode}s). */
record Reply(String contentType, byte[] body) {

    /** The one JSON mapper of the query layer. */
    static final ObjectMapper JSON = new ObjectMapper();

    /** Pretty-printed, so the same answer is the same bytes on every instance. */
    static byte[] bytes(JsonNode n) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
