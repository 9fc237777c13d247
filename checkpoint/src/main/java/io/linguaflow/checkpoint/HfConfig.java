package io.linguaflow.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Set;

/**
 * A HuggingFace {@code config.json} as written, with the key aliases of the model families: BLOOM and GPT-2 name
 * the hyper-parameters differently ({@code n_layer}, {@code n_embed} / {@code n_embd}, {@code n_head}) from the
 * LLaMA family. The summaries ({@link #layers}, {@link #mlpWidth}, ...) are null when the file does not say;
 * {@link ModelConfig} requires what the runtime needs. A value that is present but invalid is always an error
 * naming the file and the key.
 */
public final class HfConfig {

    public static final String FILE = "config.json";

    static final String[] LAYERS = {"num_hidden_layers", "n_layer"};
    static final String[] HIDDEN = {"hidden_size", "n_embed", "n_embd"};
    static final String[] HEADS = {"num_attention_heads", "n_head"};
    /** The {@code model_type}s that run the LLaMA equations ({@link Architecture#LLAMA}). */
    static final Set<String> LLAMA_FAMILY = Set.of("llama", "mistral", "qwen2");

    private final Path file;
    private final JsonNode node;

    private HfConfig(Path file, JsonNode node) {
        this.file = file;
        this.node = node;
    }

    /** Reads {@code dir/config.json}. */
    public static HfConfig read(Path dir) throws CheckpointException {
        Path file = dir.resolve(FILE);
        return new HfConfig(file, JsonFiles.readObject(file));
    }

    public Path file() {
        return file;
    }

    /** {@code model_type}, else derived from {@code architectures[0]} (e.g. BloomForCausalLM → bloom); null when neither. */
    public String modelType() {
        String type = node.path("model_type").asText("");
        if (!type.isEmpty()) {
            return type;
        }
        JsonNode archs = node.path("architectures");
        if (!archs.isArray() || archs.isEmpty()) {
            return null;
        }
        return switch (archs.get(0).asText()) {
            case "BloomForCausalLM", "BloomModel" -> "bloom";
            case "LlamaForCausalLM" -> "llama";
            case "MistralForCausalLM" -> "mistral";
            case "Qwen2ForCausalLM" -> "qwen2";
            default -> archs.get(0).asText();
        };
    }

    /** Transformer blocks L. */
    public Integer layers() throws CheckpointException {
        return optInteger(LAYERS);
    }

    /** Residual-stream width H. */
    public Integer hiddenSize() throws CheckpointException {
        return optInteger(HIDDEN);
    }

    /**
     * MLP width D, the neurons per layer: BLOOM 4H (its MLP has no width key); the LLaMA family
     * {@code intermediate_size}; other models {@code intermediate_size} or {@code n_inner}, else 4H (GPT-2).
     */
    public Integer mlpWidth() throws CheckpointException {
        String type = modelType() == null ? "" : modelType();
        if (LLAMA_FAMILY.contains(type)) {
            return optInteger("intermediate_size");
        }
        Integer d = type.equals("bloom") ? null : optInteger("intermediate_size", "n_inner");
        Integer hidden = hiddenSize();
        return d != null ? d : hidden == null ? null : 4 * hidden;
    }

    /** {@code dtype} (newer transformers) or {@code torch_dtype} as written; float32 when neither (HF's default). */
    public String storedDtype() {
        return node.has("dtype") ? node.get("dtype").asText() : node.path("torch_dtype").asText("float32");
    }

    /** The first of {@code keys} present, as a positive integer; null when none is present. */
    Integer optInteger(String... keys) throws CheckpointException {
        for (String k : keys) {
            JsonNode v = node.get(k);
            if (v != null && !v.isNull()) {
                if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() <= 0) {
                    throw new CheckpointException(file, "'" + k + "' must be a positive integer, got " + v);
                }
                return v.asInt();
            }
        }
        return null;
    }

    /** The first of {@code keys} present, as a positive integer; missing is an error. */
    int integer(String... keys) throws CheckpointException {
        return require(optInteger(keys), keys);
    }

    /** {@code value} of one of {@code keys}, or the error that none of them is present. */
    int require(Integer value, String... keys) throws CheckpointException {
        if (value == null) {
            throw new CheckpointException(file, "missing required key '" + String.join("' / '", keys) + "'");
        }
        return value;
    }

    int optInteger(String key, int dflt) throws CheckpointException {
        Integer v = optInteger(key);
        return v == null ? dflt : v;
    }

    double real(String key, double dflt) throws CheckpointException {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new CheckpointException(file, "'" + key + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    boolean bool(String key, boolean dflt) throws CheckpointException {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new CheckpointException(file, "'" + key + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    /** The raw value of {@code key} (missing node when absent). */
    JsonNode path(String key) {
        return node.path(key);
    }

    boolean has(String key) {
        return node.hasNonNull(key);
    }
}
