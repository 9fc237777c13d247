package io.linguaflow.worker.runtime;

/**
 * Batching and threading of a {@link LanguageModel}.
 *
 * @param batchSize   most samples per forward pass
 * @param tokenBudget most padded positions (rows x longest row) per forward pass
 * @param threads     libtorch intra-op threads; 0 keeps libtorch's default (one per core)
 */
public record RuntimeOptions(int batchSize, long tokenBudget, int threads) {

    public static final RuntimeOptions DEFAULT = new RuntimeOptions(16, 16L * 512, 0);

    public RuntimeOptions {
        if (batchSize < 1 || tokenBudget < 1 || threads < 0) {
            throw new IllegalArgumentException("invalid runtime options: batch size " + batchSize
                    + ", token budget " + tokenBudget + ", threads " + threads);
        }
    }

    /** {@code b} samples per pass, up to {@code b * 512} padded positions (longer samples run in smaller batches). */
    public RuntimeOptions withBatchSize(int b) {
        return new RuntimeOptions(b, (long) b * 512, threads);
    }

    public RuntimeOptions withThreads(int n) {
        return new RuntimeOptions(batchSize, tokenBudget, n);
    }
}
