package io.linguaflow.analysis.neurontypes;

import java.util.OptionalDouble;

/**
 * Zhang et al. 2025 (arXiv 2505.21505, Eq. 5-6; reference {@code identify.py} l.29-62, {@code analysis.py}
 * {@code wrap_neuron}/{@code calc_entropy}) for one set of probabilities. Everything that does not depend on λ
 * (k, τ, N, the normalised entropy and the peak probability of every neuron) is computed once, so that
 * {@link #classify(double)} at another λ costs one O(L*D) score pass and one O(L*D) selection.
 *
 * <p>Per neuron, with v = p[l, n, ·] in float32 as the reference:
 * q = v / Σv (uniform 1/K when Σv &le; 0), q = max(q, 1e-12), q = q / Σq,
 * H = −Σ q ln(q + 1e-30), Hn = H / ln K, and
 * score = (float) (Hn − max_k v_k · λ / norm_max) with norm_max = H_K / K.
 * The paper's raw-entropy score ranks identically with λ_paper = λ · ln K / norm_max.
 */
public final class ZhangClassifier {

    private final ActivationProbabilities p;
    private final double topRate;
    private final int k;
    private final Threshold threshold;
    private final double normMax;
    private final double[] normalizedEntropy;
    private final double[] maxProbability;

    private ZhangClassifier(ActivationProbabilities p, double topRate, double activationBarRatio) {
        this.p = p;
        this.topRate = topRate;
        this.k = selectionSize(p, topRate);
        this.threshold = Threshold.of(p, activationBarRatio);
        int kk = p.languageCount();
        this.normMax = normMax(kk);
        int m = p.neuronCount();
        normalizedEntropy = new double[m];
        maxProbability = new double[m];
        float[] v = p.values();
        float[] q = new float[kk];
        double lnK = Math.log(kk);
        float uniform = (float) (1.0 / kk);
        for (int f = 0; f < m; f++) {
            int o = f * kk;
            float s = 0f;
            float max = v[o];
            for (int i = 0; i < kk; i++) {
                s += v[o + i];
                max = Math.max(max, v[o + i]);
            }
            float qs = 0f;
            for (int i = 0; i < kk; i++) {
                float x = s > 0f ? v[o + i] / s : uniform; // "normed" mode of wrap_neuron
                x = Math.max(x, 1e-12f); // clamp_min(1e-12)
                q[i] = x;
                qs += x;
            }
            float h = 0f;
            for (int i = 0; i < kk; i++) {
                float x = q[i] / qs; // re-insurance renormalisation
                h += x * (float) Math.log(x + 1e-30f);
            }
            normalizedEntropy[f] = (double) -h / lnK; // calc_entropy: H / log(K)
            maxProbability[f] = max;
        }
    }

    /** Prepares the classification of {@code p} (k from {@code topRate}, τ from {@code activationBarRatio}). */
    public static ZhangClassifier prepare(ActivationProbabilities p, double topRate, double activationBarRatio) {
        return new ZhangClassifier(p, topRate, activationBarRatio);
    }

    /** norm_max = (Σ_{i=1..K} 1/i) / K = H_K / K, the expected largest piece of a stick broken into K parts. */
    public static double normMax(int languages) {
        double s = 0;
        for (int i = 1; i <= languages; i++) {
            s += 1.0 / i;
        }
        return s / languages;
    }

    /** k = round(L*D*topRate), Python round (halves to even), as identify.py l.39. */
    static int selectionSize(ActivationProbabilities p, double topRate) {
        if (!(topRate > 0 && topRate <= 1)) {
            throw new IllegalArgumentException("top rate " + topRate + " outside (0, 1]");
        }
        int k = Threshold.pythonRound((double) p.neuronCount() * topRate);
        if (k < 1) {
            throw new IllegalArgumentException("top rate " + topRate + " selects round(" + p.neuronCount() + "*"
                    + topRate + ") = 0 neurons");
        }
        return k;
    }

    /** The score of every neuron at λ, layout [L*D] (f = l*D + n); lower = more language-selective. */
    public float[] scores(double lambda) {
        if (!Double.isFinite(lambda)) {
            throw new IllegalArgumentException("lambda " + lambda + " is not finite");
        }
        float[] s = new float[normalizedEntropy.length];
        for (int f = 0; f < s.length; f++) {
            // paper Eq. 5 in the code's normalised form (identify.py l.35-37), stored as float32 like the score tensor
            s[f] = (float) (normalizedEntropy[f] - maxProbability[f] * lambda / normMax);
        }
        return s;
    }

    /** Selection, masks and types at λ. */
    public NeuronTypesResult classify(double lambda) {
        return classify(lambda, null);
    }

    NeuronTypesResult classify(double lambda, LambdaSweep.Result sweep) {
        // lowest 1%: score.flatten().topk(k, largest=False) (identify.py l.39-41; paper: "select the lowest 1%")
        return NeuronTypesResult.of(Method.ZHANG, p, topRate, threshold, OptionalDouble.of(lambda),
                Selection.smallest(scores(lambda), k), sweep);
    }

    public int k() {
        return k;
    }

    public float tau() {
        return threshold.tau;
    }

    public int tauRank() {
        return threshold.rank;
    }
}
