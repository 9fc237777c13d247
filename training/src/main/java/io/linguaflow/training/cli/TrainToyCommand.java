package io.linguaflow.training.cli;

import io.linguaflow.training.ToyTraining;
import io.linguaflow.training.TrainingEvent;
import io.linguaflow.training.TrainingOptions;
import java.io.IOException;
import java.nio.file.Path;
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

    @Option(names = "--out", required = true, paramLabel = "OUT",
            description = "output directory (created if missing; must not hold step-N checkpoints)")
    Path out;

    @Option(names = "--steps", split = ",", paramLabel = "N,N,...", defaultValue = "0,50,150,400,1000",
            description = "checkpoint steps, ascending; 0 = the initialisation, the last = run length "
                    + "(default: ${DEFAULT-VALUE})")
    List<Integer> steps;

    @Option(names = "--seed", defaultValue = "1", description = "initialisation and data-order seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", defaultValue = "0",
            description = "libtorch intra-op threads; results are reproducible for a given seed and thread count "
                    + "(default: 0 = one per core)")
    int threads;

    @Option(names = "--corpus", paramLabel = "C.tsv",
            description = "parallel corpus TSV with header id, lang, [topic,] text; every meaning in every language "
                    + "(default: the bundled 120 meanings x 9 languages)")
    Path corpus;

    @Option(names = "--merges", defaultValue = "1000", description = "BPE merges (default: ${DEFAULT-VALUE})")
    int merges;

    @Option(names = "--hidden", defaultValue = "128", description = "hidden size, MLP 4x (default: ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--layers", defaultValue = "4", description = "transformer blocks (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "attention heads (default: ${DEFAULT-VALUE})")
    int heads;

    @Option(names = "--seq-len", defaultValue = "128", description = "tokens per sequence (default: ${DEFAULT-VALUE})")
    int seqLen;

    @Option(names = "--batch", defaultValue = "16", description = "sequences per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-3", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Override
    public Integer call() throws Exception {
        try {
            TrainingOptions o = new TrainingOptions(out, corpus, steps, seed, threads, merges, hidden, layers, heads,
                    seqLen, batch, lr);
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
