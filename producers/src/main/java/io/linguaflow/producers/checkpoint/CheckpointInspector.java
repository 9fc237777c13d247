package io.linguaflow.producers.checkpoint;

import io.linguaflow.producers.JsonErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks that a HuggingFace checkpoint directory is complete and readable, without loading weights:
 * {@code config.json} parses; {@code tokenizer.json} exists and parses; the weights are {@code model.safetensors},
 * or {@code model.safetensors.index.json} whose {@code weight_map} names shards that all exist, each holding the
 * tensors the index assigns to it; every weight file's size agrees with its safetensors header.
 */
public final class CheckpointInspector {

    public static final String CONFIG = "config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String WEIGHTS_INDEX = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointInspector() {
    }

    /** Validates {@code dir}; the exception names the first file at fault. */
    public static CheckpointInfo inspect(Path dir) throws CheckpointException {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir, "not a directory");
        }
        JsonNode config = readJson(dir.resolve(CONFIG));
        readJson(dir.resolve(TOKENIZER));
        Map<Path, List<String>> shards = weightFiles(dir);
        int tensors = 0;
        long bytes = 0;
        for (Map.Entry<Path, List<String>> shard : shards.entrySet()) {
            SafetensorsHeader h = SafetensorsHeader.read(shard.getKey());
            for (String name : shard.getValue()) {
                if (!h.tensors().containsKey(name)) {
                    throw new CheckpointException(shard.getKey(), "lacks tensor '" + name + "' that " + WEIGHTS_INDEX
                            + " assigns to it");
                }
            }
            tensors += h.tensors().size();
            bytes += 8 + h.headerSize() + h.dataSize();
        }
        return new CheckpointInfo(dir, text(config, "model_type"), layers(config), neuronsPerLayer(config),
                List.copyOf(shards.keySet()), tensors, bytes);
    }

    /**
     * Content hash: sha256 over the bytes of the weight files concatenated in file-name order (hex). For a
     * single {@code model.safetensors} this is that file's plain sha256 ({@code sha256sum}).
     */
    public static String contentHash(CheckpointInfo info) throws CheckpointException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        byte[] buf = new byte[1 << 20];
        for (Path f : info.weightFiles()) {
            try (InputStream in = Files.newInputStream(f)) {
                int r;
                while ((r = in.read(buf)) > 0) {
                    sha.update(buf, 0, r);
                }
            } catch (IOException e) {
                throw new CheckpointException(f, "unreadable while hashing: " + e, e);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Weight file → tensors the index assigns to it (empty for a single file), in file-name order. */
    private static Map<Path, List<String>> weightFiles(Path dir) throws CheckpointException {
        Map<Path, List<String>> out = new TreeMap<>();
        Path index = dir.resolve(WEIGHTS_INDEX);
        if (Files.exists(index)) {
            JsonNode map = readJson(index).get("weight_map");
            if (map == null || !map.isObject() || map.isEmpty()) {
                throw new CheckpointException(index, "has no weight_map object");
            }
            for (Map.Entry<String, JsonNode> e : map.properties()) {
                String shardName = e.getValue().asText();
                Path shard = dir.resolve(shardName).normalize();
                if (!e.getValue().isTextual() || !shard.getParent().equals(dir.normalize())) {
                    throw new CheckpointException(index, "tensor '" + e.getKey() + "' maps to " + e.getValue()
                            + ", not a file name in the checkpoint directory");
                }
                if (!Files.isRegularFile(shard)) {
                    throw new CheckpointException(shard, "missing shard (listed in " + WEIGHTS_INDEX + " for tensor '"
                            + e.getKey() + "')");
                }
                out.computeIfAbsent(shard, s -> new ArrayList<>()).add(e.getKey());
            }
        } else if (Files.isRegularFile(dir.resolve(WEIGHTS))) {
            out.put(dir.resolve(WEIGHTS), List.of());
        } else {
            throw new CheckpointException(dir.resolve(WEIGHTS), "missing: no " + WEIGHTS + " and no " + WEIGHTS_INDEX
                    + " (only safetensors checkpoints are supported)");
        }
        return out;
    }

    static JsonNode readJson(Path file) throws CheckpointException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "missing");
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new CheckpointException(file, "is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new CheckpointException(file, "does not parse as JSON: " + JsonErrors.describe(e), e);
        }
    }

    private static String text(JsonNode config, String field) {
        JsonNode v = config.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static Integer integer(JsonNode config, String... fields) {
        for (String f : fields) {
            JsonNode v = config.get(f);
            if (v != null && v.isIntegralNumber()) {
                return v.asInt();
            }
        }
        return null;
    }

    private static Integer layers(JsonNode config) {
        return integer(config, "num_hidden_layers", "n_layer");
    }

    /** MLP width: {@code intermediate_size} (LLaMA family), {@code n_inner}, else 4 × hidden size (BLOOM, GPT-2). */
    private static Integer neuronsPerLayer(JsonNode config) {
        Integer d = integer(config, "intermediate_size", "n_inner");
        if (d != null) {
            return d;
        }
        Integer hidden = integer(config, "hidden_size", "n_embed", "n_embd");
        return hidden == null ? null : 4 * hidden;
    }
}
