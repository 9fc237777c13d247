package io.linguaflow.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.checkpoint.SafeTensors;
import io.linguaflow.worker.checkpoint.TestCheckpoints;
import io.linguaflow.worker.checkpoint.TestCheckpoints.Tensor;
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

    private static final List<String> TEXTS = Fixtures.texts(Fixtures.corpus()).subList(0, 450).stream()
            .filter(t -> t.hashCode() % 13 == 0).toList();

    private static List<SampleActivations> run(Path dir) throws Exception {
        try (LanguageModel m = LanguageModel.load(dir, Device.cpu())) {
            return m.activations(TEXTS, Ablation.none(), true);
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
        assertTrue(TEXTS.size() > 20);
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

        // Qwen2 = LLaMA + q/k/v biases: zero biases reproduce LLaMA exactly ...
        LinkedHashMap<String, Tensor> qwen = new LinkedHashMap<>(t);
        for (int l = 0; l < 4; l++) {
            for (String p : new String[] {"q", "k", "v"}) {
                long rows = t.get("model.layers." + l + ".self_attn." + p + "_proj.weight").shape()[0];
                qwen.put("model.layers." + l + ".self_attn." + p + "_proj.bias",
                        new Tensor("F32", new long[] {rows}, TestCheckpoints.zeros(new long[] {rows})));
            }
        }
        assertEquals(0, maxDiff(want, run(TestCheckpoints.copy(fixture, tmp.resolve("qwen2"),
                c -> c.put("model_type", "qwen2"), qwen))), 1e-6);
        // ... and a non-zero value bias is applied (it shifts every attention output)
        qwen.put("model.layers.0.self_attn.v_proj.bias", new Tensor("F32", new long[] {32},
                ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 0.5f).array()));
        assertTrue(maxDiff(want, run(TestCheckpoints.copy(fixture, tmp.resolve("qwen2b"),
                c -> c.put("model_type", "qwen2"), qwen))) > 1e-3);

        // Mistral with a window longer than every sample = full causal attention
        assertEquals(0, maxDiff(want, run(TestCheckpoints.copy(fixture, tmp.resolve("mistral"),
                c -> c.put("model_type", "mistral").put("sliding_window", 4096), t))), 1e-6);
        // a short window changes the result
        assertTrue(maxDiff(want, run(TestCheckpoints.copy(fixture, tmp.resolve("mistral4"),
                c -> c.put("model_type", "mistral").put("sliding_window", 4), t))) > 1e-4);
    }
}
