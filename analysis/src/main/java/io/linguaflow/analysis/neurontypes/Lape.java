package io.linguaflow.analysis.neurontypes;

import java.util.OptionalDouble;

/**
 * LAPE, language activation probability entropy (Tang et al. 2024, reference {@code identify.py} l.15-63;
 * IMPLEMENTATION-NOTES §3.2), the baseline variant: the lowest entropy without a λ term, after a pre-filter.
 * <ol>
 *   <li>q = p / Σ_k p (float32; 0/0 → 0), H = −Σ_{q &gt; 0} q ln q.</li>
 *   <li>τ = kthvalue(flat p, round(L*D*K*ratio)); neurons with no language p &gt; τ get H = +inf.</li>
 *   <li>Select the round(L*D*topRate) smallest H.</li>
 *   <li>A selected neuron belongs to <em>every</em> language with p &gt; τ (multi-language membership).</li>
 * </ol>
 * The reference's {@code filter_rate} and {@code activation_bar_ratio} are both 0.95 and give the same kthvalue,
 * so one ratio serves both. Types are then counted as in {@link NeuronTypesResult}.
 */
public final class Lape {

    private Lape() {
    }

    public static NeuronTypesResult classify(ActivationProbabilities p, double topRate, double activationBarRatio) {
        int k = ZhangClassifier.selectionSize(p, topRate);
        Threshold t = Threshold.of(p, activationBarRatio);
        return NeuronTypesResult.of(Method.LAPE, p, topRate, t, OptionalDouble.empty(),
                Selection.smallest(entropies(p, t), k), null);
    }

    /** H per neuron (layout [L*D]), +inf for neurons with no language above τ. */
    static float[] entropies(ActivationProbabilities p, Threshold t) {
        int kk = p.languageCount();
        float[] v = p.values();
        float[] h = new float[p.neuronCount()];
        for (int f = 0; f < h.length; f++) {
            if (t.languagesAbove[f] == 0) {
                h[f] = Float.POSITIVE_INFINITY; // pre-filter: entropy[top_position == 0] = inf
                continue;
            }
            int o = f * kk;
            float s = 0f;
            for (int i = 0; i < kk; i++) {
                s += v[o + i];
            }
            float e = 0f;
            for (int i = 0; i < kk; i++) {
                float q = v[o + i] / s; // s > 0 here: some p exceeds τ >= 0
                if (q > 0f) {
                    e += q * (float) Math.log(q); // log only where q > 0 (0 log 0 = 0)
                }
            }
            h[f] = -e;
        }
        return h;
    }
}
