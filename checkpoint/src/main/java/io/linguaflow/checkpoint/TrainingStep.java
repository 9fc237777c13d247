package io.linguaflow.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The training step of a checkpoint directory: from its name ({@code step-N}, {@code step_N}, {@code stepN},
 * {@code checkpoint-N} as the HF Trainer writes, {@code global_stepN} as DeepSpeed writes) and/or from
 * {@code global_step} in the HF Trainer's {@code trainer_state.json}; when both give one they must agree.
 */
public final class TrainingStep {

    public static final Pattern DIR_NAME = Pattern.compile("(?:step|checkpoint|global_step)[-_]?(\\d{1,18})");
    public static final String TRAINER_STATE = "trainer_state.json";

    private TrainingStep() {
    }

    /** The step from the directory name and/or trainer_state.json (which must agree), or null. */
    public static Long of(Path dir) throws CheckpointException {
        Long fromName = ofName(dir);
        Long fromState = null;
        Path state = dir.resolve(TRAINER_STATE);
        if (Files.exists(state)) {
            JsonNode s = JsonFiles.readObject(state).get("global_step");
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

    /** The step in the directory's name, or null when the name carries none. */
    public static Long ofName(Path dir) {
        return dir.getFileName() == null ? null : ofName(dir.getFileName().toString());
    }

    /** The step a name carries ({@code step-N}, {@code global_stepN}, ...: a directory or a hub revision), or null. */
    public static Long ofName(String name) {
        Matcher m = DIR_NAME.matcher(name);
        return m.matches() ? Long.parseLong(m.group(1)) : null;
    }
}
