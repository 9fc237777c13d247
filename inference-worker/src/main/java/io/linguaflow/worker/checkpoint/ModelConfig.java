package io.linguaflow.worker.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The hyper-parameters of a HuggingFace {@code config.json} that the forward passes need, normalised across
 * BLOOM ({@code n_layer}, {@code n_head}, ...) and the LLaMA family (LLaMA, Mistral, Qwen2).
 *
 * @param architecture        model family
 * @param modelType           {@code model_type} as written in the file
 * @param vocabSize           rows of the embedding matrix
 * @param hiddenSize          residual-stream width H
 * @param numLayers           transformer blocks L
 * @param numHeads            query heads
 * @param numKvHeads          key/value heads (GQA); equals {@code numHeads} for BLOOM
 * @param headDim             per-head width
 * @param intermediateSize    MLP width D: the number of neurons per layer (BLOOM 4H)
 * @param normEps             LayerNorm / RMSNorm epsilon
 * @param ropeTheta           RoPE base (LLaMA family only)
 * @param qkvBias             q/k/v projections carry biases (BLOOM always; Qwen2; {@code attention_bias})
 * @param outputBias          the attention output projection carries a bias (BLOOM always; {@code attention_bias})
 * @param mlpBias             the MLP projections carry biases (BLOOM always; {@code mlp_bias})
 * @param residualPostNorm    BLOOM {@code apply_residual_connection_post_layernorm}
 * @param tieWordEmbeddings   the LM head is the embedding matrix when {@code lm_head.weight} is absent
 * @param contextLength       window length for perplexity over long texts
 * @param slidingWindow       Mistral attention window, 0 = full causal attention
 * @param storedDtype         {@code dtype} / {@code torch_dtype} as written (informational)
 */
public record ModelConfig(
        Architecture architecture,
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        double normEps,
        double ropeTheta,
        boolean qkvBias,
        boolean outputBias,
        boolean mlpBias,
        boolean residualPostNorm,
        boolean tieWordEmbeddings,
        int contextLength,
        int slidingWindow,
        String storedDtype) {

    /** BLOOM has no position limit (ALiBi); its checkpoints were trained on 2048-token sequences. */
    static final int BLOOM_CONTEXT = 2048;

    /** Neurons per model: L * D, the length of a whole-model activation vector (k = layer * D + neuron). */
    public int numNeurons() {
        return numLayers * intermediateSize;
    }

    /** Reads {@code dir/config.json}. */
    public static ModelConfig load(Path dir) throws CheckpointException {
        Path file = dir.resolve("config.json");
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": missing (a HuggingFace checkpoint directory needs config.json)");
        } catch (IOException e) {
            throw new CheckpointException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (c == null || !c.isObject()) {
            throw new CheckpointException(file + ": expected a JSON object");
        }
        String type = c.path("model_type").asText("");
        if (type.isEmpty() && c.path("architectures").isArray() && c.path("architectures").size() > 0) {
            type = switch (c.path("architectures").get(0).asText()) {
                case "BloomForCausalLM", "BloomModel" -> "bloom";
                case "LlamaForCausalLM" -> "llama";
                case "MistralForCausalLM" -> "mistral";
                case "Qwen2ForCausalLM" -> "qwen2";
                default -> c.path("architectures").get(0).asText();
            };
        }
        Reader r = new Reader(file, c);
        String dtype = c.has("dtype") ? c.get("dtype").asText() : c.path("torch_dtype").asText("float32");
        return switch (type) {
            case "bloom" -> bloom(r, dtype);
            case "llama", "mistral", "qwen2" -> llama(r, type, dtype);
            default -> throw new CheckpointException(file + ": unsupported model_type '" + type
                    + "' (supported: bloom, llama, mistral, qwen2)");
        };
    }

    private static ModelConfig bloom(Reader r, String dtype) throws CheckpointException {
        int hidden = r.integer("hidden_size", "n_embed");
        int heads = r.integer("n_head", "num_attention_heads");
        r.divisible(hidden, heads, "hidden_size", "n_head");
        return new ModelConfig(Architecture.BLOOM, "bloom", r.integer("vocab_size"), hidden,
                r.integer("n_layer", "num_hidden_layers"), heads, heads, hidden / heads, 4 * hidden,
                r.real("layer_norm_epsilon", 1e-5), 0, true, true, true,
                r.bool("apply_residual_connection_post_layernorm", false),
                r.bool("tie_word_embeddings", true), r.optInteger("seq_length", BLOOM_CONTEXT), 0, dtype);
    }

    private static ModelConfig llama(Reader r, String type, String dtype) throws CheckpointException {
        String act = r.node.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new CheckpointException(r.file + ": unsupported hidden_act '" + act + "' (LLaMA family: silu)");
        }
        JsonNode scaling = r.node.get("rope_scaling");
        if (scaling != null && !scaling.isNull()
                && !scaling.path("rope_type").asText(scaling.path("type").asText("default")).equals("default")) {
            throw new CheckpointException(r.file + ": unsupported rope_scaling " + scaling
                    + " (only plain RoPE with rope_theta is implemented)");
        }
        if (type.equals("qwen2") && r.bool("use_sliding_window", false)) {
            throw new CheckpointException(r.file + ": unsupported use_sliding_window=true for qwen2");
        }
        int hidden = r.integer("hidden_size");
        int heads = r.integer("num_attention_heads");
        int kvHeads = r.optInteger("num_key_value_heads", heads);
        int headDim = r.node.hasNonNull("head_dim") ? r.integer("head_dim") : hidden / heads;
        if (!r.node.hasNonNull("head_dim")) {
            r.divisible(hidden, heads, "hidden_size", "num_attention_heads");
        }
        r.divisible(heads, kvHeads, "num_attention_heads", "num_key_value_heads");
        boolean attnBias = r.bool("attention_bias", false);
        int window = type.equals("mistral") && r.node.hasNonNull("sliding_window") ? r.integer("sliding_window") : 0;
        return new ModelConfig(Architecture.LLAMA, type, r.integer("vocab_size"), hidden,
                r.integer("num_hidden_layers"), heads, kvHeads, headDim, r.integer("intermediate_size"),
                r.real("rms_norm_eps", 1e-6), r.real("rope_theta", 10000.0),
                attnBias || type.equals("qwen2"), attnBias, r.bool("mlp_bias", false), false,
                r.bool("tie_word_embeddings", false), r.optInteger("max_position_embeddings", 2048), window, dtype);
    }

    /** Typed access to config keys; every error names the file and the key. */
    private record Reader(Path file, JsonNode node) {

        int integer(String... keys) throws CheckpointException {
            for (String k : keys) {
                JsonNode v = node.get(k);
                if (v != null && !v.isNull()) {
                    if (!v.canConvertToInt() || v.asInt() <= 0) {
                        throw new CheckpointException(file + ": '" + k + "' must be a positive integer, got " + v);
                    }
                    return v.asInt();
                }
            }
            throw new CheckpointException(file + ": missing required key '" + String.join("' / '", keys) + "'");
        }

        int optInteger(String key, int dflt) throws CheckpointException {
            return node.hasNonNull(key) ? integer(key) : dflt;
        }

        double real(String key, double dflt) throws CheckpointException {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isNumber()) {
                throw new CheckpointException(file + ": '" + key + "' must be a number, got " + v);
            }
            return v.asDouble();
        }

        boolean bool(String key, boolean dflt) throws CheckpointException {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isBoolean()) {
                throw new CheckpointException(file + ": '" + key + "' must be true or false, got " + v);
            }
            return v.asBoolean();
        }

        void divisible(int a, int b, String ka, String kb) throws CheckpointException {
            if (a % b != 0) {
                throw new CheckpointException(file + ": " + ka + " (" + a + ") is not divisible by " + kb + " (" + b + ")");
            }
        }
    }
}
