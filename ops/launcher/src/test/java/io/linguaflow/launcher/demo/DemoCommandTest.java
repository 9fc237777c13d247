package io.linguaflow.launcher.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.launcher.Linguaflow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code linguaflow demo} refuses bad input and busy resources with a message and an exit code, starting nothing. */
class DemoCommandTest {

    @TempDir
    Path dir;

    private record Result(int exit, String err) {
    }

    private Result demo(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Linguaflow());
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 3];
        all[0] = "demo";
        all[1] = "--run-dir";
        all[2] = dir.resolve("run").toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return new Result(cli.execute(all), err.toString());
    }

    @Test
    void notACheckpointIsNamed() throws Exception {
        Path corpus = Files.writeString(dir.resolve("c.tsv"), "id\tlang\ttext\n1\ten\tHello\n1\tfr\tBonjour\n");
        Path notCkpt = Files.createDirectories(dir.resolve("not-a-checkpoint"));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Result r = demo("--checkpoint", notCkpt.toString(), "--corpus", corpus.toString(), "--http-port", Integer.toString(port));
        assertEquals(DemoCommand.BAD_INPUT, r.exit, r.err);
        assertTrue(r.err.contains(notCkpt.resolve("config.json").toString()), r.err);
        assertFalse(Files.exists(dir.resolve("run/services")), "nothing started");
    }

    @Test
    void missingTranslationsAreNamed() throws Exception {
        Path corpus = Files.writeString(dir.resolve("c.tsv"),
                "id\tlang\ttext\n1\ten\tHello\n1\tfr\tBonjour\n2\ten\tThank you\n");
        Result r = demo("--checkpoint", dir.toString(), "--corpus", corpus.toString());
        assertEquals(DemoCommand.BAD_INPUT, r.exit, r.err);
        assertTrue(r.err.contains("lack a translation") && r.err.contains("2") && r.err.contains("fr"), r.err);
    }

    @Test
    void optionMistakes() {
        Result r = demo("--checkpoint", dir.toString());
        assertEquals(DemoCommand.BAD_INPUT, r.exit);
        assertTrue(r.err.contains("--checkpoint needs --corpus"), r.err);
        r = demo("--steps", "0,-5");
        assertEquals(DemoCommand.BAD_INPUT, r.exit);
        assertTrue(r.err.contains("--steps"), r.err);
    }

    @Test
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Result r = demo("--http-port", Integer.toString(taken.getLocalPort()));
            assertEquals(DemoCommand.BUSY, r.exit, r.err);
            assertTrue(r.err.contains("port " + taken.getLocalPort() + " is in use"), r.err);
        }
    }

    @Test
    void secondDemoOnTheSameRunDirectory() throws Exception {
        Files.createDirectories(dir.resolve("run"));
        try (FileChannel f = FileChannel.open(dir.resolve("run/.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = f.lock()) {
            Result r = demo();
            assertEquals(DemoCommand.BUSY, r.exit, r.err);
            assertTrue(r.err.contains("another demo is running"), r.err);
        }
    }
}
