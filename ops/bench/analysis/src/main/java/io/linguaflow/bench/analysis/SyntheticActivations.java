package io.linguaflow.bench.analysis;

import java.util.SplittableRandom;

/**
 * Deterministic synthetic pooled activations with language and meaning structure, regenerated on demand
 * (nothing stored): h̄(l, s, m)[k] = GeLU-like(common + language + 0.7·meaning + 0.8·noise), float32, where the
 * language term is strong on about 1% of the neurons of each language and weak elsewhere.
 */
final class SyntheticActivations {

    private final long seed;
    private final int meanings;
    private final int neurons;

    SyntheticActivations(long seed, int meanings, int neurons) {
        this.seed = seed;
        this.meanings = meanings;
        this.neurons = neurons;
    }

    /** The pooled vector of sample (language, meaning) in one layer. */
    float[] slice(int language, int meaning, int layer) {
        SplittableRandom common = stream(0, 0, layer);
        SplittableRandom lang = stream(1, language, layer);
        SplittableRandom mean = stream(2, meaning, layer);
        SplittableRandom noise = stream(3, (long) language * meanings + meaning, layer);
        float[] v = new float[neurons];
        for (int k = 0; k < neurons; k++) {
            double languageTerm = (lang.nextDouble() < 0.01 ? 1.5 : 0.2) * (lang.nextDouble() - 0.3);
            double x = 0.6 * common.nextDouble() + languageTerm + 0.7 * (mean.nextDouble() - 0.5) + 0.8 * (noise.nextDouble() - 0.5);
            v[k] = (float) (x > 0 ? x : 0.05 * x);
        }
        return v;
    }

    private SplittableRandom stream(int kind, long index, int layer) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + kind * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL + layer);
    }
}
