package io.linguaflow.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainingStepTest {

    @Test
    void stepNames() {
        for (String name : new String[] {"step-12", "step_12", "step12", "checkpoint-12", "global_step12"}) {
            assertEquals(12L, TrainingStep.DIR_NAME.matcher(name).matches()
                    ? Long.parseLong(TrainingStep.DIR_NAME.matcher(name).replaceAll("$1")) : null, name);
            assertEquals(12L, TrainingStep.ofName(Path.of("/runs/m", name)), name);
            assertEquals(12L, TrainingStep.ofName(name), name); // a hub revision name
        }
        assertTrue(!TrainingStep.DIR_NAME.matcher("stepping").matches());
        assertNull(TrainingStep.ofName(Path.of("/")));
        assertNull(TrainingStep.ofName("main"));
    }
}
