package io.linguaflow.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.linguaflow.checkpoint.TrainingStep;
import io.linguaflow.training.checkpoint.CheckpointWriter;
import io.linguaflow.training.corpus.TrainingCorpus;
import io.linguaflow.training.data.PackedSequences;
import io.linguaflow.training.model.ModelShape;
import io.linguaflow.training.model.TrainableBloom;
import io.linguaflow.training.optim.AdamW;
import io.linguaflow.training.optim.LearningRate;
import io.linguaflow.training.tokenizer.BpeTokenizer;
import io.linguaflow.training.tokenizer.BpeTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Trains a small multilingual BLOOM from scratch on a parallel corpus and writes HF checkpoints while it trains:
 * learns a byte-level BPE tokenizer from the corpus, initialises the model as HF does, then runs AdamW on packed
 * monolingual and translation-pair sequences through the worker's own forward pass (DJL autograd, float32, CPU).
 *
 * <pre>{@code
 * ToyTraining.run(TrainingOptions.defaults(out), event -> log(event));
 * }</pre>
 *
 * Cancel by interrupting the calling thread: the run stops before its next step, removes its partial directory
 * and throws {@link InterruptedException}; the checkpoints already written stay.
 */
public final class ToyTraining {

    /** Losses averaged into a checkpoint's reported loss. */
    private static final int LOSS_WINDOW = 10;
    /** Share of the run spent warming the learning rate up. */
    private static final double WARMUP = 0.05;

    private ToyTraining() {
    }

    /**
     * Runs the training; {@code listener} is called on this thread.
     *
     * @throws IllegalArgumentException bad options, a corpus with missing translations, or an output directory that
     *                                  already holds checkpoints
     */
    public static void run(TrainingOptions o, Consumer<TrainingEvent> listener) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        TrainingCorpus corpus = o.corpus() == null ? TrainingCorpus.bundled() : TrainingCorpus.read(o.corpus());
        prepareOutput(o.out());
        corpus.write(o.out().resolve("corpus.tsv"));

        BpeTokenizer tokenizer = BpeTrainer.train(corpus.texts(), o.merges());
        ModelShape shape = new ModelShape(tokenizer.vocabSize(), o.hidden(), o.layers(), o.heads());
        int total = o.totalSteps();
        CheckpointWriter writer = new CheckpointWriter(o.out(), shape, tokenizer, total);
        PackedSequences data = new PackedSequences(corpus, tokenizer, o.seqLen(), o.seed());
        LearningRate schedule = new LearningRate(o.learningRate(), (int) Math.ceil(total * WARMUP), total, 0.1);
        Engine engine = Engine.getEngine("PyTorch"); // loads libtorch, which the thread setting needs
        if (o.threads() > 0) {
            JniUtils.setNumThreads(o.threads());
        }
        try (NDManager manager = engine.newBaseManager(Device.cpu())) {
            Path init = writer.prepare(0, shape.initialWeights(new SplittableRandom(o.seed())));
            try (TrainableBloom model = TrainableBloom.load(init, manager);
                 AdamW optimizer = new AdamW(model.parameters(), AdamW.Settings.BLOOM, manager)) {
                long params = model.parameters().values().stream().mapToLong(NDArray::size).sum();
                double perSentence = corpus.texts().stream().mapToInt(t -> tokenizer.encode(t).length).average()
                        .orElse(0);
                listener.accept(new TrainingEvent.Started(o.out(), total, tokenizer.vocabSize(), params,
                        corpus.languages().size(), corpus.meanings().size(), perSentence));
                Deque<Double> recent = new ArrayDeque<>();
                long trainStart = System.nanoTime();
                int steps = 0;
                for (int step = 1; step <= total; step++) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException("training interrupted before step " + step);
                    }
                    double loss = lossAndGradients(engine, manager, model, data, o);
                    if (step == 1 && o.checkpointSteps().contains(0)) {
                        emit(listener, writer.publish(init, 0, loss, 0), 0, loss, t0);
                    }
                    double lr = schedule.at(step);
                    double norm = optimizer.step(lr);
                    recent.addLast(loss);
                    if (recent.size() > LOSS_WINDOW) {
                        recent.removeFirst();
                    }
                    listener.accept(new TrainingEvent.Progress(step, total, loss, lr, norm, since(t0)));
                    boolean outOfTime = o.maxDuration() != null && since(t0).compareTo(o.maxDuration()) >= 0;
                    if (o.checkpointSteps().contains(step) || outOfTime) {
                        double mean = recent.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
                        emit(listener, writer.publish(writer.prepare(step, model.weights()), step, mean, lr), step,
                                mean, t0);
                    }
                    steps = step;
                    if (outOfTime) {
                        break;
                    }
                }
                listener.accept(new TrainingEvent.Finished(steps, since(t0),
                        steps / ((System.nanoTime() - trainStart) / 1e9)));
            }
        } finally {
            writer.discardPartials();
        }
    }

    /** Forward and backward on the next batch; the gradients stay on the parameters. Returns the batch loss. */
    private static double lossAndGradients(Engine engine, NDManager manager, TrainableBloom model,
                                           PackedSequences data, TrainingOptions o) {
        // per-step manager: the batch, the graph's tensors and the loss are freed when the step ends
        try (NDManager m = manager.newSubManager()) {
            NDArray batch = m.create(data.next(o.batch()), new Shape(o.batch(), o.seqLen() + 1));
            try (GradientCollector gc = engine.newGradientCollector()) {
                NDArray loss = model.loss(batch);
                gc.backward(loss);
                return loss.getFloat();
            }
        }
    }

    private static void emit(Consumer<TrainingEvent> listener, Path dir, int step, double loss, long t0) {
        listener.accept(new TrainingEvent.CheckpointWritten(step, dir, loss, since(t0)));
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Creates {@code out} or accepts an existing directory without checkpoints in it. */
    private static void prepareOutput(Path out) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + " exists and is not a directory");
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create output directory " + out + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(out)) {
            throw new IllegalArgumentException("output directory " + out + " is not writable");
        }
        try (Stream<Path> s = Files.list(out)) {
            List<String> steps = s.filter(p -> TrainingStep.ofName(p) != null).map(p -> p.getFileName().toString())
                    .sorted().toList();
            if (!steps.isEmpty()) {
                throw new IllegalArgumentException("output directory " + out + " already holds checkpoints "
                        + steps + "; choose a new directory");
            }
        }
    }
}
