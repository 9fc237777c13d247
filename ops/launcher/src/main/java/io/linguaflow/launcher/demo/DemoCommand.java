package io.linguaflow.launcher.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.CheckpointInspector;
import io.linguaflow.launcher.pipeline.LocalServices;
import io.linguaflow.launcher.pipeline.Pipeline;
import io.linguaflow.ops.registry.RegistryServerProcess;
import io.linguaflow.producers.checkpoint.CheckpointLander;
import io.linguaflow.producers.checkpoint.CheckpointWatcher;
import io.linguaflow.producers.checkpoint.LandingOptions;
import io.linguaflow.producers.corpus.CorpusOptions;
import io.linguaflow.producers.corpus.CorpusResult;
import io.linguaflow.producers.corpus.TsvCorpusReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code linguaflow demo} ({@code ops/demo}): the main job. Starts a private broker and registry, one streams
 * instance (REST API and live dashboard) and one inference worker; then either trains the toy BLOOM
 * ({@code train-toy}) while a checkpoint watcher lands each checkpoint it writes, or lands the user's
 * {@code --checkpoint}s. One terminal line per event, a summary table at the end, {@code result.json} and the report
 * under the run directory; everything else goes to the log file. Serves until Ctrl-C unless {@code --headless}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The main job, end to end from the repository alone: train a small multilingual BLOOM in Java and",
            "analyse each checkpoint as it lands (or analyse your own --checkpoint dirs), with a live dashboard,",
            "a summary table, result.json and a report of PNG figures.",
            "Exit codes: 0 done; 1 an analysis failed; 2 bad input; 3 port or run directory busy."})
public final class DemoCommand implements Callable<Integer> {

    static final int FAILED = 1;
    static final int BAD_INPUT = 2;
    static final int BUSY = 3;
    /** What a run writes under its run directory (besides {@code .lock}). */
    private static final List<String> RUN_FILES = List.of("services", "state", ToyRun.MODEL_NAME, "report", "result.json", "demo.log");

    @Spec
    CommandSpec spec;

    @Option(names = "--steps", split = ",", paramLabel = "N[,N...]",
            description = "training steps at which the toy model writes a checkpoint (default: ${DEFAULT-VALUE})")
    List<Integer> steps = new ArrayList<>(ToyRun.DEFAULT_STEPS);

    @Option(names = "--duration", paramLabel = "ISO-8601",
            description = "longest training time, e.g. PT3M: training stops then and writes a last checkpoint at the step reached")
    Duration duration;

    @Option(names = "--seed", defaultValue = "1", description = "training seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "analyse these HF checkpoint directories instead of training (repeatable; needs --corpus)")
    List<Path> checkpoints = new ArrayList<>();

    @Option(names = "--corpus", paramLabel = "C.tsv", description = "parallel corpus for --checkpoint: TSV with columns id, lang, text; every meaning in every language")
    Path corpus;

    @Option(names = "--headless", description = "no serving: exit after the last checkpoint is analysed and the report is written")
    boolean headless;

    @Option(names = "--http-port", defaultValue = "7070", description = "port of the dashboard and REST API (default ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "where the run's files go (default: <repository>/ops/run/demo); emptied at the start")
    Path runDir;

    @Option(names = "--threshold", defaultValue = "" + LandingOptions.DEFAULT_THRESHOLD, description = "key-region z threshold (default ${DEFAULT-VALUE})")
    double threshold;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "longest analysis of one checkpoint (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--no-build", hidden = true, description = "use the broker classpath as built (tests inside the Maven build)")
    boolean noBuild;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try {
            String problem = checkOptions();
            if (problem != null) {
                err.println("demo: " + problem);
                return BAD_INPUT;
            }
            Path home = RegistryServerProcess.locateHome();
            Path run = (runDir != null ? runDir : home.resolve("ops/run/demo")).toAbsolutePath().normalize();
            Files.createDirectories(run);
            try (FileChannel lockFile = FileChannel.open(run.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = tryLock(lockFile)) {
                if (lock == null) {
                    err.println("demo: another demo is running with the run directory " + run
                            + " (stop it with Ctrl-C, or give this one --run-dir)");
                    return BUSY;
                }
                if (!portFree(httpPort)) {
                    err.println("demo: port " + httpPort + " is in use (another demo or service?); choose one with --http-port");
                    return BUSY;
                }
                CorpusResult userCorpus = corpus == null ? null : readCorpus(corpus, null);
                for (Path dir : checkpoints) {
                    CheckpointInspector.inspect(dir.toAbsolutePath().normalize()); // fail before anything starts
                }
                clean(run);
                return runLocked(home, run, userCorpus);
            }
        } catch (CheckpointException | BadInput e) {
            err.println("demo: " + e.getMessage());
            return BAD_INPUT;
        } finally {
            err.flush();
        }
    }

    private String checkOptions() {
        if (!checkpoints.isEmpty() && corpus == null) {
            return "--checkpoint needs --corpus C.tsv (the sentences to analyse the checkpoints on)";
        }
        if (checkpoints.isEmpty() && corpus != null) {
            return "--corpus goes with --checkpoint DIR...; the training run brings its own corpus";
        }
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) < 0 || (i > 0 && steps.get(i) <= steps.get(i - 1)) || steps.get(steps.size() - 1) < 1) {
                return "--steps must list ascending training steps >= 0 ending after 0, e.g. --steps 0,100,400; got " + steps;
            }
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            return "--duration must be positive, e.g. PT3M";
        }
        if (httpPort < 1 || httpPort > 65535) {
            return "--http-port must be 1..65535";
        }
        return null;
    }

    /** A TSV corpus whose every meaning has a text in every language (the metrics assume a balanced parallel corpus). */
    static CorpusResult readCorpus(Path tsv, String name) throws IOException, BadInput {
        if (!Files.isRegularFile(tsv)) {
            throw new BadInput("--corpus " + tsv + " is not a file");
        }
        CorpusResult c = new TsvCorpusReader(tsv).read(CorpusOptions.defaults().withCorpus(name));
        if (!c.rejected().isEmpty()) {
            throw new BadInput("corpus " + tsv + ": " + c.rejected().size() + " malformed row(s), first: "
                    + c.rejected().get(0).error());
        }
        if (!c.incomplete().isEmpty()) {
            throw new BadInput("corpus " + tsv + ": " + c.incomplete().size() + " meaning(s) lack a translation, first: "
                    + c.incomplete().get(0) + " (every meaning needs a text in each of " + c.languages() + ")");
        }
        if (c.languages().size() < 2 || c.sentences().isEmpty()) {
            throw new BadInput("corpus " + tsv + " needs sentences in at least 2 languages, found " + c.languages());
        }
        return c;
    }

    private int runLocked(Path home, Path run, CorpusResult userCorpus) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown(); // Ctrl-C: the main thread stops everything; wait for it
            try {
                stopped.await(90, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (Terminal out = Terminal.capture(run.resolve("demo.log"))) {
            out.event("linguaflow demo: run directory %s, log %s", run, out.logFile());
            try {
                return session(home, run, userCorpus, out, stop);
            } catch (Exception e) {
                e.printStackTrace(); // into the log
                out.event("stopped: %s (details in %s)", e.getMessage(), out.logFile());
                return FAILED;
            }
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    private int session(Path home, Path run, CorpusResult userCorpus, Terminal out, CountDownLatch stop) throws Exception {
        out.event("starting a Kafka broker and a schema registry");
        try (LocalServices local = LocalServices.start(home, run.resolve("services"), !noBuild, httpPort)) {
            out.event("broker %s, registry %s", local.bootstrapServers(), local.registryUrl());
            Pipeline.Config config = new Pipeline.Config(local.bootstrapServers(), local.registryUrl(),
                    "demo-" + UUID.randomUUID().toString().substring(0, 8) + ".", run.resolve("state"), httpPort, 2, timeout);
            try (Pipeline pipeline = Pipeline.start(config)) {
                out.event("streams and worker up; dashboard (live): %s/", pipeline.url());
                Analyses analyses = new Analyses(pipeline, out, timeout);
                boolean finished = userCorpus != null
                        ? analyseGiven(pipeline, userCorpus, analyses, out, stop)
                        : trainAndAnalyse(pipeline, run, analyses, out, stop);
                if (!finished) {
                    out.event("stopping (Ctrl-C)");
                    return FAILED;
                }
                return finish(pipeline, run, analyses, out, stop);
            }
        } finally {
            out.event("everything the demo started is stopped");
        }
    }

    /** Lands the user's checkpoints in the given order and waits for their analyses; false when stopped. */
    private boolean analyseGiven(Pipeline pipeline, CorpusResult c, Analyses analyses, Terminal out, CountDownLatch stop)
            throws Exception {
        pipeline.publishCorpus(c);
        out.event("corpus '%s': %d sentences, %d meanings x %d languages %s", c.corpus(), c.sentences().size(),
                c.sentences().size() / c.languages().size(), c.languages().size(), c.languages());
        CheckpointLander lander = new CheckpointLander(LandingOptions.forCorpus(c.corpus()).withThreshold(threshold), Clock.systemUTC());
        for (Path dir : checkpoints) {
            analyses.land(lander.land(dir).event());
        }
        while (!analyses.allDone()) {
            if (stop.getCount() == 0) {
                return false;
            }
            analyses.poll(Duration.ofSeconds(1));
        }
        return true;
    }

    /**
     * Trains the toy model in a thread while a {@link CheckpointWatcher} lands what it writes; returns once training
     * has ended and every checkpoint it wrote is analysed (false when stopped).
     */
    private boolean trainAndAnalyse(Pipeline pipeline, Path run, Analyses analyses, Terminal out, CountDownLatch stop)
            throws Exception {
        Path modelDir = Files.createDirectories(run.resolve(ToyRun.MODEL_NAME));
        try (ToyRun training = ToyRun.start(modelDir, steps, duration, seed, out)) {
            CorpusResult c = readCorpus(training.corpusFile(), ToyRun.CORPUS_NAME);
            pipeline.publishCorpus(c);
            out.event("corpus '%s': %d sentences, %d meanings x %d languages", c.corpus(), c.sentences().size(),
                    c.sentences().size() / c.languages().size(), c.languages().size());
            CheckpointLander lander = new CheckpointLander(LandingOptions.forCorpus(c.corpus()).withThreshold(threshold), Clock.systemUTC());
            try (CheckpointWatcher watcher = new CheckpointWatcher(modelDir, lander, 1, Duration.ofSeconds(1))) {
                while (true) {
                    if (stop.getCount() == 0) {
                        return false;
                    }
                    boolean trainingOver = training.finished(); // read before the scan: nothing is written after it
                    for (CheckpointWatcher.Outcome o : watcher.poll(Duration.ofMillis(500))) {
                        if (o instanceof CheckpointWatcher.Landed l) {
                            analyses.land(l.event());
                        } else if (o instanceof CheckpointWatcher.Rejected r) {
                            analyses.rejected(r.dir().toString(), r.rejection().error());
                        }
                    }
                    analyses.poll(Duration.ofMillis(500));
                    if (trainingOver && analyses.count() >= training.checkpointsWritten() && analyses.allDone()) {
                        training.rethrowFailure();
                        return true;
                    }
                }
            }
        }
    }

    /** Summary table, result.json and the report; then serves until Ctrl-C unless headless. */
    private int finish(Pipeline pipeline, Path run, Analyses analyses, Terminal out, CountDownLatch stop) throws Exception {
        List<ObjectNode> entries = analyses.entries();
        out.plain("");
        out.plain(SummaryTable.render(entries));
        ObjectNode result = new ObjectMapper().createObjectNode();
        result.put("corpus", entries.isEmpty() ? null : entries.get(0).path("metrics").path("corpus").asText(null));
        result.putArray("checkpoints").addAll(entries);
        Path resultFile = run.resolve("result.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(resultFile.toFile(), result);
        out.event("wrote %s", resultFile);
        DemoReport.write(pipeline.url(), run.resolve("report"), out);
        List<String> failures = analyses.failures();
        failures.forEach(f -> out.event("failed: %s", f));
        if (!headless) {
            out.plain("");
            out.plain("dashboard: " + pipeline.url() + "/   (Ctrl-C stops everything)");
            stop.await();
        }
        return failures.isEmpty() ? 0 : FAILED;
    }

    /** The run directory's lock, or null when another demo (in any JVM) holds it. */
    private static FileLock tryLock(FileChannel file) throws IOException {
        try {
            return file.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes what an earlier run left (only the demo's own files): every run starts with a fresh broker, registry and state. */
    private static void clean(Path run) throws IOException {
        for (String name : RUN_FILES) {
            Path p = run.resolve(name);
            if (Files.exists(p)) {
                try (Stream<Path> tree = Files.walk(p)) {
                    for (Path f : tree.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
    }

    /** Input the demo cannot run on: a message for the user, exit code 2. */
    static final class BadInput extends Exception {
        BadInput(String message) {
            super(message);
        }
    }
}
