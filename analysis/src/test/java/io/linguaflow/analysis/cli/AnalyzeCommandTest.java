package io.linguaflow.analysis.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AnalyzeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final StringWriter err = new StringWriter();
    private final StringWriter out = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new AnalyzeCommand());
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        return cl.execute(args);
    }

    /** 6 languages x 4 meanings, 2 layers x 3 neurons, float32. */
    private Path[] syntheticInputs(int rows) throws IOException {
        StringBuilder tsv = new StringBuilder("id\tlang\ttext\n");
        for (int l = 0; l < 6; l++) {
            for (int s = 0; s < 4; s++) {
                tsv.append("m").append(s).append('\t').append("L").append(l).append("\tsentence ").append(s).append('\n');
            }
        }
        Path corpus = tmp.resolve("c.tsv");
        Files.writeString(corpus, tsv);
        Random rnd = new Random(1);
        float[] v = new float[rows * 6];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (1 + rnd.nextGaussian());
        }
        Path vectors = tmp.resolve("v.npy");
        Npy.writeFloat32(vectors, new long[] {rows, 6}, v);
        return new Path[] {vectors, corpus};
    }

    @Test
    void writesTheDocumentedJsonShape() throws IOException {
        Path[] in = syntheticInputs(24);
        Path result = tmp.resolve("r.json");
        Path scores = tmp.resolve("scores");
        Path sim = tmp.resolve("s.npy");
        assertEquals(0, run("--vectors", in[0].toString(), "--corpus", in[1].toString(), "--layers", "2", "--threshold", "1.5",
                "--out", result.toString(), "--scores-dir", scores.toString(), "--similarity", sim.toString()), err.toString());
        JsonNode r = JSON.readTree(result.toFile());
        assertEquals(List.of("L0", "L1", "L2", "L3", "L4", "L5"), JSON.convertValue(r.get("languages"), List.class));
        assertEquals(24, r.get("n_samples").asInt());
        assertEquals(2, r.get("layers").asInt());
        assertEquals(3, r.get("neurons_per_layer").asInt());
        assertTrue(r.get("lrds").isDouble() && r.get("sads").isDouble());
        assertEquals(2, r.at("/per_layer/lrds").size());
        assertEquals(2, r.at("/per_layer/sads").size());
        long sklr = 0;
        for (int l = 0; l < 6; l++) {
            String lang = "L" + l;
            JsonNode ids = r.at("/key_neurons/" + lang);
            for (int i = 1; i < ids.size(); i++) {
                assertTrue(ids.get(i - 1).asLong() < ids.get(i).asLong(), "ascending");
            }
            assertEquals(ids.size(), r.at("/key_neuron_counts/" + lang).asInt());
            assertEquals(ids.size(), r.at("/key_neurons_per_layer/" + lang).get(0).asInt() + r.at("/key_neurons_per_layer/" + lang).get(1).asInt());
            sklr += ids.size();
        }
        assertEquals(sklr, r.get("sklr").asLong());
        assertTrue(sklr > 0, "threshold 1.5 selects neurons on random data");
        assertEquals("corrected", r.get("mode").asText());
        try (Npy s = Npy.open(scores.resolve("zscores.npy")); Npy map = Npy.open(sim)) {
            assertArrayEquals(new long[] {6, 6}, s.shape());
            assertArrayEquals(new long[] {24, 24}, map.shape());
            assertEquals(1.0, map.row(5)[5], 1e-12);
        }
    }

    @Test
    void badInputExitsWithCodeTwoAndNamesTheFile() throws IOException {
        Path[] in = syntheticInputs(23);
        assertEquals(2, run("--vectors", in[0].toString(), "--corpus", in[1].toString(), "--layers", "2", "--out", tmp.resolve("r.json").toString()));
        assertTrue(err.toString().contains(in[0] + " has 23 rows but " + in[1] + " has 24 samples"), err.toString());
    }

    @Test
    void fixtureModelThroughTheCommandLine() throws IOException {
        Path dir = SharedData.fixtures().resolve("reference/bloom-tiny");
        Path result = tmp.resolve("r.json");
        assertEquals(0, run("--vectors", dir.resolve("layer_means.npy").toString(), "--corpus",
                SharedData.fixtures().resolve("corpus.tsv").toString(), "--lf-compat", "--out", result.toString()), err.toString());
        JsonNode r = JSON.readTree(result.toFile());
        JsonNode lf = JSON.readTree(dir.resolve("lf_reference.json").toFile());
        assertEquals("lf-compat", r.get("mode").asText());
        assertEquals(lf.at("/whole_model/lrds/score").asDouble(), r.get("lrds").asDouble(), 1e-9);
        assertEquals(lf.at("/whole_model/sads_released_stride_S_plus_1/score").asDouble(), r.get("sads").asDouble(), 1e-9);
        assertEquals(lf.at("/whole_model/sads_intended_stride_S/score").asDouble(),
                r.at("/lf_compat/whole_model/sads_intended_stride_S/score").asDouble(), 1e-9);
        assertEquals(lf.at("/key_neurons/total").asLong(), r.get("sklr").asLong());
        assertEquals(lf.at("/key_neurons/indices/hi"), r.at("/key_neurons/hi"));
    }
}
