package io.linguaflow.analysis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.testkit.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code experts} with FLORES topic metadata (shared/data/flores200-devtest) and its bad-input messages. */
class ExpertsCommandTest {

    @TempDir
    Path tmp;

    @Test
    void floresTopicsLabelTheRows() throws Exception {
        Path flores = SharedData.data().resolve("flores200-devtest");
        Path meta = SharedData.require(flores.resolve("flores_metadata_devtest.tsv"));
        List<String> eng = Files.readAllLines(flores.resolve("eng_Latn.devtest"));
        List<String> fra = Files.readAllLines(flores.resolve("fra_Latn.devtest"));
        StringBuilder tsv = new StringBuilder("id\tlang\ttext\n");
        for (String lang : List.of("en", "fr")) {
            for (int i = 1; i <= 150; i++) {
                tsv.append(String.format("devtest-%04d\t%s\t%s%n", i, lang, (lang.equals("en") ? eng : fra).get(i - 1)));
            }
        }
        Path corpus = tmp.resolve("c.tsv");
        Files.writeString(corpus, tsv);
        float[] v = new float[300 * 8];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        Path npy = tmp.resolve("m.npy");
        Npy.writeFloat32(npy, new long[] {300, 2, 4}, v);
        Path out = tmp.resolve("e.json");
        assertEquals(0, new CommandLine(new ExpertsCommand()).execute("--max-vectors", npy.toString(), "--corpus",
                corpus.toString(), "--flores-metadata", meta.toString(), "--top-k", "3", "--out", out.toString()));
        JsonNode e = new ObjectMapper().readTree(out.toFile());
        // brute force: how many of the first 150 sentences list "Politics" among their comma-separated topics
        List<String> lines = Files.readAllLines(meta);
        int topic = List.of(lines.get(0).split("\t")).indexOf("topic");
        int politics = 0;
        for (int i = 1; i <= 150; i++) {
            for (String t : lines.get(i).split("\t")[topic].split(",")) {
                politics += t.trim().equals("Politics") ? 1 : 0;
            }
        }
        assertTrue(politics > 0);
        assertEquals(politics, e.get("concepts").get("Politics").get("en").get("positives").asInt());
        assertEquals(150 - politics, e.get("concepts").get("Politics").get("fr").get("negatives").asInt());
        assertEquals(3, e.get("concepts").get("Politics").get("en").get("experts").size());
    }

    @Test
    void badInputNamesTheFile() throws Exception {
        Path corpus = tmp.resolve("c.tsv");
        Files.writeString(corpus, "id\tlang\ttext\ttopic\nm1\ten\ta\tfood\nm2\ten\tb\tfood\n");
        Path npy = tmp.resolve("m.npy");
        Npy.writeFloat32(npy, new long[] {2, 3}, new float[6]);
        String one = error(npy, corpus, "--labels-column", "topic", "--top-k", "2");
        assertTrue(one.contains("1 concept(s) [food]") && one.contains(corpus.toString()), one);
        String missing = error(npy, corpus, "--labels-column", "domain");
        assertTrue(missing.contains(corpus + " line 1: no column 'domain'"), missing);
        Files.writeString(corpus, "id\tlang\ttext\ttopic\nm1\ten\ta\tfood\nm2\ten\tb\twork\n");
        String msg = error(npy, corpus, "--top-k", "4");
        assertTrue(msg.contains(npy.toString()) && msg.contains("top-k 4") && msg.contains("neuron count 3"), msg);
    }

    private String error(Path npy, Path corpus, String... more) {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ExpertsCommand());
        cl.setErr(new PrintWriter(err, true));
        String[] base = {"--max-vectors", npy.toString(), "--corpus", corpus.toString(), "--out", tmp.resolve("e.json").toString()};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        assertEquals(1, cl.execute(args));
        return err.toString();
    }
}
