package io.linguaflow.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.ops.registry.RegistryServerProcess;
import io.linguaflow.producers.checkpoint.CheckpointLander;
import io.linguaflow.producers.checkpoint.LandingOptions;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.worker.kafka.WorkerCommand;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite, the broker as a separate OS process: {@code ops/local.sh} starts a single-node KRaft broker (own run
 * directory, free ports); streams and the planner run in this JVM ({@link Pipeline}), the worker in a process of its
 * own. The fixture step-800 checkpoint is analysed once undisturbed, then again under another topic prefix with the
 * broker SIGKILLed after the first activations were aggregated and committed and restarted with
 * {@code ops/local.sh start broker} on the same data directory and ports. The checkpoint completes; its metrics and key
 * regions equal the reference kit's and the undisturbed run's.
 */
@Tag("fault")
class BrokerProcessKilledPipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STEP = 800;

    @Test
    void brokerProcessKilledMidCheckpointAndRestartedGivesTheCleanRunsResults(@TempDir Path work) throws Exception {
        long t0 = System.nanoTime();
        Path fixtures = SharedData.require(SharedData.fixtures().resolve("checkpoints"));
        Path home = RegistryServerProcess.locateHome();
        Assumptions.assumeTrue(Files.isRegularFile(home.resolve("ops/kafka-broker/target/classpath.txt")),
                "SKIPPED: ops/kafka-broker is not built (run from the reactor: mvn -pl ops/launcher -am test)");
        Path checkpoint = fixtures.resolve("bloom-tiny-train/step-" + STEP);
        Path corpus = fixtures.resolve("analysis-corpus.tsv");
        PrintWriter log = new PrintWriter(System.out, true);
        try (LocalServices services = LocalServices.start(home, work.resolve("run"), false)) {
            JsonNode clean;
            try (Pipeline pipeline = Pipeline.start(config(services, "clean.", work.resolve("clean")))) {
                clean = PipelineReport.run(pipeline, corpus, List.of(checkpoint), 2.0, log).get("checkpoints").get(0);
            }
            log.printf("[broker-process] clean run done after %.1f s%n", (System.nanoTime() - t0) / 1e9);

            Pipeline.Config config = config(services, "fault.", work.resolve("fault"));
            Path workerLog = work.resolve("worker.log");
            Process worker = null;
            try (Pipeline pipeline = Pipeline.startWithoutWorker(config)) {
                worker = worker(config, checkpoint.getParent(), workerLog);
                String corpusId = pipeline.produceCorpus(corpus).corpus();
                CheckpointEvent event = new CheckpointLander(LandingOptions.forCorpus(corpusId).withThreshold(2.0), Clock.systemUTC())
                        .land(checkpoint).event();
                pipeline.publish(event);

                Progress atKill = awaitCommittedActivations(pipeline, event, worker, workerLog);
                int commitsAtKill = commits(workerLog);
                long down = System.nanoTime();
                services.killBroker();
                services.startBroker();
                log.printf("[broker-process] broker SIGKILLed at %s (%d/%d layer records aggregated, %d worker "
                                + "transactions committed) and ready again after %.1f s%n", atKill.getStage(),
                        atKill.getLayerRecordsSeen(), atKill.getLayerRecordsExpected(), commitsAtKill, (System.nanoTime() - down) / 1e9);

                Pipeline.Landed landed = awaitOutcome(pipeline, event, worker, workerLog, Duration.ofMinutes(4));
                assertEquals(Stage.COMPLETE, landed.stage());
                assertTrue(commits(workerLog) > commitsAtKill, "the worker committed nothing after the broker restart; log " + workerLog);
                assertTrue(worker.isAlive(), "the worker exited; log " + workerLog);
                List<Stage> stages = pipeline.progressOf(event.getCheckpointId());
                assertEquals(1, stages.stream().filter(s -> s == Stage.COMPLETE).count(), "completed once: " + stages);

                JsonNode fault = PipelineReport.entry(pipeline, landed);
                JsonNode ref = JSON.readTree(fixtures.resolve("reference/step-" + STEP + "/reference.json").toFile()).get("analysis");
                JsonNode trend = null;
                for (JsonNode t : JSON.readTree(fixtures.resolve("trend.json").toFile()).get("checkpoints")) {
                    trend = t.get("step").asLong() == STEP ? t : trend;
                }
                double worst = PipelineTrendTest.assertMetrics(fault.get("metrics"), ref, trend, "step " + STEP);
                PipelineTrendTest.assertKeyRegions(pipeline, fault, ref.get("key_neurons"), false);
                CleanRunComparison.assertSameAsCleanRun(fault, clean);
                log.printf("[broker-process] broker process killed mid-checkpoint: metrics within %.3g of the reference "
                        + "and bit for bit the clean run's, key regions equal; %.1f s%n", worst, (System.nanoTime() - t0) / 1e9);
            } finally {
                if (worker != null) {
                    worker.destroy();
                    worker.waitFor(30, TimeUnit.SECONDS);
                    worker.destroyForcibly();
                }
            }
        }
    }

    private static Pipeline.Config config(LocalServices services, String prefix, Path state) throws Exception {
        return new Pipeline.Config(services.bootstrapServers(), services.registryUrl(), prefix, state,
                LocalServices.freePort(), 2, Duration.ofMinutes(4));
    }

    /** The first committed progress showing aggregated layer records of {@code event}, before it completes. */
    private static Progress awaitCommittedActivations(Pipeline pipeline, CheckpointEvent event, Process worker, Path workerLog)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            for (Progress p : pipeline.readProgress(Duration.ofMillis(100))) {
                if (p.getCheckpointId().toString().equals(event.getCheckpointId())) {
                    assertTrue(p.getStage() != Stage.COMPLETE && p.getStage() != Stage.FAILED,
                            "the checkpoint ended before the broker could be killed: " + p);
                    if (p.getStage() == Stage.AGGREGATING && p.getLayerRecordsSeen() > 0) {
                        return p;
                    }
                }
            }
            assertTrue(worker.isAlive(), "the worker exited; log " + workerLog);
        }
        throw new AssertionError("no aggregated activations within 3 minutes; worker log " + workerLog);
    }

    private static Pipeline.Landed awaitOutcome(Pipeline pipeline, CheckpointEvent event, Process worker, Path workerLog,
                                                Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            pipeline.readProgress(Duration.ofMillis(200));
            Pipeline.Landed landed = pipeline.outcome(event);
            if (landed != null) {
                return landed;
            }
            assertTrue(worker.isAlive(), "the worker exited; log " + workerLog);
        }
        throw new AssertionError(event.getCheckpointId() + " not complete " + timeout.toSeconds() + " s after the broker "
                + "restart; stages " + pipeline.progressOf(event.getCheckpointId()) + ", worker log " + workerLog);
    }

    /** {@code linguaflow worker} in its own JVM, throttled so that the broker dies while requests remain. */
    private static Process worker(Pipeline.Config config, Path root, Path log) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx512m", "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.log.io.linguaflow=info",
                WorkerCommand.class.getName(), "--bootstrap", config.bootstrapServers(), "--registry", config.registryUrl(),
                "--topic-prefix", config.topicPrefix(), "--instance-id", "broker-kill", "--checkpoint-root", root.toString(),
                "--requests-per-transaction", "2", "--max-model-bytes", "1g", "--threads", "1", "--throttle-ms", "150")
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    private static int commits(Path log) throws java.io.IOException {
        return (int) Files.readString(log).lines().filter(l -> l.contains("committed transaction:")).count();
    }
}
