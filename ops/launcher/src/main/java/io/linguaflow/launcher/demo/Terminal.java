package io.linguaflow.launcher.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The demo's two outputs: the terminal, which gets one line per event that matters, and a log file, which gets
 * everything else. {@link #capture} points {@code System.out} and {@code System.err} at the log, so library and
 * per-request logging (slf4j-simple writes to {@code System.err}) never reaches the terminal.
 */
final class Terminal implements AutoCloseable {

    private final PrintStream terminal;
    private final PrintStream originalOut;
    private final PrintStream originalErr;
    private final PrintStream log;
    private final Path logFile;
    private final long startNanos = System.nanoTime();

    private Terminal(PrintStream terminal, PrintStream log, Path logFile) {
        this.terminal = terminal;
        this.originalOut = System.out;
        this.originalErr = System.err;
        this.log = log;
        this.logFile = logFile;
    }

    /** Sends {@code System.out}/{@code System.err} to {@code logFile} (appending) until {@link #close}. */
    static Terminal capture(Path logFile) throws IOException {
        OutputStream file = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        PrintStream log = new PrintStream(file, true, StandardCharsets.UTF_8);
        Terminal t = new Terminal(new PrintStream(System.out, true, StandardCharsets.UTF_8), log, logFile);
        System.setOut(log);
        System.setErr(log);
        return t;
    }

    Path logFile() {
        return logFile;
    }

    /** One event line, prefixed with the time since the start ({@code [m:ss]}); also copied to the log. */
    synchronized void event(String format, Object... args) {
        long s = (System.nanoTime() - startNanos) / 1_000_000_000L;
        String line = String.format("[%2d:%02d] ", s / 60, s % 60) + String.format(format, args);
        terminal.println(line);
        log.println("demo: " + line);
    }

    /** Lines as they are (the summary table, usage hints); also copied to the log. */
    synchronized void plain(String text) {
        terminal.println(text);
        log.println(text);
    }

    @Override
    public synchronized void close() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        log.close();
        terminal.flush();
    }
}
