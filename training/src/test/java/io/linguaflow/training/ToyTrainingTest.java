package io.linguaflow.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.checkpoint.CheckpointInfo;
import io.linguaflow.checkpoint.CheckpointInspector;
import io.linguaflow.checkpoint.SafeTensors;
import io.linguaflow.checkpoint.TrainingStep;
import io.linguaflow.training.corpus.TrainingCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One short run (and a repeat of it) of the whole training, checked from the outside. */
class ToyTrainingTest {

    static final List<Integer> STEPS = List.of(0, 5, 60);

    @TempDir
    static Path tmp;
    static List<TrainingEvent> events = new ArrayList<>();

    @BeforeAll
    static void train() throws Exception {
        ToyTraining.run(Tiny.options(tmp.resolve("a"), STEPS), events::add);
    }

    @Test
    void outOfTimeWritesALastCheckpointAtTheStepReached() throws Exception {
        List<TrainingEvent> seen = new ArrayList<>();
        Path out = tmp.resolve("short");
        ToyTraining.run(Tiny.options(out, List.of(0, 100_000)).withMaxDuration(java.time.Duration.ofMillis(1)), seen::add);
        List<Integer> written = seen.stream().filter(e -> e instanceof TrainingEvent.CheckpointWritten)
                .map(e -> ((TrainingEvent.CheckpointWritten) e).step()).toList();
        assertEquals(List.of(0, 1), written, "step 0, then the step the time ran out at");
        assertEquals(1, ((TrainingEvent.Finished) seen.get(seen.size() - 1)).steps());
        assertEquals(1L, TrainingStep.of(out.resolve("step-1")));
    }

    @Test
    void lossDecreases() {
        List<Double> losses = events.stream().filter(e -> e instanceof TrainingEvent.Progress)
                .map(e -> ((TrainingEvent.Progress) e).loss()).toList();
        assertEquals(60, losses.size());
        double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(55, 60).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < first - 1.0, "loss " + first + " -> " + last);
    }

    @Test
    void writesInspectableCheckpointsAndTheCorpus() throws Exception {
        assertTrue(events.get(0) instanceof TrainingEvent.Started);
        assertTrue(events.get(events.size() - 1) instanceof TrainingEvent.Finished);
        List<Integer> written = events.stream().filter(e -> e instanceof TrainingEvent.CheckpointWritten)
                .map(e -> ((TrainingEvent.CheckpointWritten) e).step()).toList();
        assertEquals(STEPS, written);
        Path out = tmp.resolve("a");
        for (int step : STEPS) {
            Path dir = out.resolve("step-" + step);
            CheckpointInfo info = CheckpointInspector.inspect(dir);
            assertEquals("bloom", info.architecture());
            assertEquals(2, info.layers());
            assertEquals(step, TrainingStep.of(dir));
            for (String f : List.of("tokenizer_config.json", "special_tokens_map.json")) {
                assertTrue(Files.isRegularFile(dir.resolve(f)), f);
            }
        }
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of("corpus.tsv", "step-0", "step-5", "step-60"),
                    s.map(p -> p.getFileName().toString()).sorted().toList(), "no partial directory left");
        }
        assertEquals(TrainingCorpus.bundled().texts(), TrainingCorpus.read(out.resolve("corpus.tsv")).texts());
    }

    @Test
    void sameSeedAndThreadsWriteIdenticalWeights() throws Exception {
        ToyTraining.run(Tiny.options(tmp.resolve("b"), STEPS), e -> { });
        for (int step : STEPS) {
            String f = "step-" + step + "/" + SafeTensors.SINGLE;
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)),
                    Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
        }
    }

    @Test
    void refusesAnOutputDirectoryWithCheckpoints() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ToyTraining.run(Tiny.options(tmp.resolve("a"), STEPS), ev -> { }));
        assertEquals("output directory " + tmp.resolve("a") + " already holds checkpoints [step-0, step-5, step-60]; "
                + "choose a new directory", e.getMessage());
    }
}
