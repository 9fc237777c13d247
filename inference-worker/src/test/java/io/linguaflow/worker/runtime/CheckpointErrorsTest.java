package io.linguaflow.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.SafeTensors;
import io.linguaflow.checkpoint.testkit.TestCheckpoints;
import io.linguaflow.worker.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad checkpoints fail at load time, before any inference, with a message naming the file and the tensor. */
class CheckpointErrorsTest {

    private static final String DOWN1 = "transformer.h.1.mlp.dense_4h_to_h.weight";

    @TempDir
    Path tmp;

    private static String loadError(Path dir) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> LanguageModel.load(dir, Device.cpu()).close());
        System.out.println("expected error: " + e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + message + "' should mention '" + p + "'");
        }
    }

    @Test
    void missingTensorIsNamedWithItsFile() throws IOException {
        LinkedHashMap<String, TestCheckpoints.Tensor> t = TestCheckpoints.readF32(Fixtures.model("bloom-tiny"));
        t.remove(DOWN1);
        Path dir = TestCheckpoints.copy(Fixtures.model("bloom-tiny"), tmp.resolve("m"), c -> c, t);
        assertContains(loadError(dir), DOWN1, "missing", dir.resolve("model.safetensors").toString());
    }

    @Test
    void misShapedTensorIsNamedWithBothShapes() throws IOException {
        LinkedHashMap<String, TestCheckpoints.Tensor> t = TestCheckpoints.readF32(Fixtures.model("bloom-tiny"));
        TestCheckpoints.Tensor w = t.get(DOWN1);
        t.put(DOWN1, new TestCheckpoints.Tensor("F32", new long[] {256, 64}, w.data())); // transposed
        Path dir = TestCheckpoints.copy(Fixtures.model("bloom-tiny"), tmp.resolve("m"), c -> c, t);
        assertContains(loadError(dir), DOWN1, "[256, 64]", "expected [64, 256]", "model.safetensors");
    }

    @Test
    void everyProblemIsListedNotJustTheFirst() throws IOException {
        LinkedHashMap<String, TestCheckpoints.Tensor> t = TestCheckpoints.readF32(Fixtures.model("llama-tiny"));
        t.remove("model.layers.0.self_attn.k_proj.weight");
        t.remove("lm_head.weight");
        Path dir = TestCheckpoints.copy(Fixtures.model("llama-tiny"), tmp.resolve("m"), c -> c, t);
        assertContains(loadError(dir), "model.layers.0.self_attn.k_proj.weight", "lm_head.weight");
    }

    @Test
    void truncatedFileIsReportedWithTheTensorThatRunsPastTheEnd() throws IOException {
        Path dir = TestCheckpoints.copy(Fixtures.model("bloom-tiny"), tmp.resolve("m"), c -> c, null);
        byte[] all = Files.readAllBytes(Fixtures.model("bloom-tiny").resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), Arrays.copyOf(all, all.length - 1000));
        assertContains(loadError(dir), "truncated", dir.resolve("model.safetensors").toString(), "tensor '");
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        Path dir = TestCheckpoints.copy(Fixtures.model("bloom-tiny"), tmp.resolve("m"), c -> c, null);
        byte[] all = Files.readAllBytes(Fixtures.model("bloom-tiny").resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), Arrays.copyOf(all, 100));
        assertContains(loadError(dir), "header", dir.resolve("model.safetensors").toString());
    }

    @Test
    void unsupportedDtypeIsNamed() throws IOException {
        LinkedHashMap<String, TestCheckpoints.Tensor> t = TestCheckpoints.readF32(Fixtures.model("bloom-tiny"));
        TestCheckpoints.Tensor w = t.get(DOWN1);
        t.put(DOWN1, new TestCheckpoints.Tensor("I32", w.shape(), w.data()));
        Path dir = TestCheckpoints.copy(Fixtures.model("bloom-tiny"), tmp.resolve("m"), c -> c, t);
        assertContains(loadError(dir), DOWN1, "unsupported dtype I32");
    }

    @Test
    void unsupportedArchitectureIsNamed() throws IOException {
        Path dir = TestCheckpoints.copy(Fixtures.model("bloom-tiny"), tmp.resolve("m"), c -> c.put("model_type", "gpt2"), null);
        Files.copy(Fixtures.model("bloom-tiny").resolve("model.safetensors"), dir.resolve("model.safetensors"));
        assertContains(loadError(dir), "config.json", "unsupported model_type 'gpt2'");
    }

    @Test
    void missingConfigMissingWeightsAndMissingTokenizerAreNamed() throws IOException {
        Path dir = tmp.resolve("empty");
        Files.createDirectories(dir);
        Files.copy(Fixtures.model("bloom-tiny").resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        assertContains(loadError(dir), dir.resolve("config.json").toString(), "missing");
        Files.copy(Fixtures.model("bloom-tiny").resolve("config.json"), dir.resolve("config.json"));
        assertContains(loadError(dir), "model.safetensors", "model.safetensors.index.json");
        Files.delete(dir.resolve("tokenizer.json"));
        assertContains(loadError(dir), dir.resolve("tokenizer.json").toString());
    }

    @Test
    void shardIndexPointingToAMissingShardIsNamed() throws IOException {
        Path dir = TestCheckpoints.copy(Fixtures.model("bloom-tiny"), tmp.resolve("m"), c -> c, null);
        Files.writeString(dir.resolve(SafeTensors.INDEX),
                "{\"weight_map\":{\"transformer.word_embeddings.weight\":\"model-00001-of-00002.safetensors\"}}");
        assertContains(loadError(dir), "model-00001-of-00002.safetensors", "transformer.word_embeddings.weight",
                "missing");
    }
}
