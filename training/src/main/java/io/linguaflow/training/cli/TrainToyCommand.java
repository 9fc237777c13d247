package io.linguaflow.training.cli;

import io.linguaflow.training.ToyTraining;
import io.linguaflow.training.TrainingEvent;
import io.linguaflow.training.TrainingOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code linguaflow train-toy}: trains a small multilingual BLOOM on a parallel corpus and writes an HF checkpoint
 * at each requested step, one stdout line per checkpoint.
 */
@Command(name = "train-toy", mixinStandardHelpOptions = true,
        description = "Train a small multilingual BLOOM from scratch (byte-level BPE learned from the corpus, AdamW) "
                + "and write HF checkpoints OUT/step-N while it trains, plus OUT/corpus.tsv.")
public final class TrainToyCommand implements Callable<Integer> {

    /** The API's defaults are the command's (picocli shows a field's initial value as its default). */
    private static final TrainingOptions DEFAULTS = TrainingOptions.defaults(null);

    @Option(names = "--out", required = true, paramLabel = "OUT",
            description = "output directory (created if missing; must not hold step-N checkpoints)")
    Path out;

    @Option(names = "--steps", split = ",", paramLabel = "N,N,...",
            description = "checkpoint steps, ascending; 0 = the initialisation, the last = run length "
                    + "(default: ${DEFAULT-VALUE})")
    List<Integer> steps = new ArrayList<>(DEFAULTS.checkpointSteps());

    @Option(names = "--seed", description = "initialisation and data-order seed (default: ${DEFAULT-VALUE})")
    long seed = DEFAULTS.seed();

    // One thread by default: on a shared machine (the demo runs the pipeline beside it) libtorch's spinning
    // OpenMP workers made 2 threads 8x slower than 1 on 2 busy cores.
    @Option(names = "--threads",
            description = "libtorch intra-op threads, 0 = one per core; results are reproducible for a given seed and "
                    + "thread count (default: ${DEFAULT-VALUE})")
    int threads = DEFAULTS.threads();

    @Option(names = "--corpus", paramLabel = "C.tsv",
            description = "parallel corpus TSV with header id, lang, [topic,] text; every meaning in every language "
                    + "(default: the bundled 120 meanings x 9 languages)")
    Path corpus;

    @Option(names = "--merges", description = "BPE merges (default: ${DEFAULT-VALUE})")
    int merges = DEFAULTS.merges();

    @Option(names = "--hidden", description = "hidden size, MLP 4x (default: ${DEFAULT-VALUE})")
    int hidden = DEFAULTS.hidden();

    @Option(names = "--layers", description = "transformer blocks (default: ${DEFAULT-VALUE})")
    int layers = DEFAULTS.layers();

    @Option(names = "--heads", description = "attention heads (default: ${DEFAULT-VALUE})")
    int heads = DEFAULTS.heads();

    @Option(names = "--seq-len", description = "tokens per sequence (default: ${DEFAULT-VALUE})")
    int seqLen = DEFAULTS.seqLen();

    @Option(names = "--batch", description = "sequences per step (default: ${DEFAULT-VALUE})")
    int batch = DEFAULTS.batch();

    @Option(names = "--lr", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    double lr = DEFAULTS.learningRate();

    @Option(names = "--duration", paramLabel = "ISO-8601",
            description = "longest training time, e.g. PT2M: then a last checkpoint at the step reached, and the run ends")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        try {
            TrainingOptions o = new TrainingOptions(out, corpus, steps, seed, threads, merges, hidden, layers, heads,
                    seqLen, batch, lr, duration);
            ToyTraining.run(o, TrainToyCommand::print);
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static void print(TrainingEvent e) {
        if (e instanceof TrainingEvent.Started s) {
            System.err.printf("train-toy: %d meanings x %d languages, vocabulary %d (%.1f tokens/sentence), "
                            + "%,d parameters, %d steps -> %s%n", s.meanings(), s.languages(), s.vocabSize(),
                    s.tokensPerSentence(), s.parameters(), s.totalSteps(), s.out());
        } else if (e instanceof TrainingEvent.CheckpointWritten c) {
            System.out.printf("step %d  loss %.4f  %.1f s  %s%n", c.step(), c.loss(), c.elapsed().toMillis() / 1e3,
                    c.dir());
        } else if (e instanceof TrainingEvent.Finished f) {
            System.err.printf("train-toy: %d steps in %.1f s (%.2f steps/s)%n", f.steps(),
                    f.elapsed().toMillis() / 1e3, f.stepsPerSecond());
        }
    }
}
