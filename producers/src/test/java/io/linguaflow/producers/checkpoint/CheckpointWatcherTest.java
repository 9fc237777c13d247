package io.linguaflow.producers.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.checkpoint.testkit.TestCheckpoints;
import io.linguaflow.schemas.avro.CheckpointEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointWatcherTest {

    @TempDir
    Path root;

    private final CheckpointLander lander = new CheckpointLander(LandingOptions.forCorpus("analysis-corpus"),
            Clock.systemUTC());

    private static Path fixtureStep(int step) {
        return SharedData.fixtures().resolve("checkpoints/bloom-tiny-train/step-" + step);
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static CheckpointEvent landed(List<CheckpointWatcher.Outcome> outcomes) {
        assertEquals(1, outcomes.size(), outcomes.toString());
        return assertInstanceOf(CheckpointWatcher.Landed.class, outcomes.get(0)).event();
    }

    @Test
    void landsEachCheckpointOnceWhenCompleteAndStable() throws Exception {
        Path run = Files.createDirectories(root.resolve("bloom-tiny-train"));
        try (CheckpointWatcher w = new CheckpointWatcher(root, lander, CheckpointWatcher.DEFAULT_MAX_DEPTH, Duration.ZERO)) {
            assertTrue(w.scan().isEmpty());

            copyDir(fixtureStep(0), run.resolve("step-0"));
            assertTrue(w.scan().isEmpty(), "first sighting: not yet known to be stable");
            CheckpointEvent e0 = landed(w.scan());
            assertEquals("bloom-tiny-train@0", e0.getCheckpointId());
            assertEquals("d44108d1e18c329d0a5232005565326014e6da274f307b59efdb6b3e4338fb0a", e0.getContentHash());
            assertTrue(w.scan().isEmpty(), "an unchanged checkpoint is not landed again");

            // step-50 arrives in pieces: weights half written, then the rest.
            Path step50 = run.resolve("step-50");
            Files.createDirectories(step50);
            byte[] weights = Files.readAllBytes(fixtureStep(50).resolve("model.safetensors"));
            Files.write(step50.resolve("model.safetensors"), Arrays.copyOf(weights, weights.length / 2));
            assertTrue(w.scan().isEmpty(), "no config.json yet: not a candidate");
            for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
                Files.copy(fixtureStep(50).resolve(f), step50.resolve(f));
            }
            assertTrue(w.scan().isEmpty());
            // a writer that stalls past the quiet period gets the directory judged: rejected, naming the file
            List<CheckpointWatcher.Outcome> stalled = w.scan();
            assertEquals(1, stalled.size());
            CheckpointWatcher.Rejected rejected = assertInstanceOf(CheckpointWatcher.Rejected.class, stalled.get(0));
            assertEquals(step50.resolve("model.safetensors").toString(), rejected.rejection().input());
            assertTrue(rejected.rejection().error().contains("truncated"), rejected.rejection().error());
            assertTrue(w.scan().isEmpty(), "judged once per listing");
            try (OutputStream out = Files.newOutputStream(step50.resolve("model.safetensors"), StandardOpenOption.APPEND)) {
                out.write(weights, weights.length / 2, weights.length - weights.length / 2);
            }
            assertTrue(w.scan().isEmpty(), "changed: must be seen unchanged once more");
            assertEquals("bloom-tiny-train@50", landed(w.scan()).getCheckpointId());

            // a symlinked checkpoint lands; the same weights under a second name are a duplicate
            Files.createSymbolicLink(run.resolve("step-200"), fixtureStep(200));
            w.scan();
            CheckpointEvent e200 = landed(w.scan());
            assertEquals("bloom-tiny-train@200", e200.getCheckpointId());
            assertEquals(run.resolve("step-200").toString(), e200.getPath());
            Files.createSymbolicLink(root.resolve("copy-of-200"), fixtureStep(200));
            w.scan();
            List<CheckpointWatcher.Outcome> dup = w.scan();
            assertEquals(List.of(new CheckpointWatcher.Duplicate(root.resolve("copy-of-200"), e200.getContentHash(),
                    "bloom-tiny-train@200")), dup);
            assertTrue(w.scan().isEmpty());
        }
    }

    @Test
    void quietPeriodDelaysJudgement() throws Exception {
        try (CheckpointWatcher w = new CheckpointWatcher(root, lander, 1, Duration.ofHours(1))) {
            TestCheckpoints.singleFile(root.resolve("m"));
            for (int i = 0; i < 5; i++) {
                assertTrue(w.scan().isEmpty());
            }
        }
    }

    @Test
    void depthLimitsTheSearch() throws Exception {
        TestCheckpoints.singleFile(root.resolve("a/b/c/deep"));
        try (CheckpointWatcher w = new CheckpointWatcher(root, lander, 3, Duration.ZERO)) {
            w.scan();
            assertTrue(w.scan().isEmpty(), "depth 4 is beyond maxDepth 3");
        }
        try (CheckpointWatcher w = new CheckpointWatcher(root, lander, 4, Duration.ZERO)) {
            w.scan();
            CheckpointEvent e = landed(w.scan());
            assertEquals("deep@" + e.getContentHash().substring(0, 12), e.getCheckpointId());
        }
    }

    @Test
    void hiddenDirectoriesAreStagingAreas() throws Exception {
        TestCheckpoints.singleFile(root.resolve("run/.step-5.partial"));
        try (CheckpointWatcher w = new CheckpointWatcher(root, lander, 3, Duration.ZERO)) {
            w.scan();
            assertTrue(w.scan().isEmpty(), "a checkpoint staged under a dot-name is not landed");
            Files.move(root.resolve("run/.step-5.partial"), root.resolve("run/step-5"));
            w.scan();
            assertEquals("run@5", landed(w.scan()).getCheckpointId());
        }
    }

    @Test
    void symlinkLoopsEndTheDescent() throws Exception {
        Path m = TestCheckpoints.singleFile(root.resolve("m"));
        Files.createSymbolicLink(m.resolve("loop"), root);
        try (CheckpointWatcher w = new CheckpointWatcher(root, lander, 10, Duration.ZERO)) {
            w.scan();
            assertEquals("m@", landed(w.scan()).getCheckpointId().substring(0, 2));
        }
    }

    @Test
    void pollWakesOnFileSystemEvents() throws Exception {
        try (CheckpointWatcher w = new CheckpointWatcher(root, lander, 2, Duration.ofMillis(200))) {
            assertTrue(w.poll(Duration.ofMillis(10)).isEmpty());
            long t0 = System.nanoTime();
            copyDir(fixtureStep(800), root.resolve("bloom-tiny-train/step-800"));
            List<CheckpointWatcher.Outcome> got = new ArrayList<>();
            while (got.isEmpty()) {
                if (System.nanoTime() - t0 > Duration.ofSeconds(30).toNanos()) {
                    fail("step-800 was not landed within 30 s");
                }
                got = w.poll(Duration.ofMillis(300));
            }
            assertEquals("bloom-tiny-train@800", landed(got).getCheckpointId());
            System.out.printf("CheckpointWatcherTest: step-800 landed %d ms after the copy began%n",
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
