package io.linguaflow.producers.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.linguaflow.schemas.avro.CheckpointEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a checkpoint directory into a {@link CheckpointEvent}: validates it ({@link CheckpointInspector}), hashes its
 * weights, and names it.
 *
 * <p>Naming. Step: the option, else the directory name ({@code step-N}, {@code step_N}, {@code checkpointN},
 * {@code checkpoint-N}, {@code global_stepN}), else {@code global_step} in {@code trainer_state.json}; when both the
 * name and trainer_state.json give one they must agree. Model: the option, else the parent directory's name when
 * the directory is named after a step ({@code runs/bloom-tiny-train/step-200} → {@code bloom-tiny-train}), else the
 * directory's own name. {@code checkpointId} = {@code <model>@<step>}, or {@code <model>@<first 12 hex of the
 * content hash>} without a step.
 */
public final class CheckpointLander {

    static final Pattern STEP_DIR = Pattern.compile("(?:step|checkpoint|global_step)[-_]?(\\d{1,18})");
    static final String TRAINER_STATE = "trainer_state.json";

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
        Long step = options.step() != null ? options.step() : step(abs);
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

    /** The step from the directory name and/or trainer_state.json (which must agree), or null. */
    static Long step(Path dir) throws CheckpointException {
        Long fromName = stepOfName(dir);
        Long fromState = null;
        Path state = dir.resolve(TRAINER_STATE);
        if (Files.exists(state)) {
            JsonNode s = CheckpointInspector.readJson(state).get("global_step");
            if (s == null || !s.isIntegralNumber() || s.asLong() < 0) {
                throw new CheckpointException(state, "global_step is missing or not a non-negative integer: " + s);
            }
            fromState = s.asLong();
        }
        if (fromName != null && fromState != null && !fromName.equals(fromState)) {
            throw new CheckpointException(state, "global_step " + fromState + " contradicts the directory name "
                    + dir.getFileName() + " (step " + fromName + ")");
        }
        return fromName != null ? fromName : fromState;
    }

    static String model(Path dir) {
        Path parent = dir.getParent();
        boolean stepNamed = stepOfName(dir) != null;
        String name = (stepNamed && parent != null && parent.getFileName() != null ? parent : dir).getFileName().toString();
        return name.replace('@', '_');
    }

    private static Long stepOfName(Path dir) {
        if (dir.getFileName() == null) {
            return null;
        }
        Matcher m = STEP_DIR.matcher(dir.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : null;
    }
}
