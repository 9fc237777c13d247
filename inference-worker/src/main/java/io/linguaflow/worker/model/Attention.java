package io.linguaflow.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/** Scaled dot-product attention and its masks, shared by both architectures. */
final class Attention {

    /** Added to disallowed scores, as HF does ({@code torch.finfo(float32).min}); exp underflows to exactly 0. */
    static final float MASKED = -Float.MAX_VALUE;

    private Attention() {
    }

    /**
     * Additive mask {@code [B, 1, T, T]}: 0 where query i may attend key j (j <= i, j a real token, and
     * i - j < window when window > 0), {@link #MASKED} elsewhere. Built on the host: one transfer instead of
     * a dozen tiny device ops.
     *
     * @param lengths real tokens per row (right padding)
     */
    static NDArray mask(NDManager m, int[] lengths, int t, int window) {
        float[] causal = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                boolean ok = j <= i && (window <= 0 || i - j < window);
                causal[i * t + j] = ok ? 0f : MASKED;
            }
        }
        float[] padding = new float[lengths.length * t];
        for (int b = 0; b < lengths.length; b++) {
            Arrays.fill(padding, b * t + lengths[b], (b + 1) * t, MASKED);
        }
        // MASKED + MASKED overflows to -inf, which softmax also maps to exactly 0
        return m.create(padding, new Shape(lengths.length, 1, 1, t)).add(m.create(causal, new Shape(1, 1, t, t)));
    }

    /**
     * softmax(scale * q k^T + bias) v in float32.
     *
     * @param q     {@code [B, heads, T, d]}
     * @param k     {@code [B, heads, T, d]}
     * @param v     {@code [B, heads, T, d]}
     * @param scale 0-dim tensor 1/sqrt(d)
     * @param bias  additive, broadcastable to {@code [B, heads, T, T]} (mask, plus ALiBi for BLOOM)
     * @return {@code [B, T, heads * d]}
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray scale, NDArray bias, long b, long t) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(bias);
        NDArray ctx = scores.softmax(-1).matMul(v); // [B, heads, T, d]
        return ctx.transpose(0, 2, 1, 3).reshape(b, t, -1);
    }
}
