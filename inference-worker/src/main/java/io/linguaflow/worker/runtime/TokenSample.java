package io.linguaflow.worker.runtime;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The token positions of a sample whose vectors a language probe sees, and those vectors.
 *
 * @param positions ascending positions in the sample's token ids
 * @param vectors   per layer, {@code positions.length * width} float32 (position-major)
 * @param width     vector width (H for block outputs, D for MLP activations)
 */
public record TokenSample(int[] positions, float[][] vectors, int width) {

    /**
     * A uniform sample without replacement of at most {@code count} positions among {@code [skip, n)}, sorted;
     * a function of the seed and the token ids only, so batching and worker never change it.
     *
     * @param skip leading positions never sampled (the BOS the tokenizer adds, which carries no language)
     */
    public static int[] positions(long[] ids, int skip, int count, long seed) {
        int n = ids.length - skip;
        if (n <= 0) {
            return new int[0];
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = skip + i;
        }
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ Arrays.hashCode(ids));
        int m = Math.min(count, n);
        for (int i = 0; i < m; i++) { // partial Fisher-Yates: the first m are the sample
            int j = i + r.nextInt(n - i);
            int x = all[i];
            all[i] = all[j];
            all[j] = x;
        }
        int[] out = Arrays.copyOf(all, m);
        Arrays.sort(out);
        return out;
    }
}
