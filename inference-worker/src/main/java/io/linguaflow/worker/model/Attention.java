package io.linguaflow.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Scaled dot-product attention and its masks, shared by both architectures. */
final class Attention {

    /** Added to disallowed scores, as HF does ({@code torch.finfo(float32).min}); exp underflows to exactly 0. */
    private static final float MASKED = -Float.MAX_VALUE;

    private Attention() {
    }

    /**
     * Additive mask {@code [B, 1, T, T]}: 0 where query i may attend key j (j <= i, j a real token, and
     * i - j < window when window > 0), {@link #MASKED} elsewhere.
     */
    static NDArray mask(NDArray realTokens, int window) {
        NDManager m = realTokens.getManager();
        long t = realTokens.getShape().get(1);
        NDArray pos = m.arange(0f, (float) t, 1f, DataType.FLOAT32, realTokens.getDevice());
        NDArray query = pos.reshape(t, 1);
        NDArray key = pos.reshape(1, t);
        NDArray allowed = key.lte(query);
        if (window > 0) {
            allowed = allowed.logicalAnd(query.sub(key).lt(window));
        }
        NDArray keyReal = realTokens.expandDims(1).expandDims(1).gt(0); // [B, 1, 1, T]
        NDArray ok = allowed.expandDims(0).expandDims(0).logicalAnd(keyReal).toType(DataType.FLOAT32, false);
        return ok.sub(1f).mul(-MASKED); // 1 -> 0, 0 -> MASKED
    }

    /**
     * softmax(scale * q k^T + bias) v in float32.
     *
     * @param q    {@code [B, heads, T, d]}
     * @param k    {@code [B, heads, T, d]}
     * @param v    {@code [B, heads, T, d]}
     * @param bias additive, broadcastable to {@code [B, heads, T, T]} (mask, plus ALiBi for BLOOM)
     * @return {@code [B, T, heads * d]}
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, float scale, NDArray bias) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(bias);
        NDArray probs = scores.softmax(-1);
        NDArray ctx = probs.matMul(v); // [B, heads, T, d]
        long[] s = ctx.getShape().getShape();
        return ctx.transpose(0, 2, 1, 3).reshape(s[0], s[2], s[1] * s[3]);
    }
}
