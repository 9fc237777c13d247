package io.linguaflow.worker.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.cli.ExpertsCommand;
import io.linguaflow.analysis.cli.NeuronTypesCommand;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.corpus.CorpusTsv;
import io.linguaflow.analysis.experts.AveragePrecision;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.worker.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The batch instruments end to end on the fixture BLOOM and the bundled corpus (120 meanings x 9 languages with a
 * {@code topic} column): extract (max_vectors.npy, activation probabilities), experts on its maxima, neuron-types
 * on its probabilities, and probe.
 */
class InstrumentsEndToEndTest {

    /** The bundled corpus of the training module (id, lang, topic, text). */
    static final Path EVERYDAY9 = Path.of("../training/src/main/resources/io/linguaflow/training/corpus/everyday9.tsv");

    @TempDir
    Path tmp;

    private static int run(Object command, String... args) {
        return new CommandLine(command).execute(args);
    }

    @Test
    void extractThenExpertsAndNeuronTypes() throws Exception {
        Path out = tmp.resolve("x");
        assertEquals(0, run(new ExtractCommand(), "--model", Fixtures.model("bloom-tiny").toString(),
                "--corpus", EVERYDAY9.toString(), "--out", out.toString(), "--threads", "1"));
        Corpus c = CorpusTsv.read(EVERYDAY9);
        int n = c.size();
        try (Npy max = Npy.open(out.resolve("max_vectors.npy")); Npy mean = Npy.open(out.resolve("vectors.npy"))) {
            assertArrayEquals(mean.shape(), max.shape());
            for (int i = 0; i < n; i += 97) {
                double[] mx = max.row(i);
                double[] mu = mean.row(i);
                for (int k = 0; k < mx.length; k++) {
                    assertTrue(mx[k] >= mu[k] - 1e-6, "max below mean at row " + i + " neuron " + k);
                }
            }
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode meta = json.readTree(out.resolve("activation_probabilities.json").toFile());
        assertEquals(c.languages().size(), meta.get("languages").size());
        try (Npy p = Npy.open(out.resolve("activation_probabilities.npy"))) {
            assertArrayEquals(new long[] {4, 256, 9}, p.shape());
        }
        assertEquals(0, run(new NeuronTypesCommand(), "--probabilities",
                out.resolve("activation_probabilities.npy").toString(), "--out", tmp.resolve("t.json").toString()));

        Path experts = tmp.resolve("e.json");
        assertEquals(0, run(new ExpertsCommand(), "--max-vectors", out.resolve("max_vectors.npy").toString(),
                "--corpus", EVERYDAY9.toString(), "--labels-column", "topic", "--top-k", "20", "--out", experts.toString()));
        JsonNode e = json.readTree(experts.toFile());
        assertEquals(20, e.get("k").asInt());
        assertEquals(10, e.get("concepts").size());
        assertEquals(36, e.get("overlap").get("food").size()); // 9 choose 2 language pairs
        // the first expert of (food, zh): recompute its AP from max_vectors.npy by brute force
        JsonNode top = e.get("concepts").get("food").get("zh").get("experts").get(0);
        int neuron = top.get(0).asInt();
        List<String> topics = CorpusTsv.readColumn(EVERYDAY9, "topic");
        int rows = 0;
        for (String l : c.langs()) {
            rows += l.equals("zh") ? 1 : 0;
        }
        float[] s = new float[rows];
        boolean[] y = new boolean[rows];
        try (Npy max = Npy.open(out.resolve("max_vectors.npy"))) {
            int j = 0;
            for (int i = 0; i < n; i++) {
                if (c.langs().get(i).equals("zh")) {
                    s[j] = max.readFloats(i * max.rowLength() + neuron, 1)[0];
                    y[j++] = topics.get(i).equals("food");
                }
            }
        }
        assertEquals(AveragePrecision.of(s, y), top.get(1).asDouble(), 1e-12);
        JsonNode second = e.get("concepts").get("food").get("zh").get("experts").get(1);
        assertTrue(second.get(1).asDouble() <= top.get(1).asDouble());

        // bad input: no such label column, named with the file
        var err = new java.io.StringWriter();
        CommandLine cl = new CommandLine(new ExpertsCommand());
        cl.setErr(new java.io.PrintWriter(err));
        assertEquals(1, cl.execute("--max-vectors", out.resolve("max_vectors.npy").toString(), "--corpus",
                EVERYDAY9.toString(), "--labels-column", "domain", "--out", experts.toString()));
        assertTrue(err.toString().contains("everyday9.tsv") && err.toString().contains("'domain'"), err.toString());
    }

    @Test
    void probeWritesPerLayerCrossValidatedAccuracy() throws Exception {
        // three languages of the bundled corpus: 360 sentences
        Path corpus = tmp.resolve("c.tsv");
        List<String> lines = Files.readAllLines(EVERYDAY9);
        StringBuilder b = new StringBuilder(lines.get(0)).append('\n');
        for (String l : lines.subList(1, lines.size())) {
            String lang = l.split("\t")[1];
            if (lang.equals("en") || lang.equals("zh") || lang.equals("ar")) {
                b.append(l).append('\n');
            }
        }
        Files.writeString(corpus, b);
        Path out = tmp.resolve("p.json");
        assertEquals(0, run(new ProbeCommand(), "--model", Fixtures.model("bloom-tiny").toString(), "--corpus",
                corpus.toString(), "--out", out.toString(), "--threads", "1", "--layers", "0,3", "--seeds", "1,2",
                "--epochs", "3"));
        JsonNode p = new ObjectMapper().readTree(out.toFile());
        assertEquals(2, p.get("layers").size());
        for (JsonNode layer : p.get("layers")) {
            assertEquals(10, layer.get("folds").size());
            double mean = 0;
            for (JsonNode f : layer.get("folds")) {
                mean += f.get("accuracy").asDouble() * f.get("test_tokens").asInt();
            }
            mean /= 2 * p.get("tokens").asInt();
            assertEquals(mean, layer.get("accuracy_mean").asDouble(), 1e-12);
            // Latin, Han and Arabic script tokens through a random model: well above chance (1/3; one standard
            // error over 2 x 1440 predictions is ~0.01), which tokens paired with the wrong sentence's language would give
            assertTrue(layer.get("accuracy_mean").asDouble() > 0.45, layer.toString());
        }
        assertEquals(360, p.get("sentences").asInt());
        assertTrue(p.get("tokens").asInt() <= 4 * 360 && p.get("tokens").asInt() > 3 * 360, p.get("tokens").toString());
    }
}
