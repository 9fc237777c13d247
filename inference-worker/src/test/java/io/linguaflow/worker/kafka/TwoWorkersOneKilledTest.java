package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.kafka.WorkerProcessKillTest.WorkerProcess;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.RuntimeOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fault suite: two worker processes in one consumer group share a two-partition request topic (one checkpoint per
 * partition); one is killed with SIGKILL after it committed a transaction and while its next one is open with records
 * in the log. The survivor takes over the dead member's partition (after the session timeout) and finishes it. A
 * read_committed consumer then sees every (checkpoint, sample, layer) exactly once, each record bit for bit the one a
 * clean run of the same requests (the worker's own code in this JVM, same batch size and thread count) computes.
 */
@Tag("fault")
class TwoWorkersOneKilledTest {

    private static final int SAMPLES = 90;
    private static final int PER_REQUEST = 10;
    private static final int LAYERS = 4;
    private static final int EXPECTED = 2 * SAMPLES * LAYERS;

    @Test
    void survivorTakesOverTheKilledWorkersPartitionExactlyOnce() throws Exception {
        long t0 = System.nanoTime();
        Path model = Fixtures.model("bloom-tiny");
        Topics topics = WorkerKit.freshTopics("two", 2);
        List<String> checkpoints = onePerPartition("bloom-tiny@two-", 2);
        List<InferenceRequest> requests = new ArrayList<>();
        for (String id : checkpoints) {
            requests.addAll(WorkerKit.requests(id, model, 0, SAMPLES, PER_REQUEST));
        }
        WorkerKit.produce(topics, requests);

        try (KafkaConsumer<String, ActivationRecord> committed = WorkerKit.activations(topics, "read_committed");
             KafkaConsumer<String, ActivationRecord> uncommitted = WorkerKit.activations(topics, "read_uncommitted")) {
            List<ConsumerRecord<String, ActivationRecord>> c = new ArrayList<>();
            List<ConsumerRecord<String, ActivationRecord>> u = new ArrayList<>();
            // a dead member's open transaction holds read_committed readers (and the survivor's offset fetch) back
            // until it times out: 10 s instead of the default 120 s; its partition moves once its session times out: 10 s
            // instead of the default 45 s
            String[] args = {"--transaction-timeout", "10", "--kafka-config", "session.timeout.ms=10000"};
            List<WorkerProcess> workers = List.of(WorkerProcess.start(topics, "two-a", args),
                    WorkerProcess.start(topics, "two-b", args));
            try {
                WorkerProcess killed = awaitOpenTransaction(workers, uncommitted, u);
                String killedId = killed == workers.get(0) ? "two-a" : "two-b";
                String survivorId = killed == workers.get(0) ? "two-b" : "two-a";
                killed.process.destroyForcibly(); // SIGKILL: no leave-group, transaction left open
                assertTrue(killed.awaitExit(), "killed worker did not exit");
                assertEquals(137, killed.process.exitValue(), "killed by SIGKILL");
                WorkerProcess survivor = killed == workers.get(0) ? workers.get(1) : workers.get(0);

                // the dead member's partition moves after its session timeout
                assertTrue(WorkerKit.pollUntil(committed, c, l -> l.size() >= EXPECTED, Duration.ofSeconds(150)),
                        "only " + c.size() + " of " + EXPECTED + " records committed; survivor log " + survivor.log);
                WorkerKit.drain(committed, c, Duration.ofSeconds(1));
                WorkerKit.drain(uncommitted, u, Duration.ofSeconds(1));
                assertTrue(survivor.process.isAlive(), "survivor exited; log " + survivor.log);

                // the killed worker's open transaction: in the log, never committed, redone by the survivor
                Set<String> seen = c.stream().map(r -> WorkerKit.identity(r.value())).collect(Collectors.toSet());
                List<ActivationRecord> abortedByKill = u.stream().map(ConsumerRecord::value)
                        .filter(a -> a.getWorker().equals(killedId)).toList();
                int killedCommitted = (int) c.stream().filter(r -> r.value().getWorker().equals(killedId)).count();
                assertEquals(killed.committedRecords(), killedCommitted, "the killed worker's committed transactions");
                assertTrue(abortedByKill.size() > killedCommitted, "the killed transaction had records in the log");
                String killedCheckpoint = abortedByKill.get(abortedByKill.size() - 1).getCheckpointId();
                assertTrue(c.stream().anyMatch(r -> r.value().getWorker().equals(survivorId)
                                && r.value().getCheckpointId().equals(killedCheckpoint)),
                        "the survivor finished " + killedCheckpoint + ", the killed worker's partition");
                assertTrue(abortedByKill.stream().allMatch(a -> seen.contains(WorkerKit.identity(a))),
                        "every record of the killed transaction is committed once by the survivor");
                System.out.printf("[kafka-worker] two workers, %s killed (%d records committed, %d in its open transaction): "
                                + "read_committed %d records; read_uncommitted %d; %.1f s%n", killedId, killedCommitted,
                        abortedByKill.size() - killedCommitted, c.size(), u.size(), (System.nanoTime() - t0) / 1e9);
            } finally {
                for (WorkerProcess w : workers) {
                    w.process.destroy();
                    w.awaitExit();
                    w.process.destroyForcibly();
                }
            }

            Map<String, ActivationRecord> once = new HashMap<>();
            for (ConsumerRecord<String, ActivationRecord> r : c) {
                ActivationRecord before = once.put(WorkerKit.identity(r.value()), r.value());
                assertEquals(null, before, "duplicated: " + WorkerKit.identity(r.value()));
            }
            assertEquals(EXPECTED, c.size());
            assertEquals(EXPECTED, once.size());
            assertEqualsCleanRun(model, requests, once);
        }
    }

    /**
     * Waits (60 s at most) for one of {@code workers} to have committed a transaction and to hold an open one with
     * one or two of its three requests sent and its records in the log; returns that worker.
     */
    private static WorkerProcess awaitOpenTransaction(List<WorkerProcess> workers,
                                                      KafkaConsumer<String, ActivationRecord> uncommitted,
                                                      List<ConsumerRecord<String, ActivationRecord>> u) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<String> ids = List.of("two-a", "two-b");
        while (true) {
            assertTrue(System.nanoTime() < deadline, "no open transaction seen; worker logs " + workers.get(0).log
                    + ", " + workers.get(1).log);
            uncommitted.poll(Duration.ofMillis(50)).forEach(u::add);
            for (int i = 0; i < workers.size(); i++) {
                WorkerProcess w = workers.get(i);
                assertTrue(w.process.isAlive(), "worker exited early; log " + w.log);
                String id = ids.get(i);
                long inLog = u.stream().filter(r -> r.value().getWorker().equals(id)).count();
                int sent = w.sentSinceCommit();
                if (w.committedRecords() > 0 && sent >= 1 && sent < WorkerProcessKillTest.REQUESTS_PER_TRANSACTION
                        && inLog > w.committedRecords()) {
                    return w;
                }
            }
        }
    }

    /** Each committed record equals, field for field and bit for bit, what the worker's code computes in this JVM. */
    private static void assertEqualsCleanRun(Path model, List<InferenceRequest> requests,
                                             Map<String, ActivationRecord> committed) throws Exception {
        // the worker processes' settings: batch size 16, one libtorch thread
        try (LanguageModel lm = LanguageModel.load(model, Device.cpu(), RuntimeOptions.DEFAULT.withBatchSize(16).withThreads(1))) {
            for (InferenceRequest request : requests) {
                for (ActivationRecord want : ActivationRecords.compute(lm, request, "clean")) {
                    String id = WorkerKit.identity(want);
                    ActivationRecord got = committed.get(id);
                    assertNotNull(got, "missing: " + id);
                    assertEquals(want.getIndex(), got.getIndex(), id);
                    assertEquals(want.getTokenCount(), got.getTokenCount(), id);
                    assertArrayEquals(WorkerKit.bytes(want.getValues()), WorkerKit.bytes(got.getValues()), id + " values");
                    assertArrayEquals(WorkerKit.bytes(want.getPositiveCounts()), WorkerKit.bytes(got.getPositiveCounts()),
                            id + " positiveCounts");
                    assertEquals(Double.doubleToRawLongBits(want.getLayerNorm()), Double.doubleToRawLongBits(got.getLayerNorm()), id);
                    assertEquals(Double.doubleToRawLongBits(want.getWholeModelNorm()),
                            Double.doubleToRawLongBits(got.getWholeModelNorm()), id);
                    assertEquals(want.getMeanNll(), got.getMeanNll(), id + " meanNll");
                }
            }
        }
    }

    /**
     * {@code n} checkpoint ids {@code <prefix><k>} whose keys the producer's default partitioner sends to partitions
     * 0..n-1, one each, so each worker of the group gets a checkpoint of its own.
     */
    private static List<String> onePerPartition(String prefix, int n) {
        String[] ids = new String[n];
        int found = 0;
        for (int k = 0; found < n; k++) {
            String id = prefix + k;
            int p = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % n;
            if (ids[p] == null) {
                ids[p] = id;
                found++;
            }
        }
        return List.of(ids);
    }
}
