package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.worker.Fixtures;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * Exactly once across a crash: a worker process ({@link WorkerCommand} in its own JVM) is killed with SIGKILL while a
 * transaction is open and its records are already in the log; a second process with the same instance id is stopped
 * with SIGTERM mid-transaction (clean shutdown: abort); a third finishes. A read_committed consumer then sees every
 * (checkpoint, sample, layer) exactly once, although read_uncommitted shows the records of the aborted transactions.
 */
class WorkerProcessKillTest {

    private static final int SAMPLES = 150;
    private static final int PER_REQUEST = 10;
    private static final int LAYERS = 4;
    private static final int EXPECTED = SAMPLES * LAYERS;
    static final int REQUESTS_PER_TRANSACTION = 3;
    private static final Pattern COMMITTED = Pattern.compile("committed transaction: \\d+ request\\(s\\), (\\d+) activation records");
    private static final Pattern SENT = Pattern.compile("request \\S+: \\d+ activation records sent in the open transaction");

    @Test
    void killedMidTransactionThenRestartedGivesEveryRecordExactlyOnce() throws Exception {
        long t0 = System.nanoTime();
        Topics topics = WorkerKit.freshTopics("kill", 1);
        WorkerKit.produce(topics, WorkerKit.requests("bloom-tiny@kill", Fixtures.model("bloom-tiny"), 0, SAMPLES, PER_REQUEST));

        try (KafkaConsumer<String, ActivationRecord> committed = WorkerKit.activations(topics, "read_committed");
             KafkaConsumer<String, ActivationRecord> uncommitted = WorkerKit.activations(topics, "read_uncommitted")) {
            List<ConsumerRecord<String, ActivationRecord>> c = new ArrayList<>();
            List<ConsumerRecord<String, ActivationRecord>> u = new ArrayList<>();

            // 1. SIGKILL while a transaction is open and some of its records are in the log
            WorkerProcess first = WorkerProcess.start(topics, "kill-1");
            try {
                awaitOpenTransaction(first, committed, c, uncommitted, u, 0, 0);
                first.process.destroyForcibly();
                assertTrue(first.awaitExit(), "killed worker did not exit");
            } finally {
                first.process.destroyForcibly();
            }
            WorkerKit.drain(committed, c, Duration.ofSeconds(1));
            WorkerKit.drain(uncommitted, u, Duration.ofSeconds(1));
            int aborted1 = u.size() - c.size();
            System.out.printf("[kafka-worker] after SIGKILL: read_committed %d, read_uncommitted %d (open transaction: %d), "
                    + "worker logged %d committed%n", c.size(), u.size(), aborted1, first.committedRecords());
            assertEquals(first.committedRecords(), c.size(), "read_committed shows exactly the committed transactions");
            assertTrue(aborted1 > 0, "the killed transaction had records in the log");
            assertWholeRequests(c);

            // 2. same instance again (fences the dead one, aborts its transaction); SIGTERM mid-transaction
            WorkerProcess second = WorkerProcess.start(topics, "kill-1");
            try {
                awaitOpenTransaction(second, committed, c, uncommitted, u, first.committedRecords(), aborted1);
                second.process.destroy();
                assertTrue(second.awaitExit(), "SIGTERM did not stop the worker");
            } finally {
                second.process.destroyForcibly();
            }
            System.out.println("[kafka-worker] SIGTERM exit status " + second.process.exitValue());
            assertTrue(second.lines().stream().anyMatch(l -> l.contains("(shutdown); they will be processed again")),
                    "clean shutdown aborts the open transaction: " + second.log);
            WorkerKit.drain(committed, c, Duration.ofSeconds(1));
            WorkerKit.drain(uncommitted, u, Duration.ofSeconds(1));
            System.out.printf("[kafka-worker] after SIGTERM: read_committed %d, read_uncommitted %d, worker logged %d committed%n",
                    c.size(), u.size(), second.committedRecords());
            assertEquals(first.committedRecords() + second.committedRecords(), c.size());
            assertTrue(c.size() < EXPECTED, "work left for the third worker");
            assertWholeRequests(c);

            // 3. runs to the end
            WorkerProcess third = WorkerProcess.start(topics, "kill-1");
            try {
                assertTrue(WorkerKit.pollUntil(committed, c, l -> l.size() >= EXPECTED, Duration.ofSeconds(60)),
                        "only " + c.size() + " of " + EXPECTED + " records committed; worker log " + third.log);
                WorkerKit.drain(committed, c, Duration.ofSeconds(1));
                WorkerKit.drain(uncommitted, u, Duration.ofSeconds(1));
            } finally {
                third.process.destroy();
                third.awaitExit();
                third.process.destroyForcibly();
            }

            Map<String, Integer> once = counts(c);
            Map<String, Integer> all = counts(u);
            long duplicatedInLog = all.values().stream().filter(n -> n > 1).count();
            System.out.printf("[kafka-worker] final: read_committed %d records, %d distinct (checkpoint, sample, layer); "
                    + "read_uncommitted %d records, %d of them repeated by aborted transactions; %.1f s%n",
                    c.size(), once.size(), u.size(), duplicatedInLog, (System.nanoTime() - t0) / 1e9);
            assertEquals(EXPECTED, c.size());
            assertEquals(EXPECTED, once.size());
            assertTrue(once.values().stream().allMatch(n -> n == 1));
            for (int i = 0; i < SAMPLES; i++) {
                for (int l = 0; l < LAYERS; l++) {
                    String id = "bloom-tiny@kill " + WorkerKit.sample(i).getSampleId() + " " + l;
                    assertEquals(1, once.getOrDefault(id, 0), id);
                }
            }
            assertTrue(u.size() > EXPECTED && duplicatedInLog > 0,
                    "the log holds aborted records (" + u.size() + " records) that read_committed never showed");
        }
    }

    /**
     * Waits until the worker has committed at least one transaction and has an open one with one or two of its three
     * requests sent (so a throttle pause and a request remain before its commit), and until read_uncommitted shows
     * records beyond everything committed and aborted before ({@code priorCommitted}, {@code priorAborted}).
     */
    private static void awaitOpenTransaction(WorkerProcess worker,
                                             KafkaConsumer<String, ActivationRecord> committed,
                                             List<ConsumerRecord<String, ActivationRecord>> c,
                                             KafkaConsumer<String, ActivationRecord> uncommitted,
                                             List<ConsumerRecord<String, ActivationRecord>> u,
                                             int priorCommitted, int priorAborted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            assertTrue(System.nanoTime() < deadline, "no open transaction seen; worker log " + worker.log);
            assertTrue(worker.process.isAlive(), "worker exited early; log " + worker.log);
            committed.poll(Duration.ofMillis(50)).forEach(c::add);
            uncommitted.poll(Duration.ofMillis(50)).forEach(u::add);
            int sentSinceCommit = worker.sentSinceCommit();
            int inOpenTransaction = u.size() - priorAborted - priorCommitted - worker.committedRecords();
            if (worker.committedRecords() > 0 && sentSinceCommit >= 1 && sentSinceCommit < REQUESTS_PER_TRANSACTION
                    && inOpenTransaction > 0) {
                return;
            }
        }
    }

    /** Committed records come in whole requests: each request's samples all present with every layer, or none. */
    private static void assertWholeRequests(List<ConsumerRecord<String, ActivationRecord>> records) {
        Map<Integer, Integer> perRequest = new HashMap<>();
        for (ConsumerRecord<String, ActivationRecord> r : records) {
            perRequest.merge(r.value().getIndex() / PER_REQUEST, 1, Integer::sum);
        }
        perRequest.forEach((request, n) -> assertEquals(PER_REQUEST * LAYERS, n, "records of request " + request));
    }

    private static Map<String, Integer> counts(List<ConsumerRecord<String, ActivationRecord>> records) {
        Map<String, Integer> out = new HashMap<>();
        records.forEach(r -> out.merge(WorkerKit.identity(r.value()), 1, Integer::sum));
        return out;
    }

    /**
     * {@code java -cp <test classpath> WorkerCommand ...} with its output in a file (a pipe would lose what the JVM
     * writes while it exits: the JDK closes the stream under a reader when the process ends).
     */
    static final class WorkerProcess {

        final Process process;
        final Path log;

        private WorkerProcess(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        /** A worker in its own JVM; {@code extraArgs} are appended to the command line. */
        static WorkerProcess start(Topics topics, String instanceId, String... extraArgs) throws IOException {
            Path log = Files.createTempFile("kill-test-worker-", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Xmx512m",
                    "-Dai.djl.offline=true",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-Dorg.slf4j.simpleLogger.log.io.linguaflow=info",
                    WorkerCommand.class.getName(),
                    "--bootstrap", WorkerKit.kafka().bootstrapServers(),
                    "--registry", WorkerKit.registry().url(),
                    "--topic-prefix", topics.prefix(),
                    "--instance-id", instanceId,
                    "--checkpoint-root", Fixtures.model("bloom-tiny").getParent().toString(),
                    "--requests-per-transaction", Integer.toString(REQUESTS_PER_TRANSACTION),
                    "--max-model-bytes", "1g",
                    "--threads", "1",
                    "--throttle-ms", "300"));
            command.addAll(List.of(extraArgs));
            Files.writeString(Path.of(log + ".cmd"), String.join(" ", command)); // to rerun it by hand
            return new WorkerProcess(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start(), log);
        }

        /** Waits (30 s at most) for the process to end. */
        boolean awaitExit() throws InterruptedException {
            return process.waitFor(30, TimeUnit.SECONDS);
        }

        /** The output so far, complete lines only. */
        List<String> lines() {
            try {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                String complete = text.substring(0, text.lastIndexOf('\n') + 1);
                return complete.lines().filter(l -> !l.contains("CudaUtils")).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Requests sent in the transaction open now (0 right after a commit). */
        int sentSinceCommit() {
            int n = 0;
            for (String line : lines()) {
                if (COMMITTED.matcher(line).find()) {
                    n = 0;
                } else if (SENT.matcher(line).find()) {
                    n++;
                }
            }
            return n;
        }

        /** Activation records of the transactions this process logged as committed. */
        int committedRecords() {
            int n = 0;
            for (String line : lines()) {
                Matcher m = COMMITTED.matcher(line);
                if (m.find()) {
                    n += Integer.parseInt(m.group(1));
                }
            }
            return n;
        }
    }
}
