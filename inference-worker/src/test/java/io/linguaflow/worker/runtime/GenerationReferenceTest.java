package io.linguaflow.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.checkpoint.GenerationConfig;
import io.linguaflow.worker.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Greedy generation equals HF {@code generate(do_sample=False)} token for token on the fixture models, plain and with
 * a language's key neurons zeroed, and stops on an end token as HF does (references: {@code generation/reference.json}
 * by {@code src/test/python/make_generate_reference.py}). Sampling is reproducible for a seed and its top-p filter
 * is HF's.
 */
class GenerationReferenceTest {

    @TempDir
    Path tmp;

    /** The committed HF reference. */
    static JsonNode reference() throws IOException {
        try (InputStream in = GenerationReferenceTest.class.getResourceAsStream("/generation/reference.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** The fixture kit's key neurons of {@code region} (flat ids), as the reference script zeroed them. */
    static int[] keyNeurons(String model, String region) {
        JsonNode ids = Fixtures.json(Fixtures.reference(model).resolve("reference.json"))
                .get("analysis").get("key_neurons").get("indices").get(region);
        return StreamSupport.stream(ids.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    static long[] longs(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"bloom-tiny", "llama-tiny"})
    void greedyEqualsHfGeneratePlainAndAblated(String name) throws Exception {
        JsonNode ref = reference();
        JsonNode entry = ref.get("models").get(name);
        int maxNew = ref.get("max_new_tokens").asInt();
        Path dir = Fixtures.model(name);
        List<Integer> eos = GenerationConfig.read(dir).eosTokenIds();
        assertEquals(List.of(2), eos);
        try (LanguageModel m = LanguageModel.load(dir, Device.cpu())) {
            Ablation region = Ablation.ofFlatIds(keyNeurons(name, entry.get("region").asText()), m.config().numLayers(),
                    m.config().intermediateSize());
            assertEquals(entry.get("region_size").asInt(), region.size());
            for (String kind : List.of("plain", "ablated")) {
                for (JsonNode want : entry.get(kind)) {
                    Generation.Result got = Generation.generate(m, want.get("prompt").asText(),
                            kind.equals("plain") ? Ablation.none() : region, eos, Generation.Options.greedy(maxNew));
                    String what = name + " " + kind + " '" + want.get("prompt").asText() + "'";
                    assertArrayEquals(longs(want.get("prompt_ids")), got.promptIds(), what);
                    assertArrayEquals(longs(want.get("generated_ids")), got.generatedIds(), what);
                    assertEquals(want.get("text").asText(), got.text(), what);
                    System.out.printf("[generate] %s: %d tokens equal HF (smallest top-2 logit gap %.4f)%n", what,
                            got.generatedIds().length, want.get("min_margin").asDouble());
                }
            }
            // the ablation changes what is generated, so the equalities above test that it reached the model
            assertFalse(Arrays.equals(longs(entry.get("plain").get(0).get("generated_ids")),
                    longs(entry.get("ablated").get(0).get("generated_ids"))));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bloom-tiny", "llama-tiny"})
    void generationStopsOnAnEndTokenAsHfDoes(String name) throws Exception {
        JsonNode want = reference().get("models").get(name).get("eos");
        // the fixture model with a generation_config.json whose end ids include a token the plain run generates
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(Fixtures.model(name))) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals(GenerationConfig.FILE)) {
                    Files.createSymbolicLink(dir.resolve(f.getFileName()), f.toAbsolutePath());
                }
            }
        }
        Files.writeString(dir.resolve(GenerationConfig.FILE), "{\"eos_token_id\": " + want.get("eos_token_id") + "}");
        List<Integer> eos = GenerationConfig.read(dir).eosTokenIds();
        assertEquals(2, eos.size());
        try (LanguageModel m = LanguageModel.load(dir, Device.cpu())) {
            Generation.Result got = Generation.generate(m, want.get("prompt").asText(), Ablation.none(), eos,
                    Generation.Options.greedy(reference().get("max_new_tokens").asInt()));
            assertArrayEquals(longs(want.get("generated_ids")), got.generatedIds());
            assertEquals(eos.get(1).longValue(), got.generatedIds()[got.generatedIds().length - 1], "the end token is kept");
        }
    }

    @Test
    void samplingIsReproducibleForASeedAndTinyTopPIsGreedy() throws Exception {
        JsonNode plain = reference().get("models").get("llama-tiny").get("plain").get(1);
        String prompt = plain.get("prompt").asText();
        try (LanguageModel m = LanguageModel.load(Fixtures.model("llama-tiny"), Device.cpu())) {
            List<Integer> eos = List.of(2);
            long[] a = Generation.generate(m, prompt, Ablation.none(), eos, Generation.Options.sampling(12, 7, 1.0, 0.9)).generatedIds();
            long[] b = Generation.generate(m, prompt, Ablation.none(), eos, Generation.Options.sampling(12, 7, 1.0, 0.9)).generatedIds();
            long[] c = Generation.generate(m, prompt, Ablation.none(), eos, Generation.Options.sampling(12, 8, 1.0, 0.9)).generatedIds();
            assertArrayEquals(a, b, "same seed, same tokens");
            assertFalse(Arrays.equals(a, c), "another seed draws other tokens on a random model");
            // top-p so small that only the most likely token survives: sampling is greedy decoding
            long[] nucleusOfOne = Generation.generate(m, prompt, Ablation.none(), eos,
                    Generation.Options.sampling(12, 3, 0.7, 1e-9)).generatedIds();
            assertArrayEquals(Arrays.copyOf(longs(plain.get("generated_ids")), 12), nucleusOfOne);
        }
    }

    @Test
    void topPKeepsTheSmallestSetAboveTheMassAsHfTopPLogitsWarper() {
        // probabilities 0.5, 0.3, 0.15, 0.05: ascending cumulative 0.05, 0.20, 0.50, 1.0
        double[] scores = {Math.log(0.15), Math.log(0.5), Math.log(0.05), Math.log(0.3)};
        assertArrayEquals(new boolean[] {false, true, false, true}, Generation.nucleus(scores, 0.75));  // removes <= 0.25
        assertArrayEquals(new boolean[] {true, true, false, true}, Generation.nucleus(scores, 0.9));    // removes <= 0.1
        assertArrayEquals(new boolean[] {false, true, false, false}, Generation.nucleus(scores, 0.3));  // removes <= 0.7
        assertArrayEquals(new boolean[] {false, true, false, false}, Generation.nucleus(scores, 1e-6)); // the top one stays
        assertArrayEquals(new boolean[] {true, true, true, true}, Generation.nucleus(scores, 1.0));
        // the draw walks kept tokens by id: kept {1: 0.5/0.8, 3: 0.3/0.8}
        float[] logits = new float[scores.length];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) scores[i];
        }
        assertEquals(1, Generation.sample(logits, 1.0, 0.75, 0.6));
        assertEquals(3, Generation.sample(logits, 1.0, 0.75, 0.7));
        assertEquals(1, Generation.argmax(new float[] {0f, 2f, 2f}), "first of equal maxima");
    }

    @Test
    void badOptionsAndEmptyPromptsAreRejectedWithTheirValue() throws Exception {
        assertEquals("max new tokens must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> Generation.Options.greedy(0)).getMessage());
        assertEquals("temperature must be a positive number, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> Generation.Options.sampling(4, 1, 0, 1)).getMessage());
        assertEquals("top-p must be in (0, 1], got 1.5",
                assertThrows(IllegalArgumentException.class, () -> Generation.Options.sampling(4, 1, 1, 1.5)).getMessage());
        try (LanguageModel m = LanguageModel.load(Fixtures.model("llama-tiny"), Device.cpu())) {
            // LLaMA would read "<s>" alone: the prompt itself has no token
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Generation.generate(m, "", Ablation.none(), List.of(2), Generation.Options.greedy(4)));
            assertEquals("prompt \"\" tokenizes to nothing", e.getMessage());
            assertNotEquals(0, Generation.generate(m, " ", Ablation.none(), List.of(2), Generation.Options.greedy(1))
                    .generatedIds().length);
        }
    }
}
