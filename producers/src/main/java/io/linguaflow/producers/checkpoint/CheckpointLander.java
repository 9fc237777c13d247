package io.linguaflow.producers.checkpoint;

import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.CheckpointInfo;
import io.linguaflow.checkpoint.CheckpointInspector;
import io.linguaflow.checkpoint.TrainingStep;
import io.linguaflow.producers.Rejection;
import io.linguaflow.schemas.avro.CheckpointEvent;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Turns a checkpoint directory into a {@link CheckpointEvent}: validates it ({@link CheckpointInspector}), hashes its
 * weights, and names it.
 *
 * <p>Naming. Step: the option, else the directory name and/or {@code trainer_state.json} ({@link TrainingStep}).
 * Model: the option, else the parent directory's name when the directory is named after a step
 * ({@code runs/bloom-tiny-train/step-200} → {@code bloom-tiny-train}), else the directory's own name. {@code checkpointId} = {@code <model>@<step>}, or {@code <model>@<first 12 hex of the
 * content hash>} without a step.
 */
public final class CheckpointLander {

    private final LandingOptions options;
    private final Clock clock;

    public CheckpointLander(LandingOptions options, Clock clock) {
        this.options = options;
        this.clock = clock;
    }

    /** A landed checkpoint: the event to publish and what the inspection found. */
    public record Landing(CheckpointEvent event, CheckpointInfo info) {
    }

    /** Validates, hashes and names {@code dir}. */
    public Landing land(Path dir) throws CheckpointException {
        Path abs = dir.toAbsolutePath().normalize();
        CheckpointInfo info = CheckpointInspector.inspect(abs);
        String hash = CheckpointInspector.contentHash(info);
        Long step = options.step() != null ? options.step() : TrainingStep.of(abs);
        String model = options.model() != null ? options.model() : model(abs);
        CheckpointEvent event = CheckpointEvent.newBuilder()
                .setCheckpointId(model + "@" + (step != null ? step.toString() : hash.substring(0, 12)))
                .setModel(model)
                .setStep(step)
                .setPath(abs.toString())
                .setContentHash(hash)
                .setCorpus(options.corpus())
                .setThreshold(options.threshold())
                .setLfCompat(options.lfCompat())
                .setArchitecture(info.architecture())
                .setLayers(info.layers())
                .setNeuronsPerLayer(info.neuronsPerLayer())
                .setLandedAt(clock.instant())
                .build();
        return new Landing(event, info);
    }

    /** The dead letter of a checkpoint that cannot be landed: input = the file at fault. */
    public static Rejection rejection(CheckpointException e) {
        return new Rejection(e.file().toString(), "BrokenCheckpoint", e.getMessage(), null, null);
    }

    static String model(Path dir) {
        Path parent = dir.getParent();
        boolean stepNamed = TrainingStep.ofName(dir) != null;
        String name = (stepNamed && parent != null && parent.getFileName() != null ? parent : dir).getFileName().toString();
        return name.replace('@', '_');
    }
}
