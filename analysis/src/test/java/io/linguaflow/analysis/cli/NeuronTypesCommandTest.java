package io.linguaflow.analysis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.testkit.SharedData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code neuron-types} end to end: the NJUNLP fixture in, JSON out, compared with the fixture's expected files. */
class NeuronTypesCommandTest {

    static final String LANGS = "en,ru,es,fr,de,zh,ja,bn,th,sw";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new NeuronTypesCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static Path njunlp() {
        return SharedData.fixtures().resolve("njunlp");
    }

    static JsonNode read(Path p) throws IOException {
        return JSON.readTree(p.toFile());
    }

    /** Everything but λ/autosweep that both input forms must reproduce exactly. */
    static void assertMatchesShippedMask(JsonNode t) throws IOException {
        JsonNode summary = read(njunlp().resolve("expected/summary.json"));
        assertEquals(read(njunlp().resolve("expected/mask.json")).get("mask"), t.get("mask"));
        assertEquals(read(njunlp().resolve("expected/selected.json")).get("selected"), t.get("selected"));
        for (String field : new String[] {"languages", "k", "tau_float32_bits", "tau_rank_1indexed", "appear", "sizes",
            "specific_per_language", "per_layer", "totals", "N_histogram_all_neurons", "selected_with_N0_dropped"}) {
            assertEquals(summary.get(field), t.get(field), field);
        }
        assertEquals(summary.get("tau").doubleValue(), t.get("tau").doubleValue(), 0.0);
        assertEquals(summary.get("norm_max").doubleValue(), t.get("norm_max").doubleValue(), 0.0);
        assertEquals(0.109375, t.get("lambda").doubleValue(), 0.0);
        assertEquals("zhang", t.get("method").asText());
    }

    @Test
    void autosweepFromProbabilitiesWritesTheReferenceResult() throws IOException {
        Path out = tmp.resolve("T.json");
        Run r = run("--probabilities", njunlp().resolve("counts/p.npy").toString(), "--languages", LANGS,
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("lambda 0.109375") && r.out().contains("specific 1866, related 1353, general 7797"),
                r.out());
        JsonNode t = read(out);
        assertMatchesShippedMask(t);
        JsonNode expected = read(njunlp().resolve("expected/summary.json")).get("autosweep");
        JsonNode got = t.get("autosweep");
        for (String field : new String[] {"lo", "hi", "eps", "max_iters", "best_lambda", "iterations"}) {
            assertEquals(expected.get(field).asDouble(), got.get(field).asDouble(), 0.0, field);
        }
        assertEquals(expected.get("trajectory").size(), got.get("trajectory").size());
        for (int i = 0; i < got.get("trajectory").size(); i++) {
            JsonNode e = expected.get("trajectory").get(i);
            JsonNode g = got.get("trajectory").get(i);
            assertEquals(e.get("step"), g.get("step"));
            assertEquals(e.get("lambda").doubleValue(), g.get("lambda").doubleValue(), 0.0);
            assertEquals(Double.parseDouble(e.get("lambda_hex").asText()), Double.parseDouble(g.get("lambda_hex").asText()));
            assertEquals(e.get("appear"), g.get("appear"));
            assertEquals(e.get("ok"), g.get("ok"));
            assertEquals(e.get("kth_score").doubleValue(), g.get("kth_score").doubleValue(), 1e-6);
        }
    }

    @Test
    void fixedLambdaFromRawCountsWritesTheSameMask() throws IOException {
        Path out = tmp.resolve("T.json");
        Run r = run("--counts", njunlp().resolve("counts").toString(), "--lambda", "0.109375", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode t = read(out);
        assertMatchesShippedMask(t);
        assertTrue(t.get("autosweep") == null, "no search when lambda is given");
    }

    @Test
    void lapeFromProbabilities() throws IOException {
        Path out = tmp.resolve("L.json");
        Run r = run("--probabilities", njunlp().resolve("counts/p.npy").toString(), "--languages", LANGS,
                "--method", "lape", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode t = read(out);
        assertEquals("lape", t.get("method").asText());
        assertTrue(t.get("lambda").isNull());
        assertEquals(JSON.readTree("[0, 3406, 820, 225, 74, 50, 10, 2, 1, 0, 0]"), t.get("appear"));
        assertEquals(4588, t.get("selected").size());
    }

    @Test
    void languageCountMismatchNamesTheFile() {
        Run r = run("--probabilities", njunlp().resolve("counts/p.npy").toString(), "--languages", "en,ru,es",
                "--out", tmp.resolve("x.json").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("p.npy") && r.err().contains("last axis has 10 languages but 3 were given"), r.err());
        assertTrue(!Files.exists(tmp.resolve("x.json")));
    }

    @Test
    void nanProbabilityIsReportedWithItsPosition() throws IOException {
        Path p = tmp.resolve("nan.npy");
        float[] v = new float[2 * 3 * 2];
        v[(1 * 3 + 2) * 2 + 1] = Float.NaN;
        Npy.writeFloat32(p, new long[] {2, 3, 2}, v);
        Run r = run("--probabilities", p.toString(), "--languages", "a,b", "--out", tmp.resolve("x.json").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("nan.npy") && r.err().contains("NaN at layer 1, neuron 2, language b"), r.err());
    }

    @Test
    void wrongShapeDtypeAndOptionsAreClearErrors() throws IOException {
        Path flat = tmp.resolve("flat.npy");
        Npy.writeFloat32(flat, new long[] {4, 2}, new float[8]);
        Run r = run("--probabilities", flat.toString(), "--languages", "a,b", "--out", tmp.resolve("x.json").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("flat.npy") && r.err().contains("shape [L, D, K]"), r.err());

        Path f8 = tmp.resolve("f8.npy");
        Npy.writeFloat64(f8, new long[] {1, 2, 2}, new double[4]);
        r = run("--probabilities", f8.toString(), "--languages", "a,b", "--out", tmp.resolve("x.json").toString());
        assertTrue(r.exit() == 1 && r.err().contains("<f8"), r.err());

        Path ok = tmp.resolve("ok.npy");
        Npy.writeFloat32(ok, new long[] {1, 20, 2}, new float[40]);
        r = run("--probabilities", ok.toString(), "--out", tmp.resolve("x.json").toString());
        assertTrue(r.exit() == 1 && r.err().contains("needs --languages"), r.err());
        r = run("--probabilities", ok.toString(), "--languages", "a,b", "--method", "lape", "--lambda", "0.1",
                "--out", tmp.resolve("x.json").toString());
        assertTrue(r.exit() == 1 && r.err().contains("--lambda applies to --method zhang only"), r.err());
        r = run("--probabilities", ok.toString(), "--languages", "a,b", "--method", "argmax",
                "--out", tmp.resolve("x.json").toString());
        assertTrue(r.exit() == 1 && r.err().contains("--method argmax"), r.err());
        r = run("--probabilities", ok.toString(), "--languages", "a,a", "--out", tmp.resolve("x.json").toString());
        assertTrue(r.exit() == 1 && r.err().contains("distinct"), r.err());
        r = run("--probabilities", ok.toString(), "--languages", "a,b", "--top-rate", "0.01",
                "--out", tmp.resolve("x.json").toString());
        assertTrue(r.exit() == 1 && r.err().contains("selects round(20*0.01) = 0 neurons"), r.err());
        r = run("--counts", tmp.toString(), "--out", tmp.resolve("x.json").toString());
        assertTrue(r.exit() == 1 && r.err().contains("tokens.json: not found"), r.err());
        r = run("--languages", "a,b", "--out", tmp.resolve("x.json").toString());
        assertEquals(2, r.exit(), "picocli usage error without --probabilities/--counts");
    }

    @Test
    void autosweepWithoutAnAcceptableLambdaFailsClearly() throws IOException {
        // every neuron fires equally in both languages above tau: any selection holds an all-language neuron
        Path p = tmp.resolve("flat.npy");
        float[] v = new float[1 * 10 * 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = i < 4 ? 0f : 0.5f + (i / 2) * 0.01f;
        }
        Npy.writeFloat32(p, new long[] {1, 10, 2}, v);
        Run r = run("--probabilities", p.toString(), "--languages", "a,b", "--top-rate", "0.5", "--activation-bar-ratio",
                "0.2", "--out", tmp.resolve("x.json").toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("lambda search found no lambda in [0.0, 0.2]"), r.err());
    }
}
