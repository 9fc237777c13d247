package io.linguaflow.worker.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.worker.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The batch commands end to end on the fixture model, checked against the HF reference. */
class CommandsTest {

    @TempDir
    Path tmp;

    private static int run(Object command, String... args) {
        return new CommandLine(command).execute(args);
    }

    /** Runs a command and returns what it printed on stderr. */
    private static String stderrOf(Object command, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, run(command, args));
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void extractWritesVectorsAndSamplesMatchingTheReference() throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, run(new ExtractCommand(), "--model", Fixtures.model("llama-tiny").toString(),
                "--corpus", SharedData.fixtures().resolve("corpus.tsv").toString(), "--out", out.toString(),
                "--batch-size", "8", "--threads", "1"));
        JsonNode ref = Fixtures.json(Fixtures.reference("llama-tiny").resolve("reference.json")).get("samples");
        try (Npy vec = Npy.open(out.resolve("vectors.npy"));
             Npy means = Npy.open(Fixtures.reference("llama-tiny").resolve("layer_means.npy"))) {
            assertEquals("<f4", vec.dtype());
            assertArrayEquals(new long[] {450, 4 * 172}, vec.shape());
            double max = 0;
            for (int i = 0; i < 450; i++) {
                double[] got = vec.row(i);
                double[] want = means.row(i);
                for (int k = 0; k < got.length; k++) {
                    max = Math.max(max, Math.abs(got[k] - want[k]));
                }
            }
            assertTrue(max <= 1e-5, "vectors.npy deviates from layer_means.npy by " + max);
        }
        List<String> lines = Files.readAllLines(out.resolve("samples.jsonl"));
        assertEquals(450, lines.size());
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 450; i += 37) {
            JsonNode s = json.readTree(lines.get(i));
            assertEquals(ref.get(i).get("id").asText(), s.get("id").asText());
            assertEquals(ref.get(i).get("lang").asText(), s.get("lang").asText());
            assertEquals(ref.get(i).get("input_ids"), s.get("input_ids"));
            assertEquals(ref.get(i).get("n_tokens").asInt(), s.get("n_tokens").asInt());
            assertEquals(ref.get(i).get("mean_nll").asDouble(), s.get("mean_nll").asDouble(), 1e-4);
        }
        // analysis.json: the analyze result on the extracted vectors reproduces the reference metrics and key regions
        JsonNode analysis = Fixtures.json(Fixtures.reference("llama-tiny").resolve("reference.json")).get("analysis");
        JsonNode got = Fixtures.json(out.resolve("analysis.json"));
        assertEquals(analysis.get("overall").get("lrds").asDouble(), got.get("lrds").asDouble(), 1e-6);
        assertEquals(analysis.get("overall").get("sads").asDouble(), got.get("sads").asDouble(), 1e-6);
        JsonNode want = analysis.get("key_neurons").get("indices");
        assertEquals(want.size(), got.get("key_neurons").size());
        want.properties().forEach(e -> assertEquals(e.getValue(), got.get("key_neurons").get(e.getKey()),
                "key neurons of " + e.getKey()));
    }

    @Test
    void perplexityWithBothAblationFormatsMatchesTheReference() throws Exception {
        JsonNode ref = Fixtures.json(Fixtures.reference("bloom-tiny").resolve("reference.json"));
        JsonNode idx = ref.get("analysis").get("key_neurons").get("indices");
        Path perLang = tmp.resolve("k.json");
        Files.writeString(perLang, "{\"zh\":" + idx.get("zh") + ",\"hi\":" + idx.get("hi") + "}");
        Path one = tmp.resolve("one.json");
        Files.writeString(one, "{\"neurons\":" + idx.get("en") + "}");
        ObjectMapper json = new ObjectMapper();
        for (Path k : List.of(perLang, one)) {
            Path out = tmp.resolve("p-" + k.getFileName());
            assertEquals(0, run(new PerplexityCommand(), "--model", Fixtures.model("bloom-tiny").toString(),
                    "--corpus", SharedData.fixtures().resolve("corpus.tsv").toString(), "--ablate", k.toString(),
                    "--out", out.toString()));
            JsonNode got = json.readTree(out.toFile());
            JsonNode abl = ref.get("ablation");
            for (String lang : List.of("en", "zh", "vi")) {
                assertEquals(abl.get("baseline_ppl_token").get(lang).asDouble(), got.get("baseline").get(lang).asDouble(),
                        1e-3 * abl.get("baseline_ppl_token").get(lang).asDouble());
            }
            if (k == one) {
                assertEquals(abl.get("ppl_token").get("en").get("fr").asDouble(),
                        got.get("ablated").get("neurons").get("fr").asDouble(), 1e-3 * got.get("ablated").get("neurons").get("fr").asDouble());
            } else {
                assertEquals(List.of("zh", "hi"), List.copyOf(iterable(got.get("ablated").fieldNames())));
                assertEquals(abl.get("ppl_token").get("hi").get("hi").asDouble(),
                        got.get("ablated").get("hi").get("hi").asDouble(), 1e-3 * got.get("ablated").get("hi").get("hi").asDouble());
            }
        }
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void badInputGivesAOneLineErrorNamingIt() throws Exception {
        Path corpus = tmp.resolve("c.tsv");
        Files.writeString(corpus, "id\tlang\ttext\ns01\ten\tHello there.\ns02\ten\n");
        String model = Fixtures.model("bloom-tiny").toString();
        assertTrue(stderrOf(new ExtractCommand(), "--model", model, "--corpus", corpus.toString(), "--out",
                tmp.resolve("o").toString()).contains(corpus + " line 3: 2 tab-separated fields, the header needs 3"));
        Files.writeString(corpus, "id\ttext\ns01\tHello\n");
        assertTrue(stderrOf(new ExtractCommand(), "--model", model, "--corpus", corpus.toString(), "--out",
                tmp.resolve("o").toString()).contains("header must name the columns id and lang (and text)"));
        Files.writeString(corpus, "id\tlang\ttext\ns01\ten\tHello there.\n");
        Path k = tmp.resolve("k.json");
        Files.writeString(k, "{\"en\":[1, 99999]}");
        assertTrue(stderrOf(new PerplexityCommand(), "--model", model, "--corpus", corpus.toString(), "--ablate",
                k.toString(), "--out", tmp.resolve("p.json").toString()).contains("set 'en': neuron id 99999 is outside [0, 1024)"));
        Files.writeString(k, "{\"en\":\"x\"}");
        assertTrue(stderrOf(new PerplexityCommand(), "--model", model, "--corpus", corpus.toString(), "--ablate",
                k.toString(), "--out", tmp.resolve("p.json").toString()).contains("'en' must be an array"));
        assertTrue(stderrOf(new ExtractCommand(), "--model", tmp.resolve("nope").toString(), "--corpus",
                corpus.toString(), "--out", tmp.resolve("o").toString()).contains("nope"));
    }

    @Test
    void generateWritesHfGreedyTokensAndRejectsBadChoices() throws Exception {
        JsonNode ref;
        try (java.io.InputStream in = getClass().getResourceAsStream("/generation/reference.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        JsonNode entry = ref.get("models").get("llama-tiny");
        JsonNode want = entry.get("ablated").get(2);
        String region = entry.get("region").asText();
        JsonNode key = Fixtures.json(Fixtures.reference("llama-tiny").resolve("reference.json"))
                .get("analysis").get("key_neurons").get("indices").get(region);
        Path sets = tmp.resolve("k.json");
        java.util.Map<String, Object> both = new java.util.LinkedHashMap<>();
        both.put(region, key);
        both.put("other", List.of(0));
        new ObjectMapper().writeValue(sets.toFile(), both);
        Path out = tmp.resolve("g.json");
        String model = Fixtures.model("llama-tiny").toString();
        assertEquals(0, run(new GenerateCommand(), "--model", model, "--prompt", want.get("prompt").asText(),
                "--ablate", sets.toString(), "--region", region, "--max-new-tokens", ref.get("max_new_tokens").asText(),
                "--greedy", "--out", out.toString()));
        JsonNode got = new ObjectMapper().readTree(out.toFile());
        assertEquals(want.get("prompt_ids"), got.get("prompt_ids"));
        assertEquals(want.get("generated_ids"), got.get("generated_ids"));
        assertEquals(want.get("text").asText(), got.get("text").asText());
        assertEquals(List.of("prompt_ids", "generated_ids", "text"), iterable(got.fieldNames()));

        assertTrue(stderrOf(new GenerateCommand(), "--model", model, "--prompt", "x", "--ablate", sets.toString(),
                "--out", out.toString()).contains(sets + " holds the sets [" + region + ", other]: choose one with --region"));
        assertTrue(stderrOf(new GenerateCommand(), "--model", model, "--prompt", "x", "--ablate", sets.toString(),
                "--region", "xx", "--out", out.toString()).contains(sets + " has no set 'xx'"));
        assertTrue(stderrOf(new GenerateCommand(), "--model", model, "--prompt", "x", "--region", "en",
                "--out", out.toString()).contains("--region en needs --ablate K.json"));
        assertTrue(stderrOf(new GenerateCommand(), "--model", model, "--prompt", "x", "--greedy", "--seed", "1",
                "--out", out.toString()).contains("--greedy cannot be combined with --seed, --temperature or --top-p"));
        assertTrue(stderrOf(new GenerateCommand(), "--model", model, "--prompt", "", "--out", out.toString())
                .contains("error: prompt \"\" tokenizes to nothing"));
        assertTrue(stderrOf(new GenerateCommand(), "--model", model, "--prompt", "x", "--top-p", "0",
                "--out", out.toString()).contains("error: top-p must be in (0, 1], got 0.0"));
    }
}
