package io.linguaflow.bench.streams;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link StreamsInstanceMain} child JVM of the bench (this JVM's java and classpath): its stdin and stdout carry the
 * commands and answers, its stderr goes to a log whose tail is printed when something fails, and its GC log gives
 * the heap figures ({@link Heap}).
 */
final class StreamsJvm implements AutoCloseable {

    /**
     * How the bench starts its streams JVMs.
     *
     * @param heap          {@code -Xmx} of each
     * @param similarityMap with the {@code aggregator-vectors} store (off: {@code --no-similarity-map})
     * @param streamThreads stream threads of each instance
     * @param profile       a JFR recording per instance at {@code <profile without .jfr>-streams-<instances>i-<n>.jfr}, or null
     */
    record Options(String heap, boolean similarityMap, int streamThreads, Path profile) {

        Options withoutProfile() {
            return new Options(heap, similarityMap, streamThreads, null);
        }
    }

    /**
     * The heap of one streams JVM over its life (start, restore, run, close), from its GC log: G1 logs each pause as
     * {@code A->B(C)}, occupancy before and after the pause and the committed heap.
     *
     * @param peak        the largest occupancy before a pause: the most heap in use at any time (garbage included;
     *                    what {@code -Xmx} bounds)
     * @param afterGcPeak the largest occupancy after a pause: the most that survived a collection
     * @param liveAtEnd   used heap after a full GC once the final metrics were in
     * @param pauses      GC pauses logged, of which {@code fullPauses} full collections, {@code pauseSeconds} wall in all
     * @param rssPeak     the process's peak resident memory (VmHWM): heap, RocksDB's native memory, metaspace, code
     */
    record Heap(long peak, long afterGcPeak, long liveAtEnd, int pauses, int fullPauses, double pauseSeconds, long rssPeak) {
    }

    private static final Pattern PAUSE = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\) ([0-9.]+)ms");
    private static final Duration STOP = Duration.ofSeconds(90);

    private final int number;
    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final Path log;
    private final Path gcLog;

    private StreamsJvm(int number, Process process, Path log, Path gcLog) {
        this.number = number;
        this.process = process;
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.log = log;
        this.gcLog = gcLog;
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    answers.add(line);
                }
            } catch (IOException closed) {
                // the process ended: await() reports it
            }
        }, "streams-jvm-" + number + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts streams JVM {@code number} of a run of {@code instances}; its logs go to {@code dir}.
     *
     * @param args {@link StreamsInstanceMain}'s arguments
     */
    static StreamsJvm start(int number, int instances, Path dir, Options options, List<String> args) throws IOException {
        Path log = dir.resolve("streams-" + number + ".log");
        Path gcLog = dir.resolve("gc-" + number + ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + options.heap(), "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog + "::filecount=0",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path")));
        String extra = System.getenv("BENCH_STREAMS_JAVA_OPTS"); // e.g. another garbage collector
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        if (options.profile() != null) {
            String base = options.profile().toString().replaceFirst("\\.jfr$", "");
            cmd.add("-XX:StartFlightRecording=filename=" + base + "-streams-" + instances + "i-" + number + ".jfr,settings=profile");
            cmd.add("-Xlog:jfr=warning");
        }
        cmd.add(StreamsInstanceMain.class.getName());
        cmd.addAll(args);
        if (!options.similarityMap()) {
            cmd.add("--no-similarity-map");
        }
        cmd.addAll(List.of("--stream-threads", Integer.toString(options.streamThreads())));
        Process process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        return new StreamsJvm(number, process, log, gcLog);
    }

    int number() {
        return number;
    }

    long pid() {
        return process.pid();
    }

    /** Sends {@code command} and waits for its answer, a line starting with {@code answer}; returns that line. */
    String request(String command, String answer, Duration timeout) throws InterruptedException {
        commands.println(command);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = answers.poll(100, TimeUnit.MILLISECONDS);
            if (line == null) {
                checkAlive();
            } else if (line.startsWith(answer)) {
                return line;
            } else {
                System.err.println(this + ": " + line);
            }
        }
        throw new IllegalStateException(this + ": no answer to '" + command + "' within " + timeout.toSeconds() + " s");
    }

    /** Throws when the process has ended, after its unread stdout (the JVM's own last words go there, e.g. an OOM's). */
    void checkAlive() {
        if (!process.isAlive()) {
            for (String line = answers.poll(); line != null; line = answers.poll()) {
                System.err.println(this + ": " + line);
            }
            throw new IllegalStateException(this + " exited with status " + process.exitValue());
        }
    }

    /** Closes the instance, waits for the JVM to exit and reads its heap figures. */
    Heap stop() throws IOException, InterruptedException {
        long rssPeak = rssPeak();
        String stopped = request("stop", "stopped ", STOP);
        if (!process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(this + " did not exit cleanly after stop");
        }
        long peak = 0;
        long afterGcPeak = 0;
        int pauses = 0;
        int fullPauses = 0;
        double pauseMs = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = PAUSE.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, bytes(m.group(1), m.group(2)));
                afterGcPeak = Math.max(afterGcPeak, bytes(m.group(3), m.group(4)));
                pauses++;
                fullPauses += line.contains("Pause Full") ? 1 : 0;
                pauseMs += Double.parseDouble(m.group(7));
            }
        }
        return new Heap(peak, afterGcPeak, Long.parseLong(stopped.substring("stopped ".length())), pauses, fullPauses,
                pauseMs / 1e3, rssPeak);
    }

    private static long bytes(String amount, String unit) {
        return Long.parseLong(amount) << switch (unit) {
            case "K" -> 10;
            case "M" -> 20;
            default -> 30;
        };
    }

    /** VmHWM of the process, 0 where /proc has none. */
    private long rssPeak() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process ended: stop() reports that
        }
        return 0;
    }

    /** The last 20 lines of the JVM's stderr, on this JVM's stderr. */
    void printLogTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            System.err.println("==> " + this + ", " + log + " (last 20 lines)");
            lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(System.err::println);
        } catch (IOException e) {
            System.err.println("==> " + log + ": " + e);
        }
    }

    /** Kills the JVM if it still runs (after {@link #stop()} it has exited). */
    @Override
    public void close() {
        commands.close();
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "streams JVM " + number + " (pid " + pid() + ")";
    }
}
