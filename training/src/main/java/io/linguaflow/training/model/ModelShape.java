package io.linguaflow.training.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.checkpoint.SafetensorsWriter;
import io.linguaflow.training.tokenizer.BpeTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The size of a toy BLOOM and what follows from it: the HF {@code config.json} of a {@code BloomForCausalLM} and
 * its initial weights.
 *
 * @param vocabSize tokenizer vocabulary
 * @param hidden    residual width H (the MLP is 4H, as in BLOOM)
 * @param layers    transformer blocks
 * @param heads     attention heads (H must divide by it)
 */
public record ModelShape(int vocabSize, int hidden, int layers, int heads) {

    /** HF's BLOOM default {@code initializer_range}: std of every linear and embedding weight at initialisation. */
    public static final double INIT_STD = 0.02;
    public static final double LAYER_NORM_EPS = 1e-5;
    /** Key prefix of {@code BloomForCausalLM.save_pretrained}. */
    static final String PREFIX = "transformer.";

    public ModelShape {
        if (vocabSize < 1 || hidden < 1 || layers < 1 || heads < 1 || hidden % heads != 0) {
            throw new IllegalArgumentException("invalid model shape: vocab " + vocabSize + ", hidden " + hidden
                    + ", layers " + layers + ", heads " + heads + " (hidden must be a multiple of heads)");
        }
    }

    /** {@code config.json} as transformers writes it for {@code BloomForCausalLM}. */
    public ObjectNode config(ObjectMapper json) {
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("BloomForCausalLM");
        c.put("model_type", "bloom");
        c.put("vocab_size", vocabSize);
        c.put("hidden_size", hidden);
        c.put("n_layer", layers);
        c.put("n_head", heads);
        c.put("layer_norm_epsilon", LAYER_NORM_EPS);
        c.put("initializer_range", INIT_STD);
        c.put("apply_residual_connection_post_layernorm", false);
        c.put("hidden_dropout", 0.0);
        c.put("attention_dropout", 0.0);
        c.put("pretraining_tp", 1);
        c.put("slow_but_exact", false);
        c.put("bos_token_id", BpeTokenizer.BOS);
        c.put("eos_token_id", BpeTokenizer.EOS);
        c.put("pad_token_id", BpeTokenizer.PAD);
        c.put("tie_word_embeddings", true);
        c.put("use_cache", true);
        c.put("torch_dtype", "float32");
        return c;
    }

    /**
     * Initial weights as HF's {@code BloomPreTrainedModel._init_weights}: linear and embedding weights
     * N(0, {@link #INIT_STD}), biases 0, LayerNorm weight 1 and bias 0. Names and order are those
     * {@link io.linguaflow.worker.model.Bloom#parameters} lists (no {@code lm_head}: tied).
     */
    public List<SafetensorsWriter.Tensor> initialWeights(RandomGenerator random) {
        List<SafetensorsWriter.Tensor> t = new ArrayList<>();
        int h = hidden;
        t.add(normal(random, PREFIX + "word_embeddings.weight", vocabSize, h));
        layerNorm(t, PREFIX + "word_embeddings_layernorm", h);
        for (int i = 0; i < layers; i++) {
            String l = PREFIX + "h." + i + ".";
            layerNorm(t, l + "input_layernorm", h);
            linear(t, random, l + "self_attention.query_key_value", 3 * h, h);
            linear(t, random, l + "self_attention.dense", h, h);
            layerNorm(t, l + "post_attention_layernorm", h);
            linear(t, random, l + "mlp.dense_h_to_4h", 4 * h, h);
            linear(t, random, l + "mlp.dense_4h_to_h", h, 4 * h);
        }
        layerNorm(t, PREFIX + "ln_f", h);
        return t;
    }

    private static void linear(List<SafetensorsWriter.Tensor> t, RandomGenerator r, String name, int out, int in) {
        t.add(normal(r, name + ".weight", out, in));
        t.add(new SafetensorsWriter.Tensor(name + ".bias", new long[] {out}, new float[out]));
    }

    private static void layerNorm(List<SafetensorsWriter.Tensor> t, String name, int n) {
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        t.add(new SafetensorsWriter.Tensor(name + ".weight", new long[] {n}, ones));
        t.add(new SafetensorsWriter.Tensor(name + ".bias", new long[] {n}, new float[n]));
    }

    private static SafetensorsWriter.Tensor normal(RandomGenerator r, String name, int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * INIT_STD);
        }
        return new SafetensorsWriter.Tensor(name, new long[] {rows, cols}, w);
    }
}
