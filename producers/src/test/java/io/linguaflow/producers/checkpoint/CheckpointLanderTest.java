package io.linguaflow.producers.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.testkit.TestCheckpoints;
import io.linguaflow.producers.Rejection;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.DeadLetter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLanderTest {

    @TempDir
    Path tmp;

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
    private final CheckpointLander lander = new CheckpointLander(LandingOptions.forCorpus("analysis-corpus"), CLOCK);

    @Test
    void trainingCheckpointsHashLikeTrendJson() throws Exception {
        Path run = SharedData.fixtures().resolve("checkpoints/bloom-tiny-train");
        JsonNode trend = new ObjectMapper().readTree(run.resolveSibling("trend.json").toFile());
        assertEquals(4, trend.get("checkpoints").size());
        for (JsonNode c : trend.get("checkpoints")) {
            long step = c.get("step").asLong();
            CheckpointLander.Landing landing = lander.land(run.resolve("step-" + step));
            CheckpointEvent e = landing.event();
            // trend.json's model_sha256 is the sha256 of model.safetensors: the content hash of a single-file checkpoint
            assertEquals(c.get("model_sha256").asText(), e.getContentHash(), "step " + step);
            assertEquals("bloom-tiny-train@" + step, e.getCheckpointId());
            assertEquals("bloom-tiny-train", e.getModel());
            assertEquals(step, e.getStep());
            assertEquals(run.resolve("step-" + step).toAbsolutePath().normalize().toString(), e.getPath());
            assertEquals("analysis-corpus", e.getCorpus());
            assertEquals("bloom", e.getArchitecture());
            assertEquals(4, e.getLayers());
            assertEquals(512, e.getNeuronsPerLayer()); // 4 x hidden 128 (fixtures/checkpoints/README.md: MLP 512)
            assertEquals(2.0, e.getThreshold());
            assertEquals(false, e.getLfCompat());
            assertEquals(CLOCK.instant(), e.getLandedAt());
            assertEquals(2048, landing.info().neuronCount());
        }
    }

    @Test
    void referenceModelsWithoutStep() throws Exception {
        Path llama = SharedData.fixtures().resolve("models/llama-tiny");
        CheckpointEvent e = lander.land(llama).event();
        assertNull(e.getStep());
        assertEquals("llama-tiny@" + e.getContentHash().substring(0, 12), e.getCheckpointId());
        assertEquals(TestCheckpoints.sha256(Files.readAllBytes(llama.resolve("model.safetensors"))), e.getContentHash());
        assertEquals("llama", e.getArchitecture());
        assertEquals(4, e.getLayers());
        assertEquals(172, e.getNeuronsPerLayer());
        CheckpointEvent named = new CheckpointLander(LandingOptions.forCorpus("c").withModel("tiny").withStep(7L)
                .withThreshold(2.5).withLfCompat(true), CLOCK).land(llama).event();
        assertEquals("tiny@7", named.getCheckpointId());
        assertEquals(2.5, named.getThreshold());
        assertTrue(named.getLfCompat());
    }

    @Test
    void shardedCheckpointHashesShardsInNameOrder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("run/checkpoint-300"));
        TestCheckpoints.singleFile(dir);
        Files.delete(dir.resolve("model.safetensors"));
        Map<String, long[]> first = new LinkedHashMap<>();
        first.put("a", new long[] {2, 2});
        first.put("b", new long[] {3});
        byte[] s1 = TestCheckpoints.f32(first);
        byte[] s2 = TestCheckpoints.f32(Map.of("c", new long[] {5}));
        Files.write(dir.resolve("model-00001-of-00002.safetensors"), s1);
        Files.write(dir.resolve("model-00002-of-00002.safetensors"), s2);
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{"
                + "\"c\":\"model-00002-of-00002.safetensors\",\"a\":\"model-00001-of-00002.safetensors\","
                + "\"b\":\"model-00001-of-00002.safetensors\"}}");
        Files.writeString(dir.resolve("trainer_state.json"), "{\"global_step\": 300}");
        CheckpointLander.Landing l = lander.land(dir);
        assertEquals("run@300", l.event().getCheckpointId());
        assertEquals(TestCheckpoints.sha256(s1, s2), l.event().getContentHash());
        assertEquals(3, l.info().tensors());
        assertEquals(s1.length + s2.length, l.info().weightBytes());

        // the index names a tensor the shard does not have
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{"
                + "\"c\":\"model-00002-of-00002.safetensors\",\"z\":\"model-00001-of-00002.safetensors\"}}");
        assertBroken(dir, dir.resolve("model-00001-of-00002.safetensors"), "lacks tensor 'z'");
        // a missing shard
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{"
                + "\"c\":\"model-00003-of-00002.safetensors\"}}");
        assertBroken(dir, dir.resolve("model-00003-of-00002.safetensors"), "missing shard");
        // a shard outside the directory
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"c\":\"../x.safetensors\"}}");
        assertBroken(dir, dir.resolve("model.safetensors.index.json"), "not a file name in the checkpoint directory");
    }

    private void assertBroken(Path dir, Path file, String what) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> lander.land(dir));
        assertEquals(file.toAbsolutePath().normalize(), e.file());
        assertTrue(e.getMessage().contains(what), e.getMessage());
        Rejection r = CheckpointLander.rejection(e);
        assertEquals(e.file().toString(), r.input());
        DeadLetter dl = r.toDeadLetter(CLOCK.instant());
        assertEquals("BrokenCheckpoint", dl.getErrorClass());
        assertEquals(e.getMessage(), dl.getError());
    }

    @Test
    void brokenCheckpointsNameTheFile() throws Exception {
        Path dir = TestCheckpoints.singleFile(tmp.resolve("m/step-5"));
        assertEquals("m@5", lander.land(dir).event().getCheckpointId());

        byte[] weights = Files.readAllBytes(dir.resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), Arrays.copyOf(weights, weights.length - 4));
        assertBroken(dir, dir.resolve("model.safetensors"), "truncated");
        Files.delete(dir.resolve("model.safetensors"));
        assertBroken(dir, dir.resolve("model.safetensors"), "no model.safetensors and no model.safetensors.index.json");
        Files.write(dir.resolve("model.safetensors"), weights);

        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\":");
        assertBroken(dir, dir.resolve("tokenizer.json"), "does not parse as JSON");
        Files.delete(dir.resolve("tokenizer.json"));
        assertBroken(dir, dir.resolve("tokenizer.json"), "missing");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");

        Files.writeString(dir.resolve("config.json"), "[]");
        assertBroken(dir, dir.resolve("config.json"), "is not a JSON object");
        Files.delete(dir.resolve("config.json"));
        assertBroken(dir, dir.resolve("config.json"), "missing");
        assertBroken(tmp.resolve("nothing"), tmp.resolve("nothing"), "not a directory");
    }

    @Test
    void stepFromTrainerStateMustAgreeWithName() throws Exception {
        Path dir = TestCheckpoints.singleFile(tmp.resolve("out/checkpoint-5"));
        Files.writeString(dir.resolve("trainer_state.json"), "{\"global_step\": 6}");
        assertBroken(dir, dir.resolve("trainer_state.json"), "global_step 6 contradicts the directory name checkpoint-5");
        Files.writeString(dir.resolve("trainer_state.json"), "{\"global_step\": \"x\"}");
        assertBroken(dir, dir.resolve("trainer_state.json"), "global_step is missing or not a non-negative integer");

        Path plain = TestCheckpoints.singleFile(tmp.resolve("final-model"));
        Files.writeString(plain.resolve("trainer_state.json"), "{\"global_step\": 1600, \"epoch\": 3.0}");
        assertEquals("final-model@1600", lander.land(plain).event().getCheckpointId());
    }

    @Test
    void modelNames() {
        assertEquals("run", CheckpointLander.model(Path.of("/x/run/step-3")));
        assertEquals("run", CheckpointLander.model(Path.of("/x/run")));
    }
}
