package io.linguaflow.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/**
 * {@code table1} on the fixture BLOOM against the reference kit: key-neuron counts of {@code analysis.key_neurons} and the
 * key-region ablation perplexities of {@code ablation} (HF transformers, token-weighted per language), i.e. the paper's
 * Table 1 numbers of this model.
 */
class Table1CommandTest {

    @TempDir
    Path tmp;

    @Test
    void tableOfTheFixtureBloomMatchesTheReferenceAblation() throws Exception {
        Path out = tmp.resolve("t.json");
        Path csv = tmp.resolve("t.csv");
        assertEquals(0, new CommandLine(new Table1Command()).execute("--model", Fixtures.model("bloom-tiny").toString(),
                "--corpus", SharedData.fixtures().resolve("corpus.tsv").toString(), "--random-seed", "5", "--out", out.toString(),
                "--csv", csv.toString(), "--threads", "1"));
        JsonNode ref = Fixtures.json(Fixtures.reference("bloom-tiny").resolve("reference.json"));
        JsonNode t = new ObjectMapper().readTree(out.toFile());
        List<String> langs = new ObjectMapper().convertValue(ref.get("languages"), List.class);
        assertEquals(ref.get("languages"), t.get("languages"));
        JsonNode counts = ref.get("analysis").get("key_neurons").get("counts");
        JsonNode ablation = ref.get("ablation");
        double worst = 0;
        for (String lang : langs) {
            assertEquals(counts.get(lang).asInt(), t.get("key_neurons").get(lang).asInt(), lang);
            worst = Math.max(worst, rel(ablation.get("baseline_ppl_token").get(lang), t.get("baseline").get(lang)));
            for (String eval : langs) {
                worst = Math.max(worst, rel(ablation.get("ppl_token").get(lang).get(eval), t.get("ablated").get(lang).get(eval)));
                double inc = 100 * (t.get("ablated").get(lang).get(eval).asDouble() / t.get("baseline").get(eval).asDouble() - 1);
                assertEquals(inc, t.get("increase_pct").get(lang).get(eval).asDouble(), 1e-9);
                assertTrue(t.get("random").get(lang).get(eval).asDouble() > 0, "random baseline " + lang + "/" + eval);
            }
        }
        System.out.printf("table1 vs reference: largest relative perplexity deviation %.2e%n", worst);
        // NLL agrees to 1e-4 between float32 implementations (fixtures README), so PPL = exp(mean NLL) to about 1e-4 relative
        assertTrue(worst < 1e-4, "perplexities deviate from the reference by " + worst + " (relative)");
        assertEquals(5, t.get("random_seed").asLong());
        assertEquals(4L * 256, t.get("total_neurons").asLong()); // 4 layers x 4·64 GeLU neurons
        List<String> rows = Files.readAllLines(csv);
        assertEquals(1 + langs.size() + 2, rows.size());
        assertTrue(rows.get(1).startsWith("en," + t.get("baseline").get("en").asDouble() + ","), rows.get(1));
    }

    @Test
    void anEvaluationCorpusMissingALanguageIsNamed() throws Exception {
        Path eval = tmp.resolve("eval.tsv");
        List<String> lines = Files.readAllLines(SharedData.fixtures().resolve("corpus.tsv"));
        Files.write(eval, lines.stream().filter(l -> !l.contains("\tvi\t")).toList());
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, new CommandLine(new Table1Command()).execute("--model", Fixtures.model("bloom-tiny").toString(),
                    "--corpus", SharedData.fixtures().resolve("corpus.tsv").toString(), "--eval-corpus", eval.toString(),
                    "--out", tmp.resolve("t.json").toString(), "--threads", "1"));
        } finally {
            System.setErr(old);
        }
        String err = buf.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains(eval.toString()) && err.contains("no text in language 'vi'"), err);
        assertTrue(Files.notExists(tmp.resolve("t.json")));
    }

    private static double rel(JsonNode want, JsonNode got) {
        return Math.abs(got.asDouble() - want.asDouble()) / want.asDouble();
    }
}
