package io.linguaflow.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.testkit.CommittedReplay;
import io.linguaflow.worker.kafka.WorkerCommand;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite, whole pipeline: streams (planner and aggregation) in this JVM, two worker processes of one group on the
 * planner's requests for a fixture checkpoint and corpus; one worker is SIGKILLed after it committed a transaction and
 * while its next one is open. The survivor finishes the work and the final metrics and key regions equal the
 * reference kit's, as in {@link PipelineTrendTest}, and, bit for bit, those of a clean run of the same topology on the
 * committed input ({@link CommittedReplay}).
 */
@Tag("fault")
class TwoWorkersOneKilledPipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STEP = 800;

    @Test
    void survivorFinishesTheKilledWorkersRequestsAndTheMetricsEqualTheReference(@TempDir Path state, @TempDir Path logs)
            throws Exception {
        long t0 = System.nanoTime();
        Path fixtures = SharedData.require(SharedData.fixtures().resolve("checkpoints"));
        Path checkpoint = fixtures.resolve("bloom-tiny-train/step-" + STEP);
        Pipeline.Config config = new Pipeline.Config(TestKafka.shared().bootstrapServers(), TestRegistry.shared().url(),
                "twokill-" + UUID.randomUUID().toString().substring(0, 8) + ".", state, LocalServices.freePort(), 2,
                Duration.ofMinutes(6));
        List<Process> workers = new ArrayList<>();
        List<Path> workerLogs = List.of(logs.resolve("a.log"), logs.resolve("b.log"));
        AtomicReference<Integer> killed = new AtomicReference<>();
        AtomicReference<Integer> survivorCommitsAtKill = new AtomicReference<>();
        JsonNode report;
        try (Pipeline pipeline = Pipeline.startWithoutWorker(config)) {
            for (int i = 0; i < 2; i++) {
                workers.add(worker(config, "twokill-" + i, checkpoint.getParent(), workerLogs.get(i)));
            }
            Thread killer = new Thread(() -> killed.set(killMidTransaction(workers, workerLogs, survivorCommitsAtKill)), "killer");
            killer.start();
            report = PipelineReport.run(pipeline, fixtures.resolve("analysis-corpus.tsv"), List.of(checkpoint), 2.0,
                    new PrintWriter(System.out, true));
            killer.join(10_000);
            assertTrue(killed.get() != null, "no worker was seen mid-transaction; logs " + workerLogs);
            int dead = killed.get();
            assertEquals(137, workers.get(dead).exitValue(), "killed by SIGKILL");
            assertTrue(workers.get(1 - dead).isAlive(), "the survivor exited; log " + workerLogs.get(1 - dead));
            // the killed worker's open transaction was aborted: the survivor redid its requests in transactions of its own
            assertTrue(commits(workerLogs.get(1 - dead)) > survivorCommitsAtKill.get(),
                    "the survivor committed nothing after the kill; log " + workerLogs.get(1 - dead));

            JsonNode entry = report.get("checkpoints").get(0);
            assertEquals("COMPLETE", entry.get("status").asText());
            JsonNode ref = JSON.readTree(fixtures.resolve("reference/step-" + STEP + "/reference.json").toFile()).get("analysis");
            JsonNode trend = null;
            for (JsonNode t : JSON.readTree(fixtures.resolve("trend.json").toFile()).get("checkpoints")) {
                trend = t.get("step").asLong() == STEP ? t : trend;
            }
            double worst = PipelineTrendTest.assertMetrics(entry.get("metrics"), ref, trend, "step " + STEP);
            PipelineTrendTest.assertKeyRegions(pipeline, entry, ref.get("key_neurons"), false);
            // bit for bit: a clean run of the same topology on the committed sentences, checkpoint and activations
            Topics topics = new Topics(config.topicPrefix());
            Map<String, Object> consumer = TestKafka.shared().consumerConfig();
            CommittedReplay.published(consumer, topics).assertBitIdenticalTo(CommittedReplay.replay(consumer, topics));
            System.out.printf("[pipeline] two workers, worker %d killed mid-transaction: metrics within %.3g of the "
                    + "reference, key regions equal; %.1f s%n", dead, worst, (System.nanoTime() - t0) / 1e9);
        } finally {
            for (Process w : workers) {
                w.destroy();
                w.waitFor(30, TimeUnit.SECONDS);
                w.destroyForcibly();
            }
        }
    }

    /** As WorkerProcessKillTest.WorkerProcess: {@code java -cp <test classpath> WorkerCommand}, output in a file. */
    private static Process worker(Pipeline.Config config, String id, Path root, Path log) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx512m", "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.io.linguaflow=info",
                WorkerCommand.class.getName(), "--bootstrap", config.bootstrapServers(), "--registry", config.registryUrl(),
                "--topic-prefix", config.topicPrefix(), "--instance-id", id, "--checkpoint-root", root.toString(),
                "--requests-per-transaction", "3", "--max-model-bytes", "1g", "--threads", "1", "--throttle-ms", "300",
                // the dead member's open transaction holds read_committed readers back until it times out
                "--transaction-timeout", "10")
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    /**
     * SIGKILLs the first worker whose log shows a committed transaction followed by a request sent in the open one;
     * returns its index (null if none within 5 minutes) and sets {@code survivorCommits} to the other's commits then.
     */
    private static Integer killMidTransaction(List<Process> workers, List<Path> logs, AtomicReference<Integer> survivorCommits) {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        try {
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < workers.size(); i++) {
                    String text = Files.readString(logs.get(i));
                    int commit = text.lastIndexOf("committed transaction:");
                    if (commit >= 0 && text.indexOf("sent in the open transaction", commit) > 0) {
                        workers.get(i).destroyForcibly(); // no leave-group, transaction left open
                        workers.get(i).waitFor(30, TimeUnit.SECONDS);
                        survivorCommits.set(commits(logs.get(1 - i)));
                        return i;
                    }
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    private static int commits(Path log) throws java.io.IOException {
        return (int) Files.readString(log).lines().filter(l -> l.contains("committed transaction:")).count();
    }
}
