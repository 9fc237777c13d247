package io.linguaflow.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.checkpoint.testkit.TestCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {

    @TempDir
    Path tmp;

    /** A reference-kit model directory ({@code fixtures/models/NAME}). */
    static Path model(String name) {
        return SharedData.fixtures().resolve("models").resolve(name);
    }

    private ModelConfig parse(String json) throws IOException {
        Files.writeString(tmp.resolve("config.json"), json);
        return ModelConfig.load(tmp);
    }

    @Test
    void bloomFixture() throws IOException {
        ModelConfig c = ModelConfig.load(model("bloom-tiny"));
        assertEquals(Architecture.BLOOM, c.architecture());
        assertEquals(4, c.numLayers());
        assertEquals(64, c.hiddenSize());
        assertEquals(4, c.numHeads());
        assertEquals(16, c.headDim());
        assertEquals(256, c.intermediateSize());
        assertEquals(4000, c.vocabSize());
        assertEquals(1024, c.numNeurons());
        assertTrue(c.tieWordEmbeddings());
        assertEquals("float32", c.storedDtype());
        assertEquals("bfloat16", ModelConfig.load(model("bloom-tiny-bf16")).storedDtype());
    }

    @Test
    void llamaFixture() throws IOException {
        ModelConfig c = ModelConfig.load(model("llama-tiny"));
        assertEquals(Architecture.LLAMA, c.architecture());
        assertEquals(4, c.numHeads());
        assertEquals(2, c.numKvHeads());
        assertEquals(16, c.headDim());
        assertEquals(172, c.intermediateSize());
        assertEquals(10000.0, c.ropeTheta());
        assertFalse(c.tieWordEmbeddings());
        assertFalse(c.qkvBias());
        assertEquals(512, c.contextLength());
    }

    @Test
    void mistralAndQwen2AreLlamaFamily() throws IOException {
        ModelConfig m = parse("{\"model_type\":\"mistral\",\"vocab_size\":32000,\"hidden_size\":4096,"
                + "\"num_hidden_layers\":32,\"num_attention_heads\":32,\"num_key_value_heads\":8,"
                + "\"intermediate_size\":14336,\"rms_norm_eps\":1e-5,\"rope_theta\":1000000.0,\"sliding_window\":4096,"
                + "\"torch_dtype\":\"bfloat16\"}");
        assertEquals(Architecture.LLAMA, m.architecture());
        assertEquals(128, m.headDim());
        assertEquals(4096, m.slidingWindow());
        assertEquals("bfloat16", m.storedDtype());
        assertFalse(m.qkvBias());
        ModelConfig q = parse("{\"architectures\":[\"Qwen2ForCausalLM\"],\"vocab_size\":151936,\"hidden_size\":896,"
                + "\"num_hidden_layers\":24,\"num_attention_heads\":14,\"num_key_value_heads\":2,"
                + "\"intermediate_size\":4864,\"rope_theta\":1000000.0,\"tie_word_embeddings\":true,"
                + "\"use_sliding_window\":false,\"sliding_window\":32768}");
        assertEquals("qwen2", q.modelType());
        assertTrue(q.qkvBias());
        assertFalse(q.outputBias());
        assertTrue(q.tieWordEmbeddings());
        assertEquals(0, q.slidingWindow());
        assertEquals(64, q.headDim());
    }

    @Test
    void unsupportedSettingsAreRefusedByName() {
        String base = "\"model_type\":\"llama\",\"vocab_size\":10,\"hidden_size\":8,\"num_hidden_layers\":1,"
                + "\"num_attention_heads\":2,\"intermediate_size\":16";
        assertTrue(assertThrows(CheckpointException.class,
                () -> parse("{" + base + ",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0}}"))
                .getMessage().contains("rope_scaling"));
        assertTrue(assertThrows(CheckpointException.class, () -> parse("{" + base + ",\"hidden_act\":\"gelu\"}"))
                .getMessage().contains("hidden_act"));
        assertTrue(assertThrows(CheckpointException.class, () -> parse("{" + base + ",\"num_key_value_heads\":3}"))
                .getMessage().contains("num_key_value_heads"));
        assertTrue(assertThrows(CheckpointException.class, () -> parse("{\"model_type\":\"bloom\"}"))
                .getMessage().contains("missing required key 'hidden_size'"));
        assertTrue(assertThrows(CheckpointException.class, () -> parse("not json")).getMessage().contains("config.json"));
    }

    @Test
    void missingConfigKeyIsNamed() throws IOException {
        Path dir = TestCheckpoints.copy(model("llama-tiny"), tmp.resolve("m"), c -> {
            c.remove("num_hidden_layers");
            return c;
        }, null);
        assertContains(assertThrows(CheckpointException.class, () -> ModelConfig.load(dir)).getMessage(),
                "config.json", "num_hidden_layers");
    }

    static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + message + "' should mention '" + p + "'");
        }
    }
}
