package io.linguaflow.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.checkpoint.SafeTensors;
import io.linguaflow.checkpoint.testkit.TestCheckpoints.Tensor;
import io.linguaflow.checkpoint.testkit.TestCheckpoints;
import io.linguaflow.worker.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same weights stored differently (no {@code transformer.} prefix, sharded with an index, untied head,
 * Qwen2 / Mistral configs) give the same activations and NLL as the fixture layout.
 */
class CheckpointVariantsTest {

    @TempDir
    Path tmp;

    /** A spread of fixture sentences (read per test, so that a missing reference kit skips instead of failing). */
    private static List<String> texts() {
        return Fixtures.texts(Fixtures.corpus()).subList(0, 450).stream().filter(t -> t.hashCode() % 13 == 0).toList();
    }

    private static List<SampleActivations> run(Path dir) throws Exception {
        try (LanguageModel m = LanguageModel.load(dir, Device.cpu())) {
            return m.activations(texts(), Ablation.none(), true);
        }
    }

    private static double maxDiff(List<SampleActivations> a, List<SampleActivations> b) {
        double max = 0;
        for (int i = 0; i < a.size(); i++) {
            max = Math.max(max, Math.abs(a.get(i).meanNll() - b.get(i).meanNll()));
            float[] x = a.get(i).concatenated();
            float[] y = b.get(i).concatenated();
            for (int k = 0; k < x.length; k++) {
                max = Math.max(max, Math.abs(x[k] - y[k]));
            }
        }
        return max;
    }

    @Test
    void bloomWithoutPrefixShardedAndUntiedMatchesTheFixture() throws Exception {
        Path fixture = Fixtures.model("bloom-tiny");
        assertTrue(texts().size() > 20);
        List<SampleActivations> want = run(fixture);
        LinkedHashMap<String, Tensor> t = TestCheckpoints.readF32(fixture);

        // real bigscience checkpoints carry no "transformer." prefix
        LinkedHashMap<String, Tensor> bare = new LinkedHashMap<>();
        t.forEach((k, v) -> bare.put(k.replaceFirst("^transformer\\.", ""), v));
        assertEquals(0, maxDiff(want, run(TestCheckpoints.copy(fixture, tmp.resolve("bare"), c -> c, bare))), 1e-6);

        // sharded: two files and model.safetensors.index.json
        Path sharded = TestCheckpoints.copy(fixture, tmp.resolve("sharded"), c -> c, null);
        LinkedHashMap<String, Tensor> a = new LinkedHashMap<>();
        LinkedHashMap<String, Tensor> b = new LinkedHashMap<>();
        ObjectNode index = new ObjectMapper().createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        int i = 0;
        for (Map.Entry<String, Tensor> e : t.entrySet()) {
            boolean first = i++ % 2 == 0;
            (first ? a : b).put(e.getKey(), e.getValue());
            map.put(e.getKey(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        TestCheckpoints.write(sharded.resolve("model-00001-of-00002.safetensors"), a);
        TestCheckpoints.write(sharded.resolve("model-00002-of-00002.safetensors"), b);
        new ObjectMapper().writeValue(sharded.resolve(SafeTensors.INDEX).toFile(), index);
        assertEquals(0, maxDiff(want, run(sharded)), 1e-6);

        // untied: an explicit lm_head.weight equal to the embeddings changes nothing ...
        LinkedHashMap<String, Tensor> untied = new LinkedHashMap<>(t);
        untied.put("lm_head.weight", t.get("transformer.word_embeddings.weight"));
        assertEquals(0, maxDiff(want, run(TestCheckpoints.copy(fixture, tmp.resolve("untied"),
                c -> c.put("tie_word_embeddings", false), untied))), 1e-6);
        // ... and a zero head is really used: uniform distribution, NLL = log V, activations unchanged
        Tensor emb = t.get("transformer.word_embeddings.weight");
        untied.put("lm_head.weight", new Tensor("F32", emb.shape(), TestCheckpoints.zeros(emb.shape())));
        List<SampleActivations> zero = run(TestCheckpoints.copy(fixture, tmp.resolve("zero"),
                c -> c.put("tie_word_embeddings", false), untied));
        assertEquals(Math.log(4000), zero.get(0).meanNll(), 1e-9);
        assertEquals(want.get(0).layerMeans()[3][7], zero.get(0).layerMeans()[3][7]);
    }

    @Test
    void qwen2AndMistralConfigsRunTheLlamaEquations() throws Exception {
        Path fixture = Fixtures.model("llama-tiny");
        List<SampleActivations> want = run(fixture);
        LinkedHashMap<String, Tensor> t = TestCheckpoints.readF32(fixture);

        // Qwen2 = LLaMA + q/k/v biases: zero biases reproduce LLaMA exactly
        assertEquals(0, maxDiff(want, run(TestCheckpoints.copy(fixture, tmp.resolve("qwen2"),
                c -> c.put("model_type", "qwen2"), withQkvBias(t, (layer, which, i) -> 0f)))), 1e-6);
        // Mistral with a window longer than every sample = full causal attention
        assertEquals(0, maxDiff(want, run(TestCheckpoints.copy(fixture, tmp.resolve("mistral"),
                c -> c.put("model_type", "mistral").put("sliding_window", 4096), t))), 1e-6);
    }

    /** Per-element bias value for (layer, which = q 0 / k 1 / v 2, index). */
    interface BiasValue {
        float at(int layer, int which, int i);
    }

    private static LinkedHashMap<String, Tensor> withQkvBias(Map<String, Tensor> t, BiasValue value) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>(t);
        for (int l = 0; l < 4; l++) {
            String[] names = {"q", "k", "v"};
            for (int which = 0; which < 3; which++) {
                int rows = (int) t.get("model.layers." + l + ".self_attn." + names[which] + "_proj.weight").shape()[0];
                ByteBuffer b = ByteBuffer.allocate(rows * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < rows; i++) {
                    b.putFloat(value.at(l, which, i));
                }
                out.put("model.layers." + l + ".self_attn." + names[which] + "_proj.bias",
                        new Tensor("F32", new long[] {rows}, b.array()));
            }
        }
        return out;
    }

    /**
     * HF transformers 4.57.6 on the same weights (src/test/resources/hf-variants/make_reference.py):
     * MistralForCausalLM with sliding_window 4, Qwen2ForCausalLM with non-zero q/k/v biases.
     */
    @Test
    void mistralWindowAndQwen2BiasesMatchHf() throws Exception {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/hf-variants/reference.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        Path fixture = Fixtures.model("llama-tiny");
        LinkedHashMap<String, Tensor> t = TestCheckpoints.readF32(fixture);
        Path mistral = TestCheckpoints.copy(fixture, tmp.resolve("mistral4"),
                c -> c.put("model_type", "mistral").put("sliding_window", 4), t);
        // the script's formula: 0.05 * (((i * 7 + layer * 3 + which) % 13) - 6), rounded to float32 like torch
        Path qwen = TestCheckpoints.copy(fixture, tmp.resolve("qwen2b"), c -> c.put("model_type", "qwen2"),
                withQkvBias(t, (layer, which, i) -> (float) (0.05 * (((i * 7 + layer * 3 + which) % 13) - 6))));
        List<String> texts = Fixtures.texts(Fixtures.corpus());
        for (Map.Entry<String, Path> v : Map.of("mistral-window4", mistral, "qwen2-bias", qwen).entrySet()) {
            JsonNode samples = ref.get("variants").get(v.getKey());
            double max = 0;
            try (LanguageModel m = LanguageModel.load(v.getValue(), Device.cpu())) {
                List<String> rows = new java.util.ArrayList<>();
                samples.forEach(s -> rows.add(texts.get(s.get("row").asInt())));
                List<SampleActivations> got = m.activations(rows, Ablation.none(), true);
                for (int i = 0; i < got.size(); i++) {
                    JsonNode s = samples.get(i);
                    assertEquals(s.get("input_ids").size(), got.get(i).nTokens());
                    max = Math.max(max, Math.abs(s.get("mean_nll").asDouble() - got.get(i).meanNll()));
                    for (int l = 0; l < 4; l++) {
                        for (int k = 0; k < 172; k++) {
                            max = Math.max(max, Math.abs(s.get("layer_means").get(l).get(k).asDouble()
                                    - got.get(i).layerMeans()[l][k]));
                        }
                    }
                }
            }
            FixtureParityTest.report(v.getKey(), "vs HF: layer means and mean NLL max |diff|", max);
            assertTrue(max <= 1e-5, v.getKey() + " deviates from HF by " + max);
        }
        // the window really matters on these samples: the plain LLaMA result is far from the Mistral reference
        try (LanguageModel m = LanguageModel.load(fixture, Device.cpu())) {
            double plain = m.activations(List.of(texts.get(449)), Ablation.none(), true).get(0).meanNll();
            assertTrue(Math.abs(plain - ref.get("variants").get("mistral-window4").get(4).get("mean_nll").asDouble()) > 1e-3);
        }
    }
}
