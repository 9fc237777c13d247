package io.linguaflow.launcher.demo;

import io.linguaflow.training.ToyTraining;
import io.linguaflow.training.TrainingEvent;
import io.linguaflow.training.TrainingOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The demo's training run: {@link ToyTraining} on a thread of its own, writing checkpoints into a directory that the
 * demo's checkpoint watcher lands from. Its events become terminal lines.
 */
final class ToyRun implements AutoCloseable {

    /** The model's name, and so the checkpoint ids ({@code toy-bloom@<step>}): the checkpoints' parent directory. */
    static final String MODEL_NAME = "toy-bloom";
    /** The corpus name the demo publishes the training corpus under. */
    static final String CORPUS_NAME = "everyday9";
    static final List<Integer> DEFAULT_STEPS = TrainingOptions.DEFAULT_STEPS;
    private static final long PROGRESS_LINE_NANOS = Duration.ofSeconds(15).toNanos();

    private final Thread thread;
    private final Path corpusFile;
    private final Terminal out;
    private volatile boolean finished;
    private volatile Throwable failure;
    private volatile int written;
    private volatile boolean started;
    private long lastLine;

    private ToyRun(TrainingOptions options, Terminal out) {
        this.out = out;
        this.corpusFile = options.out().resolve("corpus.tsv");
        this.thread = new Thread(() -> {
            try {
                ToyTraining.run(options, this::onEvent);
            } catch (InterruptedException e) {
                // stopped by close()
            } catch (Throwable t) {
                failure = t;
                out.event("training FAILED: %s", t.getMessage());
            } finally {
                finished = true;
            }
        }, "demo-training");
    }

    /** Starts training into {@code dir}; returns once the corpus file is written (or training failed). */
    static ToyRun start(Path dir, List<Integer> steps, Duration duration, long seed, Terminal out) throws Exception {
        TrainingOptions options = TrainingOptions.defaults(dir).withSteps(steps).withSeed(seed).withMaxDuration(duration);
        ToyRun run = new ToyRun(options, out);
        run.thread.start();
        while (!run.started && !run.finished) {
            Thread.sleep(50);
        }
        run.rethrowFailure();
        return run;
    }

    private void onEvent(TrainingEvent e) {
        long now = System.nanoTime();
        if (e instanceof TrainingEvent.Started s) {
            out.event("training a toy BLOOM: %,d parameters, vocabulary %d (byte-level BPE, %.1f tokens/sentence), "
                    + "%d meanings x %d languages, %d steps", s.parameters(), s.vocabSize(), s.tokensPerSentence(),
                    s.meanings(), s.languages(), s.totalSteps());
            lastLine = now;
            started = true;
        } else if (e instanceof TrainingEvent.Progress p && now - lastLine > PROGRESS_LINE_NANOS) {
            lastLine = now;
            double perStep = p.elapsed().toNanos() / 1e9 / p.step();
            out.event("training: step %d/%d, loss %.3f, ETA %.0f s", p.step(), p.totalSteps(), p.loss(),
                    perStep * (p.totalSteps() - p.step()));
        } else if (e instanceof TrainingEvent.CheckpointWritten c) {
            written++;
            out.event("checkpoint written: step %d, loss %.3f -> %s", c.step(), c.loss(), c.dir());
        } else if (e instanceof TrainingEvent.Finished f) {
            out.event("training done: %d steps in %.0f s (%.1f steps/s)", f.steps(), f.elapsed().toNanos() / 1e9,
                    f.stepsPerSecond());
        }
    }

    /** The corpus the model trains on ({@code id, lang, topic, text}), which the demo analyses the checkpoints on. */
    Path corpusFile() {
        return corpusFile;
    }

    boolean finished() {
        return finished;
    }

    int checkpointsWritten() {
        return written;
    }

    void rethrowFailure() throws Exception {
        if (failure instanceof Exception e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** Stops training (if it still runs) and waits for its thread. */
    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(60_000);
    }
}
