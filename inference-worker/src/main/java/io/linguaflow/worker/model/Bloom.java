package io.linguaflow.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.ModelConfig;
import io.linguaflow.worker.model.Checkpoint.TensorSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BLOOM (BigScience, HF {@code BloomForCausalLM}) forward pass: word-embedding LayerNorm, ALiBi position bias,
 * fused per-head QKV {@code [n_head, 3, head_dim]}, float32 softmax, tanh-GeLU MLP. Keys may carry the
 * {@code transformer.} prefix; the LM head is the embedding matrix unless {@code lm_head.weight} is present.
 */
public final class Bloom implements CausalLM {

    /** tanh-GeLU constant sqrt(2/pi) as written in HF's {@code bloom_gelu_forward}. */
    private static final float GELU_C = 0.79788456f;

    private record Block(NDArray ln1W, NDArray ln1B, NDArray qkvW, NDArray qkvB, NDArray denseW, NDArray denseB,
                         NDArray ln2W, NDArray ln2B, NDArray upW, NDArray upB, NDArray downW, NDArray downB) {
    }

    private final ModelConfig c;
    private final NDManager weights;
    private final TokenTable embed;
    private final NDArray embedLnW;
    private final NDArray embedLnB;
    private final List<Block> blocks;
    private final NDArray lnFW;
    private final NDArray lnFB;
    private final TokenTable lmHead;
    /** The block and norm weights in checkpoint order; the tables' entries are null until {@link #parameters()}. */
    private final Map<String, NDArray> parameters;
    private final float[] slopes;
    /** Scalars as 0-dim tensors: a Java Number operand costs DJL a fresh native tensor per op. */
    private final NDArray half;
    private final NDArray one;
    private final NDArray geluC;
    private final NDArray geluK;
    private final NDArray scale;

    private Bloom(ModelConfig c, NDManager weights, TokenTable embed, NDArray embedLnW, NDArray embedLnB,
                  List<Block> blocks, NDArray lnFW, NDArray lnFB, TokenTable lmHead, Map<String, NDArray> parameters) {
        this.c = c;
        this.weights = weights;
        this.embed = embed;
        this.embedLnW = embedLnW;
        this.embedLnB = embedLnB;
        this.blocks = blocks;
        this.lnFW = lnFW;
        this.lnFB = lnFB;
        this.lmHead = lmHead;
        this.parameters = parameters;
        this.slopes = alibiSlopes(c.numHeads());
        this.half = weights.create(0.5f);
        this.one = weights.create(1f);
        this.geluC = weights.create(GELU_C);
        this.geluK = weights.create(0.044715f);
        this.scale = weights.create((float) (1.0 / Math.sqrt(c.headDim())));
    }

    /** Validates and loads a BLOOM checkpoint ({@link CausalLM#load} for any architecture). */
    public static Bloom load(Checkpoint ckpt, NDManager parent) throws CheckpointException {
        ModelConfig c = ckpt.config();
        String p = ckpt.has("transformer.word_embeddings.weight") ? "transformer." : "";
        long h = c.hiddenSize();
        long v = c.vocabSize();
        long d = c.intermediateSize();
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec(p + "word_embeddings.weight", v, h));
        specs.add(new TensorSpec(p + "word_embeddings_layernorm.weight", h));
        specs.add(new TensorSpec(p + "word_embeddings_layernorm.bias", h));
        for (int i = 0; i < c.numLayers(); i++) {
            String l = p + "h." + i + ".";
            specs.add(new TensorSpec(l + "input_layernorm.weight", h));
            specs.add(new TensorSpec(l + "input_layernorm.bias", h));
            specs.add(new TensorSpec(l + "self_attention.query_key_value.weight", 3 * h, h));
            specs.add(new TensorSpec(l + "self_attention.query_key_value.bias", 3 * h));
            specs.add(new TensorSpec(l + "self_attention.dense.weight", h, h));
            specs.add(new TensorSpec(l + "self_attention.dense.bias", h));
            specs.add(new TensorSpec(l + "post_attention_layernorm.weight", h));
            specs.add(new TensorSpec(l + "post_attention_layernorm.bias", h));
            specs.add(new TensorSpec(l + "mlp.dense_h_to_4h.weight", d, h));
            specs.add(new TensorSpec(l + "mlp.dense_h_to_4h.bias", d));
            specs.add(new TensorSpec(l + "mlp.dense_4h_to_h.weight", h, d));
            specs.add(new TensorSpec(l + "mlp.dense_4h_to_h.bias", h));
        }
        specs.add(new TensorSpec(p + "ln_f.weight", h));
        specs.add(new TensorSpec(p + "ln_f.bias", h));
        boolean ownHead = ckpt.has("lm_head.weight") && !c.tieWordEmbeddings();
        if (ownHead) {
            specs.add(new TensorSpec("lm_head.weight", v, h));
        }
        ckpt.validate(specs);

        NDManager m = parent.newSubManager();
        List<TokenTable> tables = new ArrayList<>();
        try {
            int[] next = {0};
            Map<String, NDArray> parameters = new LinkedHashMap<>();
            TensorSource in = () -> {
                TensorSpec s = specs.get(next[0]++);
                NDArray a = ckpt.load(m, s);
                parameters.put(s.name(), a);
                return a;
            };
            TokenTable embed = TokenTable.open(ckpt, specs.get(next[0]++), m, tables);
            parameters.put(embed.name(), null);
            NDArray embLnW = in.next();
            NDArray embLnB = in.next();
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < c.numLayers(); i++) {
                blocks.add(new Block(in.next(), in.next(), in.next(), in.next(), in.next(), in.next(),
                        in.next(), in.next(), in.next(), in.next(), in.next(), in.next()));
            }
            NDArray lnFW = in.next();
            NDArray lnFB = in.next();
            TokenTable head = ownHead ? TokenTable.open(ckpt, specs.get(next[0]++), m, tables) : embed;
            parameters.put(head.name(), null);
            return new Bloom(c, m, embed, embLnW, embLnB, blocks, lnFW, lnFB, head, parameters);
        } catch (CheckpointException | RuntimeException e) {
            tables.forEach(TokenTable::close);
            m.close();
            throw e;
        }
    }

    /**
     * The weights by checkpoint tensor name, in checkpoint order, the token tables loaded whole; a tied LM head is the
     * embedding entry. Training marks them as requiring gradients and updates them in place, so the forward pass is
     * the one inference runs.
     */
    public synchronized Map<String, NDArray> parameters() {
        parameters.replace(embed.name(), embed.whole());
        parameters.replace(lmHead.name(), lmHead.whole());
        return Collections.unmodifiableMap(parameters);
    }

    /** Whether the embedding is loaded whole (logits or training needed it), not read row by row per batch. */
    boolean embeddingResident() {
        return embed.resident();
    }

    @Override
    public ModelConfig config() {
        return c;
    }

    @Override
    public NDArray forward(NDArray ids, int[] lengths, MlpHook hook) {
        NDManager m = ids.getManager();
        int b = lengths.length;
        int t = Math.toIntExact(ids.size() / b);
        int heads = c.numHeads();
        int hd = c.headDim();
        Shape hShape = new Shape(c.hiddenSize());
        float eps = (float) c.normEps();

        NDArray x = embed.rows(ids.reshape(-1)).reshape(b, t, c.hiddenSize());
        x = LayerNorm.layerNorm(x, hShape, embedLnW, embedLnB, eps).head();
        // ALiBi: score(i, j) += slope_head * j (j = key position; softmax ignores the per-row constant -slope * i)
        float[] alibi = new float[heads * t];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < t; j++) {
                alibi[h * t + j] = slopes[h] * j;
            }
        }
        NDArray bias = Attention.mask(m, lengths, t, 0).add(m.create(alibi, new Shape(1, heads, 1, t)));

        for (int i = 0; i < blocks.size(); i++) {
            Block w = blocks.get(i);
            try (LayerScope scope = new LayerScope(m)) {
                // attention: x + Dense(Attn(LN(x)))
                NDArray ln = LayerNorm.layerNorm(x, hShape, w.ln1W(), w.ln1B(), eps).head();
                NDArray residual = c.residualPostNorm() ? ln : x;
                // fused QKV is laid out [head, {q,k,v}, head_dim] per position -> [3, B, heads, T, hd]
                NDArray qkv = Linear.linear(ln, w.qkvW(), w.qkvB()).head().reshape(b, t, heads, 3, hd)
                        .transpose(3, 0, 2, 1, 4);
                NDArray ctx = Attention.attend(qkv.get(0), qkv.get(1), qkv.get(2), scale, bias, b, t);
                NDArray h = residual.add(Linear.linear(ctx, w.denseW(), w.denseB()).head());

                // MLP: h + W_4h->h GeLU(W_h->4h LN(h))
                ln = LayerNorm.layerNorm(h, hShape, w.ln2W(), w.ln2B(), eps).head();
                residual = c.residualPostNorm() ? ln : h;
                NDArray act = hook.onGate(i, gelu(Linear.linear(ln, w.upW(), w.upB()).head()));
                hook.onActivation(i, act);
                NDArray out = scope.keep(residual.add(Linear.linear(act, w.downW(), w.downB()).head()));
                hook.onBlockOutput(i, out);
                x.close(); // the block input is dead once the block's output exists
                x = out;
            }
        }
        return LayerNorm.layerNorm(x, hShape, lnFW, lnFB, eps).head();
    }

    /** HF {@code bloom_gelu_forward}: x * 0.5 * (1 + tanh(0.79788456 * x * (1 + 0.044715 * x * x))). */
    private NDArray gelu(NDArray x) {
        NDArray inner = x.mul(geluC).mul(x.mul(geluK).mul(x).add(one));
        return x.mul(half).mul(inner.tanh().add(one));
    }

    /** ALiBi head slopes (Press et al.; HF {@code build_alibi_tensor}), including the non-power-of-2 case. */
    static float[] alibiSlopes(int heads) {
        int closest = Integer.highestOneBit(heads);
        int log2 = Integer.numberOfTrailingZeros(closest);
        double base = Math.pow(2, -Math.pow(2, -(log2 - 3)));
        float[] s = new float[heads];
        for (int i = 0; i < closest; i++) {
            s[i] = (float) Math.pow((float) base, i + 1);
        }
        if (closest != heads) {
            double extraBase = Math.pow(2, -Math.pow(2, -(log2 + 1 - 3)));
            int remaining = Math.min(closest, heads - closest);
            for (int i = 0; i < remaining; i++) {
                s[closest + i] = (float) Math.pow((float) extraBase, 2 * i + 1);
            }
        }
        return s;
    }

    @Override
    public NDArray logits(NDArray hidden) {
        return Linear.linear(hidden, lmHead.whole()).head();
    }

    @Override
    public void close() {
        embed.close();
        if (lmHead != embed) {
            lmHead.close();
        }
        weights.close();
    }
}
