package io.linguaflow.worker.runtime;

/**
 * Batching and threading of a {@link LanguageModel}.
 *
 * @param batchSize   most samples per forward pass
 * @param tokenBudget most padded positions (rows x longest row) per forward pass
 * @param threads     libtorch intra-op threads; 0 keeps libtorch's default (one per core)
 * @param capture     what {@link LanguageModel#activations} captures besides the means ({@link Capture#NONE})
 */
public record RuntimeOptions(int batchSize, long tokenBudget, int threads, Capture capture) {

    public static final RuntimeOptions DEFAULT = new RuntimeOptions(16, 16L * 512, 0);

    public RuntimeOptions {
        if (batchSize < 1 || tokenBudget < 1 || threads < 0 || capture == null) {
            throw new IllegalArgumentException("invalid runtime options: batch size " + batchSize
                    + ", token budget " + tokenBudget + ", threads " + threads + ", capture " + capture);
        }
    }

    /** Options that capture nothing beyond the mean-vector statistics. */
    public RuntimeOptions(int batchSize, long tokenBudget, int threads) {
        this(batchSize, tokenBudget, threads, Capture.NONE);
    }

    /** {@code b} samples per pass, up to {@code b * 512} padded positions (longer samples run in smaller batches). */
    public RuntimeOptions withBatchSize(int b) {
        return new RuntimeOptions(b, (long) b * 512, threads, capture);
    }

    public RuntimeOptions withThreads(int n) {
        return new RuntimeOptions(batchSize, tokenBudget, n, capture);
    }

    public RuntimeOptions withCapture(Capture c) {
        return new RuntimeOptions(batchSize, tokenBudget, threads, c);
    }
}
