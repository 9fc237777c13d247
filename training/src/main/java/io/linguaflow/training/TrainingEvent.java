package io.linguaflow.training;

import java.nio.file.Path;
import java.time.Duration;

/** What {@link ToyTraining} reports while it runs, in this order: started, progress and checkpoints, finished. */
public sealed interface TrainingEvent {

    /** Tokenizer learned, model initialised; training starts. */
    record Started(Path out, int totalSteps, int vocabSize, long parameters, int languages, int meanings,
                   double tokensPerSentence) implements TrainingEvent {
    }

    /** One optimiser update done; {@code loss} is the batch loss before it. */
    record Progress(int step, int totalSteps, double loss, double learningRate, double gradNorm, Duration elapsed)
            implements TrainingEvent {
    }

    /** {@code dir} is complete (moved into place atomically); {@code loss} is the mean of the last batch losses. */
    record CheckpointWritten(int step, Path dir, double loss, Duration elapsed) implements TrainingEvent {
    }

    record Finished(int steps, Duration elapsed, double stepsPerSecond) implements TrainingEvent {
    }
}
