package io.linguaflow.training;

import java.nio.file.Path;
import java.util.List;

/** Options small enough for tests: a few seconds of training on the bundled corpus. */
public final class Tiny {

    private Tiny() {
    }

    public static TrainingOptions options(Path out, List<Integer> steps) {
        return new TrainingOptions(out, null, steps, 3, 1, 200, 32, 2, 2, 32, 8, 3e-3, null);
    }
}
