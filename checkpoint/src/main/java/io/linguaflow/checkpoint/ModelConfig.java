package io.linguaflow.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Objects;

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
        return of(HfConfig.read(dir));
    }

    /** The runtime's hyper-parameters of a config; the exception names what is missing or unsupported. */
    public static ModelConfig of(HfConfig c) throws CheckpointException {
        String type = Objects.requireNonNullElse(c.modelType(), "");
        if (type.equals("bloom")) {
            return bloom(c);
        }
        if (HfConfig.LLAMA_FAMILY.contains(type)) {
            return llama(c, type);
        }
        throw new CheckpointException(c.file(), "unsupported model_type '" + type
                + "' (supported: bloom, llama, mistral, qwen2)");
    }

    private static ModelConfig bloom(HfConfig c) throws CheckpointException {
        int hidden = c.integer(HfConfig.HIDDEN);
        int heads = c.integer(HfConfig.HEADS);
        divisible(c, hidden, heads, "hidden_size", "n_head");
        return new ModelConfig(Architecture.BLOOM, "bloom", c.integer("vocab_size"), hidden,
                c.integer(HfConfig.LAYERS), heads, heads, hidden / heads, c.mlpWidth(),
                c.real("layer_norm_epsilon", 1e-5), 0, true, true, true,
                c.bool("apply_residual_connection_post_layernorm", false),
                c.bool("tie_word_embeddings", true), c.optInteger("seq_length", BLOOM_CONTEXT), 0, c.storedDtype());
    }

    private static ModelConfig llama(HfConfig c, String type) throws CheckpointException {
        String act = c.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new CheckpointException(c.file(), "unsupported hidden_act '" + act + "' (LLaMA family: silu)");
        }
        JsonNode scaling = c.path("rope_scaling");
        if (!scaling.isMissingNode() && !scaling.isNull()
                && !scaling.path("rope_type").asText(scaling.path("type").asText("default")).equals("default")) {
            throw new CheckpointException(c.file(), "unsupported rope_scaling " + scaling
                    + " (only plain RoPE with rope_theta is implemented)");
        }
        if (type.equals("qwen2") && c.bool("use_sliding_window", false)) {
            throw new CheckpointException(c.file(), "unsupported use_sliding_window=true for qwen2");
        }
        int hidden = c.integer("hidden_size");
        int heads = c.integer("num_attention_heads");
        int kvHeads = c.optInteger("num_key_value_heads", heads);
        int headDim = c.has("head_dim") ? c.integer("head_dim") : hidden / heads;
        if (!c.has("head_dim")) {
            divisible(c, hidden, heads, "hidden_size", "num_attention_heads");
        }
        divisible(c, heads, kvHeads, "num_attention_heads", "num_key_value_heads");
        boolean attnBias = c.bool("attention_bias", false);
        int window = type.equals("mistral") && c.has("sliding_window") ? c.integer("sliding_window") : 0;
        return new ModelConfig(Architecture.LLAMA, type, c.integer("vocab_size"), hidden,
                c.integer(HfConfig.LAYERS), heads, kvHeads, headDim, c.require(c.mlpWidth(), "intermediate_size"),
                c.real("rms_norm_eps", 1e-6), c.real("rope_theta", 10000.0),
                attnBias || type.equals("qwen2"), attnBias, c.bool("mlp_bias", false), false,
                c.bool("tie_word_embeddings", false), c.optInteger("max_position_embeddings", 2048), window,
                c.storedDtype());
    }

    private static void divisible(HfConfig c, int a, int b, String ka, String kb) throws CheckpointException {
        if (a % b != 0) {
            throw new CheckpointException(c.file(), ka + " (" + a + ") is not divisible by " + kb + " (" + b + ")");
        }
    }
}
