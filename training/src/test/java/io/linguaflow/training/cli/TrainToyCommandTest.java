package io.linguaflow.training.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainToyCommandTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        PrintStream o = System.out;
        PrintStream e = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new CommandLine(new TrainToyCommand()).execute(args);
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void printsOneLinePerCheckpoint() {
        assertEquals(0, run("--out", tmp.resolve("o").toString(), "--steps", "0,4", "--threads", "1",
                "--hidden", "16", "--layers", "1", "--heads", "2", "--seq-len", "16", "--batch", "2", "--merges", "50"));
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, out.toString(StandardCharsets.UTF_8));
        assertTrue(lines[0].matches("step 0  loss \\d+\\.\\d{4}  \\d+\\.\\d s  .*step-0"), lines[0]);
        assertTrue(lines[1].matches("step 4  loss \\d+\\.\\d{4}  \\d+\\.\\d s  .*step-4"), lines[1]);
    }

    @Test
    void badInputExitsWithTwo() throws Exception {
        assertEquals(2, run("--out", tmp.toString(), "--no-such-option"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Unknown option: '--no-such-option'"));

        Path gaps = Files.writeString(tmp.resolve("gaps.tsv"), "id\tlang\ttext\na\ten\tHi.\na\tfr\tSalut.\nb\ten\tYes.\n");
        err.reset();
        assertEquals(2, run("--out", tmp.resolve("o").toString(), "--corpus", gaps.toString()));
        assertEquals("error: " + gaps + " line 4: meaning 'b' has no translation in fr (every meaning needs all 2 "
                + "languages: en fr)", err.toString(StandardCharsets.UTF_8).strip());

        Files.createDirectories(tmp.resolve("used/step-100"));
        err.reset();
        assertEquals(2, run("--out", tmp.resolve("used").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("already holds checkpoints [step-100]"));

        err.reset();
        assertEquals(2, run("--out", tmp.resolve("o").toString(), "--steps", "10,5"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("ascending"));
    }
}
