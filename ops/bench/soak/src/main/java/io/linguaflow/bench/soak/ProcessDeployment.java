package io.linguaflow.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.launcher.Linguaflow;
import io.linguaflow.producers.checkpoint.CheckpointLander;
import io.linguaflow.producers.checkpoint.LandingOptions;
import io.linguaflow.producers.corpus.CorpusResult;
import io.linguaflow.producers.kafka.RecordPublisher;
import io.linguaflow.schemas.KafkaEnvironment;
import io.linguaflow.schemas.avro.CheckpointEvent;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The soak's deployment as separate OS processes: {@code linguaflow streams} and {@code linguaflow worker} JVMs (this
 * JVM's classpath), {@code count} of each, on the given broker and registry; this JVM only publishes the corpus and
 * the checkpoint events and reads the first instance's REST API until a checkpoint's metrics are complete.
 */
final class ProcessDeployment implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path logs;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> processLogs = new ArrayList<>();
    private final RecordPublisher publisher;
    private final int queryPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Starts {@code count} streams instances (one application id, state under {@code dir/state-N}) and {@code count}
     * workers (one group, checkpoints opened under {@code checkpointRoot}); logs in {@code dir/logs}.
     */
    ProcessDeployment(KafkaEnvironment kafka, Path dir, Path checkpointRoot, int count, String heap) throws IOException {
        this.logs = Files.createDirectories(dir.resolve("logs"));
        String prefix = kafka.topics().prefix();
        String secret = UUID.randomUUID().toString(); // the /internal calls between the instances
        int firstPort = 0;
        try {
            for (int i = 1; i <= count; i++) {
                int port = freePort();
                firstPort = i == 1 ? port : firstPort;
                start("streams-" + i, secret, heap, "streams", "--bootstrap", kafka.bootstrapServers(), "--registry", kafka.schemaRegistryUrl(),
                        "--topic-prefix", prefix, "--application-id", prefix + "streams", "--state-dir", dir.resolve("state-" + i).toString(),
                        "--http-port", Integer.toString(port), "--partitions", "2", "--interim-interval", "PT2S");
            }
            for (int i = 1; i <= count; i++) {
                start("worker-" + i, secret, heap, "worker", "--bootstrap", kafka.bootstrapServers(), "--registry", kafka.schemaRegistryUrl(),
                        "--topic-prefix", prefix, "--instance-id", prefix + "worker-" + i, "--checkpoint-root", checkpointRoot.toString());
            }
            this.publisher = new RecordPublisher(kafka.topics(), kafka.clientConfig(), Clock.systemUTC());
        } catch (IOException | RuntimeException e) {
            stopProcesses();
            throw e;
        }
        this.queryPort = firstPort;
    }

    void publishCorpus(CorpusResult corpus) {
        publisher.corpus(corpus);
    }

    /** Lands {@code dir} for {@code corpus} and waits until the REST API serves its complete metrics. */
    CheckpointEvent land(Path dir, String corpus, Duration timeout) throws Exception {
        CheckpointEvent event = new CheckpointLander(LandingOptions.forCorpus(corpus).withThreshold(2.0), Clock.systemUTC())
                .land(dir).event();
        publisher.checkpoint(event);
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + queryPort + "/checkpoints/"
                + URLEncoder.encode(event.getCheckpointId(), StandardCharsets.UTF_8) + "/metrics")).timeout(Duration.ofSeconds(30)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < processes.size(); i++) {
                if (!processes.get(i).isAlive()) {
                    printLogTails();
                    throw new IllegalStateException(processLogs.get(i).getFileName() + " exited with " + processes.get(i).exitValue()
                            + "; log " + processLogs.get(i));
                }
            }
            try {
                HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200 && JSON.readTree(r.body()).path("complete").asBoolean(false)) {
                    return event;
                }
            } catch (IOException notListeningYet) {
                last = notListeningYet.toString();
            }
            Thread.sleep(500);
        }
        printLogTails();
        throw new IllegalStateException(event.getCheckpointId() + " not complete after " + timeout.toSeconds() + " s; last answer "
                + last);
    }

    /** The last lines of every process's log on stderr (the temp dir holding them is deleted when the bench ends). */
    private void printLogTails() {
        for (Path log : processLogs) {
            try {
                List<String> lines = Files.readAllLines(log);
                System.err.println("==> " + log.getFileName() + " (last 20 lines)");
                lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(System.err::println);
            } catch (IOException e) {
                System.err.println("==> " + log + ": " + e);
            }
        }
    }

    /** Resident memory of the streams and worker processes together (VmRSS), MiB. */
    long residentMiB() {
        long kib = 0;
        for (Process p : processes) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException gone) {
                // exited meanwhile: land() reports it
            }
        }
        return kib >> 10;
    }

    /** SIGTERM to every process (workers abort their open transaction, streams close cleanly), then wait. */
    @Override
    public void close() {
        publisher.close();
        stopProcesses();
    }

    private void stopProcesses() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    private void start(String name, String secret, String heap, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                Linguaflow.class.getName()));
        cmd.addAll(List.of(args));
        Path log = logs.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("LINGUAFLOW_INTERNAL_SECRET", secret);
        processes.add(pb.start());
        processLogs.add(log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
