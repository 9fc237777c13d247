package io.linguaflow.producers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.producers.checkpoint.hub.HubRepoFiles;
import io.linguaflow.producers.checkpoint.hub.HubTestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandsTest {

    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int code, List<JsonNode> records, String err) {
    }

    private static Run run(Object command, String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        List<JsonNode> records = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            if (!line.isEmpty()) {
                records.add(JSON.readTree(line));
            }
        }
        return new Run(code, records, err.toString());
    }

    @Test
    void landCheckpointsFromTheHubPrintsTheEventAndHonoursOfflineMode() throws Exception {
        Path cache = tmp.resolve("cache");
        String[] args = {"--hub", "org/m@step-3", "--cache", cache.toString(), "--corpus", "c"};
        Run offline = run(new LandCheckpointsCommand().withEnvironment(Map.of("HF_HUB_OFFLINE", "1")), args);
        assertEquals(1, offline.code());
        assertTrue(offline.err().contains("error: hub org/m@step-3: not in the cache " + cache.toAbsolutePath()
                + ", and HF_HUB_OFFLINE forbids downloading it"), offline.err());
        try (HubTestServer hub = new HubTestServer()) {
            hub.commit("org/m", "step-3", HubRepoFiles.single(tmp.resolve("src"), 4));
            String[] withEndpoint = Arrays.copyOf(args, args.length + 2);
            withEndpoint[args.length] = "--hub-endpoint";
            withEndpoint[args.length + 1] = hub.endpoint().toString();
            Run r = run(new LandCheckpointsCommand().withEnvironment(Map.of()), withEndpoint);
            assertEquals(0, r.code(), r.err());
            assertEquals("org--m@3", r.records().get(0).get("checkpointId").asText());
            assertEquals(3, r.records().get(0).get("step").asLong());
        }
        // now in the cache, offline mode lands it too
        assertEquals(0, run(new LandCheckpointsCommand().withEnvironment(Map.of("HF_HUB_OFFLINE", "1")), args).code());
    }

    @Test
    void produceCorpusPrintsSentences() throws Exception {
        Run r = run(new ProduceCorpusCommand(), "--format", "flores", "--limit", "3", "--languages", "en,zh",
                SharedData.data().resolve("flores200-devtest").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(6, r.records().size());
        JsonNode first = r.records().get(0);
        assertEquals("flores200-devtest.en-zh.s3", first.get("corpus").asText());
        assertEquals("1", first.get("meaningId").asText());
        assertEquals("en", first.get("lang").asText());
        assertEquals(0, first.get("index").asInt());
        assertEquals(6, first.get("corpusSize").asInt());
        assertTrue(first.get("text").asText().startsWith("\"We now have 4-month-old mice"));
        assertTrue(r.err().contains("corpus 'flores200-devtest.en-zh.s3': 6 sentences in [en, zh], 0 rows rejected"), r.err());
    }

    @Test
    void produceCorpusReportsBadRows() throws Exception {
        Path f = Files.writeString(tmp.resolve("c.tsv"), "id\tlang\ttext\n1\ten\ta\n1\tfr\tb\tc\n2\ten\t\n");
        Run r = run(new ProduceCorpusCommand(), "--format", "tsv", "--keep-incomplete", f.toString());
        assertEquals(0, r.code());
        assertEquals(1, r.records().size());
        assertTrue(r.err().contains("rejected: " + f + ":3: expected 3 tab-separated fields"), r.err());
        assertTrue(r.err().contains("rejected: " + f + ":4: empty text"), r.err());

        Run missing = run(new ProduceCorpusCommand(), "--format", "tsv", tmp.resolve("none.tsv").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().startsWith("error: ") && missing.err().contains("none.tsv"), missing.err());
    }

    @Test
    void produceCorpusWithALabelsColumnPrintsTheConcepts() throws Exception {
        Path everyday9 = Path.of("../training/src/main/resources/io/linguaflow/training/corpus/everyday9.tsv");
        Run r = run(new ProduceCorpusCommand(), "--format", "tsv", "--labels-column", "topic", "--limit", "1",
                everyday9.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(9, r.records().size());
        assertEquals("[\"food\"]", r.records().get(0).get("concepts").toString());

        Run missing = run(new ProduceCorpusCommand(), "--format", "tsv", "--labels-column", "domain", everyday9.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains(everyday9 + ":1: no label column 'domain'"), missing.err());
        Run flores = run(new ProduceCorpusCommand(), "--format", "flores", "--labels-column", "topic", tmp.toString());
        assertEquals(2, flores.code());
        assertTrue(flores.err().contains("--labels-column applies to --format tsv and jsonl, not flores"), flores.err());
    }

    @Test
    void produceCorpusFromJsonlFiles() throws Exception {
        Path en = Files.writeString(tmp.resolve("english_test.jsonl"), "{\"id\": \"e1\", \"title\": \"T\", \"body\": \"B\"}\n");
        Path fr = Files.writeString(tmp.resolve("french_test.jsonl"), "{\"id\": \"f1\", \"title\": \"U\", \"body\": \"C\"}\n");
        Run r = run(new ProduceCorpusCommand(), "--format", "jsonl", "--keep-incomplete", "--corpus", "xlsum",
                "--text-field", "title", "--text-field", "body",
                "--map", "english_test.jsonl=en", "--map", "french_test.jsonl=fr", en.toString(), fr.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("en|e1|T B", "fr|f1|U C"), r.records().stream()
                .map(n -> n.get("lang").asText() + "|" + n.get("meaningId").asText() + "|" + n.get("text").asText()).toList());
        assertTrue(r.err().contains("incomplete: meaning 'e1' has no text in [fr]; kept"), r.err());

        Run noLang = run(new ProduceCorpusCommand(), "--format", "jsonl", en.toString());
        assertEquals(2, noLang.code());
        assertTrue(noLang.err().contains(en + ": needs a fixed language or a language field"), noLang.err());
    }

    @Test
    void landCheckpointsPrintsEvents() throws Exception {
        Path run = SharedData.fixtures().resolve("checkpoints/bloom-tiny-train");
        Path broken = Files.createDirectories(tmp.resolve("step-9"));
        Run r = run(new LandCheckpointsCommand(), "--corpus", "analysis-corpus",
                run.resolve("step-0").toString(), broken.toString(), run.resolve("step-800").toString());
        assertEquals(1, r.code());
        assertEquals(List.of("bloom-tiny-train@0", "bloom-tiny-train@800"),
                r.records().stream().map(n -> n.get("checkpointId").asText()).toList());
        assertEquals("4218be02a8da3a3c7c136330268f47cf60c5f7c711026af526fa9baa56d2cbe9",
                r.records().get(1).get("contentHash").asText());
        assertTrue(r.err().contains("rejected: " + broken.resolve("config.json") + ": missing"), r.err());
    }

    @Test
    void requestCommandsPrintRequests() throws Exception {
        Path regions = Files.writeString(tmp.resolve("kr.json"), "{\"en\":[5,1],\"zh\":[1,1000]}");
        Path model = SharedData.fixtures().resolve("models/bloom-tiny");
        Run a = run(new RequestAblationCommand(), "--checkpoint", model.toString(), "--key-regions", regions.toString(),
                "--corpus", "corpus", "--random-baseline-seed", "7");
        assertEquals(0, a.code(), a.err());
        JsonNode req = a.records().get(0);
        assertTrue(req.get("checkpointId").asText().startsWith("bloom-tiny@"));
        assertEquals("[1,5]", req.get("sets").get("en").toString());
        assertEquals(7, req.get("randomBaselineSeed").asLong());

        Run e = run(new RequestEvalCommand(), "--checkpoint-id", "m@1", "--checkpoint-path", "/ckpt",
                "--languages", "en,zh", "--key-regions", regions.toString(), "--ablate-sets", "en,zh", "--limit", "50");
        assertEquals(0, e.code(), e.err());
        assertEquals("[1,5,1000]", e.records().get(0).get("ablate").toString());
        assertEquals(50, e.records().get(0).get("limit").asInt());

        Run outOfRange = run(new RequestEvalCommand(), "--checkpoint", model.toString(), "--languages", "en",
                "--ablate", "1024");
        assertEquals(2, outOfRange.code());
        assertTrue(outOfRange.err().contains("neuron id 1024 is out of range [0, 1024)"), outOfRange.err());
    }

    @Test
    void crossLingualEvalAndGenerationRequestsArePrinted() throws Exception {
        Path regions = Files.writeString(tmp.resolve("kr.json"), "{\"en\":[5,1],\"zh\":[1,1000]}");
        Run e = run(new RequestEvalCommand(), "--checkpoint-id", "m@1", "--checkpoint-path", "/ckpt", "--languages", "es,zh",
                "--key-regions", regions.toString(), "--ablate-sets", "zh", "--cross-lingual", "--samples");
        assertEquals(0, e.code(), e.err());
        JsonNode eval = e.records().get(0);
        assertTrue(eval.get("crossLingual").asBoolean());
        assertTrue(eval.get("samples").asBoolean());
        assertEquals("zh", eval.get("region").asText(), "the one ablated set names the region");
        Run plain = run(new RequestEvalCommand(), "--checkpoint-id", "m@1", "--checkpoint-path", "/ckpt", "--languages", "es,zh",
                "--key-regions", regions.toString(), "--ablate-sets", "zh");
        assertNotEquals(plain.records().get(0).get("requestId"), eval.get("requestId"), "the options enter the derived id");

        Run g = run(new RequestGenerationCommand(), "--checkpoint-id", "m@1", "--checkpoint-path", "/ckpt",
                "--prompt", "Le chat", "--key-regions", regions.toString(), "--region", "en", "--seed", "3", "--top-p", "0.9");
        assertEquals(0, g.code(), g.err());
        JsonNode gen = g.records().get(0);
        assertEquals("[1,5]", gen.get("ablate").toString());
        assertEquals("en", gen.get("region").asText());
        assertEquals(false, gen.get("greedy").asBoolean());
        assertEquals(3, gen.get("seed").asLong());
        assertEquals(0.9, gen.get("topP").asDouble());
        assertEquals(32, gen.get("maxNewTokens").asInt());

        Run mixed = run(new RequestGenerationCommand(), "--checkpoint-id", "m@1", "--checkpoint-path", "/ckpt",
                "--prompt", "x", "--greedy", "--temperature", "0.5");
        assertEquals(2, mixed.code());
        assertTrue(mixed.err().contains("generation on m@1: greedy decoding takes no seed, temperature or top-p"), mixed.err());
        Run empty = run(new RequestGenerationCommand(), "--checkpoint-id", "m@1", "--checkpoint-path", "/ckpt", "--prompt", "");
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("generation on m@1: the prompt is empty"), empty.err());
    }
}
