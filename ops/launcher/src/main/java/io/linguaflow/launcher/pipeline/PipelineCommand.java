package io.linguaflow.launcher.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.CheckpointInspector;
import io.linguaflow.ops.registry.RegistryServerProcess;
import io.linguaflow.producers.checkpoint.LandingOptions;
import io.linguaflow.schemas.client.KafkaClientOptions;
import io.linguaflow.worker.kafka.CheckpointRoots;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code linguaflow pipeline}: the whole pipeline for given checkpoints and a corpus, reporting what the REST API
 * serves. Starts a private broker ({@code ops/local.sh}) and registry unless {@code --bootstrap}/{@code --registry}
 * are given, then one streams instance and one worker; publishes the corpus, lands the checkpoints in the given order
 * (each one final before the next) and writes the report. Everything it started is stopped at the end.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline (broker, registry, streams, worker) on checkpoints and a TSV corpus, landing",
            "the checkpoints in order, and write what the REST API serves for each as JSON."})
public final class PipelineCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "HF checkpoint directory, landed in the given order (repeatable)")
    List<Path> checkpoints;

    @Option(names = "--corpus", required = true, paramLabel = "C.tsv", description = "parallel corpus, TSV with columns id, lang, text")
    Path corpus;

    @Option(names = "--threshold", defaultValue = "" + LandingOptions.DEFAULT_THRESHOLD,
            description = "key-region z threshold (default ${DEFAULT-VALUE})")
    double threshold;

    @Option(names = "--out", paramLabel = "R.json", description = "report file (required unless --serve)")
    Path out;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "use this Kafka cluster (needs --registry); default: start a private broker")
    String bootstrap;

    @Option(names = "--registry", paramLabel = "URL", description = "schema registry (Confluent API) URL, with --bootstrap")
    String registry;

    @Option(names = "--home", paramLabel = "DIR", description = "repository root holding ops/local.sh (default: -Dlinguaflow.home, else found from the working directory)")
    Path home;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "broker data, logs and streams state; kept afterwards (default: a temporary directory, deleted at the end)")
    Path workDir;

    @Option(names = "--no-build", hidden = true, description = "use the broker classpath as built (tests inside the Maven build)")
    boolean noBuild;

    @Option(names = "--http-port", defaultValue = "0", description = "port of the REST API and dashboard (default: a free port)")
    int httpPort;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "longest wait for one checkpoint, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Mixin
    KafkaClientOptions kafkaClient;

    @Option(names = "--serve", description = "keep everything running after the last checkpoint and print the dashboard URL, until Ctrl-C")
    boolean serve;

    @Override
    public Integer call() throws Exception {
        try {
            return checkedCall();
        } catch (CheckpointException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 2;
        }
    }

    private int checkedCall() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if ((bootstrap == null) != (registry == null)) {
            err.println("error: --bootstrap and --registry go together (or give neither to start a private broker and registry)");
            return 2;
        }
        if (out == null && !serve) {
            err.println("error: --out R.json is required (unless --serve)");
            return 2;
        }
        if (!Files.isRegularFile(corpus)) {
            err.println("error: --corpus " + corpus + " is not a file");
            return 2;
        }
        for (Path dir : checkpoints) { // fail before anything starts; hashing waits for the landing
            CheckpointInspector.inspect(dir.toAbsolutePath().normalize());
        }
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("linguaflow-pipeline-");
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown(); // Ctrl-C: let the main thread stop everything, and wait for it
            try {
                stopped.await(90, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pipeline-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(work, err, stop);
        } finally {
            if (workDir == null) {
                delete(work);
            }
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
            err.flush();
        }
    }

    private int run(Path work, PrintWriter err, CountDownLatch stop) throws Exception {
        LocalServices local = null;
        try {
            if (bootstrap == null) {
                Path root = home != null ? home.toAbsolutePath() : RegistryServerProcess.locateHome();
                err.println("pipeline: starting a broker and a registry (run dir " + work.resolve("run") + ")");
                err.flush();
                local = LocalServices.start(root, work.resolve("run"), !noBuild, httpPort);
            }
            String prefix = "pipeline-" + UUID.randomUUID().toString().substring(0, 8) + ".";
            Pipeline.Config config = new Pipeline.Config(local != null ? local.bootstrapServers() : bootstrap,
                    local != null ? local.registryUrl() : registry, prefix, work.resolve("state"),
                    httpPort != 0 ? httpPort : LocalServices.freePort(), 2, timeout, kafkaClient.properties(),
                    CheckpointRoots.of(checkpoints)); // the worker opens only the checkpoints named here
            try (Pipeline pipeline = Pipeline.start(config)) {
                ObjectNode report = PipelineReport.run(pipeline, corpus, checkpoints, threshold, err);
                if (out != null) {
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
                    err.println("pipeline: wrote " + out);
                }
                if (serve) {
                    spec.commandLine().getOut().println("dashboard: " + pipeline.url() + "/  (Ctrl-C stops everything)");
                    spec.commandLine().getOut().flush();
                    err.flush();
                    stop.await();
                }
            }
        } finally {
            if (local != null) {
                local.close();
                err.println("pipeline: broker and registry stopped");
            }
        }
        return 0;
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
