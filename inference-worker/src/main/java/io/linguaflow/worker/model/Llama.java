package io.linguaflow.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.ModelConfig;
import io.linguaflow.worker.model.Checkpoint.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * LLaMA-family forward pass (HF {@code LlamaForCausalLM}; Mistral and Qwen2 are the same equations):
 * RMSNorm, rotate-half RoPE with {@code rope_theta}, grouped-query attention, optional QKV bias (Qwen2),
 * SiLU-gated MLP {@code down(SiLU(gate(x)) * up(x))}.
 */
public final class Llama implements CausalLM {

    private record Block(NDArray norm1, NDArray wq, NDArray bq, NDArray wk, NDArray bk, NDArray wv, NDArray bv,
                         NDArray wo, NDArray bo, NDArray norm2, NDArray wGate, NDArray bGate, NDArray wUp,
                         NDArray bUp, NDArray wDown, NDArray bDown) {
    }

    private final ModelConfig c;
    private final NDManager weights;
    private final TokenTable embed;
    private final List<Block> blocks;
    private final NDArray finalNorm;
    private final TokenTable lmHead;
    private final NDArray invFreq;
    /** 1/sqrt(head_dim) and eps as 0-dim tensors (a Java Number operand costs DJL a fresh native tensor per op). */
    private final NDArray scale;
    private final NDArray eps;
    /** RoPE cos/sin tables {@code [T, hd]} for the longest batch so far; shorter batches use a prefix. */
    private NDArray cosTable;
    private NDArray sinTable;

    private Llama(ModelConfig c, NDManager weights, TokenTable embed, List<Block> blocks, NDArray finalNorm,
                  TokenTable lmHead) {
        this.c = c;
        this.weights = weights;
        this.embed = embed;
        this.blocks = blocks;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        // RoPE inverse frequencies theta^(-2i/d), rounded like HF: float32 exponent, float32 power, float32 reciprocal
        int hd = c.headDim();
        float[] inv = new float[hd / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1f / (float) Math.pow(c.ropeTheta(), (float) (2 * i) / (float) hd);
        }
        this.invFreq = weights.create(inv);
        this.scale = weights.create((float) Math.pow(hd, -0.5));
        this.eps = weights.create((float) c.normEps());
    }

    static Llama load(Checkpoint ckpt, NDManager parent) throws CheckpointException {
        ModelConfig c = ckpt.config();
        long h = c.hiddenSize();
        long v = c.vocabSize();
        long d = c.intermediateSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec("model.embed_tokens.weight", v, h));
        for (int i = 0; i < c.numLayers(); i++) {
            String l = "model.layers." + i + ".";
            specs.add(new TensorSpec(l + "input_layernorm.weight", h));
            specs.add(new TensorSpec(l + "self_attn.q_proj.weight", q, h));
            specs.add(c.qkvBias() ? new TensorSpec(l + "self_attn.q_proj.bias", q) : null);
            specs.add(new TensorSpec(l + "self_attn.k_proj.weight", kv, h));
            specs.add(c.qkvBias() ? new TensorSpec(l + "self_attn.k_proj.bias", kv) : null);
            specs.add(new TensorSpec(l + "self_attn.v_proj.weight", kv, h));
            specs.add(c.qkvBias() ? new TensorSpec(l + "self_attn.v_proj.bias", kv) : null);
            specs.add(new TensorSpec(l + "self_attn.o_proj.weight", h, q));
            specs.add(c.outputBias() ? new TensorSpec(l + "self_attn.o_proj.bias", h) : null);
            specs.add(new TensorSpec(l + "post_attention_layernorm.weight", h));
            specs.add(new TensorSpec(l + "mlp.gate_proj.weight", d, h));
            specs.add(c.mlpBias() ? new TensorSpec(l + "mlp.gate_proj.bias", d) : null);
            specs.add(new TensorSpec(l + "mlp.up_proj.weight", d, h));
            specs.add(c.mlpBias() ? new TensorSpec(l + "mlp.up_proj.bias", d) : null);
            specs.add(new TensorSpec(l + "mlp.down_proj.weight", h, d));
            specs.add(c.mlpBias() ? new TensorSpec(l + "mlp.down_proj.bias", h) : null);
        }
        specs.add(new TensorSpec("model.norm.weight", h));
        specs.add(c.tieWordEmbeddings() ? null : new TensorSpec("lm_head.weight", v, h));
        ckpt.validate(specs.stream().filter(s -> s != null).toList());

        NDManager m = parent.newSubManager();
        List<TokenTable> tables = new ArrayList<>();
        try {
            int[] next = {0};
            TensorSource in = () -> {
                TensorSpec s = specs.get(next[0]++);
                return s == null ? null : ckpt.load(m, s);
            };
            TokenTable embed = TokenTable.open(ckpt, specs.get(next[0]++), m, tables);
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < c.numLayers(); i++) {
                blocks.add(new Block(in.next(), in.next(), in.next(), in.next(), in.next(), in.next(), in.next(),
                        in.next(), in.next(), in.next(), in.next(), in.next(), in.next(), in.next(), in.next(),
                        in.next()));
            }
            NDArray norm = in.next();
            TensorSpec head = specs.get(next[0]);
            return new Llama(c, m, embed, blocks, norm, head == null ? embed : TokenTable.open(ckpt, head, m, tables));
        } catch (CheckpointException | RuntimeException e) {
            tables.forEach(TokenTable::close);
            m.close();
            throw e;
        }
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
        int kvHeads = c.numKvHeads();
        int hd = c.headDim();

        NDArray x = embed.rows(ids.reshape(-1)).reshape(b, t, c.hiddenSize());
        ropeTables(t);
        NDArray cos = cosTable.get("0:" + t).reshape(1, 1, t, hd);
        NDArray sin = sinTable.get("0:" + t).reshape(1, 1, t, hd);
        NDArray mask = Attention.mask(m, lengths, t, c.slidingWindow());

        for (int i = 0; i < blocks.size(); i++) {
            Block w = blocks.get(i);
            try (LayerScope scope = new LayerScope(m)) {
                // attention: x + o_proj(Attn(RoPE(q), RoPE(k), v)) on RMSNorm(x)
                NDArray n = rmsNorm(x, w.norm1());
                NDArray q = rope(heads(linear(n, w.wq(), w.bq()), b, t, heads, hd), cos, sin);
                NDArray k = rope(heads(linear(n, w.wk(), w.bk()), b, t, kvHeads, hd), cos, sin);
                NDArray v = heads(linear(n, w.wv(), w.bv()), b, t, kvHeads, hd);
                k = repeatKv(k, heads / kvHeads);
                v = repeatKv(v, heads / kvHeads);
                NDArray h = x.add(linear(Attention.attend(q, k, v, scale, mask, b, t), w.wo(), w.bo()));

                // MLP: h + down(SiLU(gate(n)) * up(n)) on n = RMSNorm(h)
                n = rmsNorm(h, w.norm2());
                NDArray gate = linear(n, w.wGate(), w.bGate());
                NDArray silu = hook.onGate(i, gate.mul(Activation.sigmoid(gate)));
                NDArray act = silu.mul(linear(n, w.wUp(), w.bUp()));
                hook.onActivation(i, act);
                NDArray out = scope.keep(h.add(linear(act, w.wDown(), w.bDown())));
                hook.onBlockOutput(i, out);
                x.close(); // the block input is dead once the block's output exists
                x = out;
            }
        }
        return rmsNorm(x, finalNorm);
    }

    /**
     * RoPE angles pos * theta^(-2i/d) (HF {@code LlamaRotaryEmbedding}: float32 outer product, cos/sin on the
     * device), both halves, for positions 0 .. t-1; grown on demand and kept with the weights.
     */
    private void ropeTables(int t) {
        if (cosTable != null && cosTable.getShape().get(0) >= t) {
            return;
        }
        if (cosTable != null) {
            cosTable.close();
            sinTable.close();
        }
        int hd = c.headDim();
        int len = Math.max(t, 64);
        try (NDManager tmp = weights.newSubManager()) {
            NDArray angles = tmp.arange(0f, (float) len).reshape(len, 1).mul(invFreq.reshape(1, hd / 2));
            NDArray emb = angles.concat(angles, 1);
            cosTable = emb.cos();
            sinTable = emb.sin();
            cosTable.attach(weights);
            sinTable.attach(weights);
            ai.djl.ndarray.NDScope.unregister(cosTable, sinTable);
        }
    }

    /** RMSNorm: w * x / sqrt(mean(x^2) + eps), statistics in float32 (HF {@code LlamaRMSNorm}). */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return weight.mul(x.div(variance.add(eps).sqrt()));
    }

    private static NDArray linear(NDArray x, NDArray w, NDArray bias) {
        return (bias == null ? Linear.linear(x, w) : Linear.linear(x, w, bias)).head();
    }

    /** {@code [B, T, n*hd]} to {@code [B, n, T, hd]}. */
    private static NDArray heads(NDArray x, long b, long t, int n, int hd) {
        return x.reshape(b, t, n, hd).transpose(0, 2, 1, 3);
    }

    /** Rotate-half RoPE: x * cos + rotate_half(x) * sin, rotate_half([x1, x2]) = [-x2, x1]. */
    private static NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        NDList halves = x.split(2, 3);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }

    /** GQA: key/value head j serves query heads j*rep .. (j+1)*rep-1 (HF {@code repeat_kv}: repeat-interleave). */
    private static NDArray repeatKv(NDArray x, int rep) {
        return rep == 1 ? x : x.repeat(1, rep);
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
