package io.linguaflow.training;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@link ToyTraining} trains and where it writes.
 *
 * @param out             output directory: {@code corpus.tsv} and one {@code step-N} checkpoint per entry of
 *                        {@code checkpointSteps}
 * @param corpus          parallel corpus TSV ({@code id, lang, [topic,] text}); null = the bundled corpus
 * @param checkpointSteps steps to write, ascending; 0 is the initialisation, the last is the length of the run
 * @param seed            seeds the initialisation and the data order
 * @param threads         libtorch intra-op threads (process-wide); 0 keeps libtorch's default (one per core). The
 *                        written weights are identical for the same seed and thread count
 * @param merges          BPE merges to learn (vocabulary = 4 special + 256 bytes + merges, fewer if the corpus runs
 *                        out of repeated pairs)
 * @param hidden          residual width (MLP 4x)
 * @param layers          transformer blocks
 * @param heads           attention heads
 * @param seqLen          tokens per training sequence
 * @param batch           sequences per step
 * @param learningRate    peak AdamW learning rate (linear warm-up over the first 5 % of the steps, cosine decay to
 *                        10 %)
 * @param maxDuration     longest training time, or null: when it is reached the run writes a last checkpoint at the
 *                        step it got to and ends (the schedule stays the one planned for the last step)
 */
public record TrainingOptions(Path out, Path corpus, List<Integer> checkpointSteps, long seed, int threads,
                              int merges, int hidden, int layers, int heads, int seqLen, int batch,
                              double learningRate, Duration maxDuration) {

    public static final List<Integer> DEFAULT_STEPS = List.of(0, 50, 150, 400, 1000);

    public TrainingOptions {
        checkpointSteps = List.copyOf(checkpointSteps);
        for (int i = 0; i < checkpointSteps.size(); i++) {
            if (checkpointSteps.get(i) < 0 || (i > 0 && checkpointSteps.get(i) <= checkpointSteps.get(i - 1))) {
                throw new IllegalArgumentException("checkpoint steps must be non-negative and ascending, got "
                        + checkpointSteps);
            }
        }
        if (checkpointSteps.isEmpty() || totalSteps(checkpointSteps) < 1) {
            throw new IllegalArgumentException("checkpoint steps must include a step after 0, got " + checkpointSteps);
        }
        if (maxDuration != null && (maxDuration.isNegative() || maxDuration.isZero())) {
            throw new IllegalArgumentException("the longest training time must be positive, got " + maxDuration);
        }
        if (threads < 0 || merges < 0 || seqLen < 2 || batch < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("invalid training options: threads " + threads + ", merges " + merges
                    + ", seq len " + seqLen + ", batch " + batch + ", learning rate " + learningRate);
        }
    }

    /**
     * The defaults: 1,000 steps of a 4-layer, 64-wide model (1,024 MLP neurons) on 64-token sequences, one libtorch
     * thread, so that it trains in a few minutes beside the analysis pipeline on a 2-core machine.
     */
    public static TrainingOptions defaults(Path out) {
        return new TrainingOptions(out, null, DEFAULT_STEPS, 1, 1, 1000, 64, 4, 4, 64, 16, 2e-3, null);
    }

    public TrainingOptions withCorpus(Path file) {
        return new TrainingOptions(out, file, checkpointSteps, seed, threads, merges, hidden, layers, heads, seqLen,
                batch, learningRate, maxDuration);
    }

    public TrainingOptions withSteps(List<Integer> steps) {
        return new TrainingOptions(out, corpus, steps, seed, threads, merges, hidden, layers, heads, seqLen, batch,
                learningRate, maxDuration);
    }

    public TrainingOptions withSeed(long s) {
        return new TrainingOptions(out, corpus, checkpointSteps, s, threads, merges, hidden, layers, heads, seqLen,
                batch, learningRate, maxDuration);
    }

    public TrainingOptions withThreads(int n) {
        return new TrainingOptions(out, corpus, checkpointSteps, seed, n, merges, hidden, layers, heads, seqLen, batch,
                learningRate, maxDuration);
    }

    public TrainingOptions withMaxDuration(Duration d) {
        return new TrainingOptions(out, corpus, checkpointSteps, seed, threads, merges, hidden, layers, heads, seqLen,
                batch, learningRate, d);
    }

    /** The length of the run: the last checkpoint step. */
    public int totalSteps() {
        return totalSteps(checkpointSteps);
    }

    private static int totalSteps(List<Integer> steps) {
        return steps.get(steps.size() - 1);
    }
}
