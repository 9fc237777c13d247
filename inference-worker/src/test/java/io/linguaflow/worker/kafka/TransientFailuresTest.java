package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.failure.Backoff;
import io.linguaflow.schemas.testkit.TcpGate;
import io.linguaflow.worker.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A registry outage while the worker decodes its requests is transient: no dead letter, no FAILED progress; the batch
 * is retried with back-off; a worker whose attempts run out stops with an error and commits nothing; once the
 * registry is back, the activations equal those of a run that never saw the outage, bit for bit.
 */
@Tag("fault")
class TransientFailuresTest {

    @Test
    void registryOutageIsRetriedNotDeadLettered() throws Exception {
        Path bloom = Fixtures.model("bloom-tiny");
        List<InferenceRequest> requests = WorkerKit.requests("outage@1", bloom, 0, 12, 4);
        Topics clean = WorkerKit.freshTopics("clean", 1);
        Topics faulty = WorkerKit.freshTopics("outage", 1);
        WorkerKit.produce(clean, requests);
        WorkerKit.produce(faulty, requests);
        int expected = 12 * layers(bloom);

        Map<String, ActivationRecord> reference = activations(clean, expected, WorkerKit.settings(clean, "clean-1", 2, 1));

        try (TcpGate registry = TcpGate.before(WorkerKit.registry().url())) { // shut: the registry is down
            WorkerSettings settings = WorkerKit.settings(faulty, "outage-1", 2, 1);
            WorkerSettings throughGate = new WorkerSettings(settings.bootstrapServers(), registry.url(), settings.topics(),
                    settings.groupId(), settings.instanceId(), settings.requestsPerTransaction(), settings.maxModels(),
                    settings.maxModelBytes(), settings.device(), settings.runtime(), settings.transactionTimeout(),
                    settings.throttle(), settings.clientOverrides());

            // a worker with 3 attempts gives up with an error and leaves the batch uncommitted
            InferenceWorker impatient = new InferenceWorker(throughGate, new Backoff(Duration.ofMillis(50), Duration.ofMillis(100), 3));
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    impatient.run();
                } catch (Throwable e) {
                    thrown.set(e);
                }
            }, "worker-impatient");
            t.start();
            assertTrue(impatient.awaitFinished(Duration.ofSeconds(120)), "the worker did not give up");
            t.join();
            KafkaException gaveUp = assertInstanceOf(KafkaException.class, thrown.get());
            assertTrue(gaveUp.getMessage().contains("gave up after 3 failed attempts at record "), gaveUp.getMessage());

            // its successor retries until the registry is back
            InferenceWorker patient = new InferenceWorker(throughGate, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1), 1000));
            Thread worker = new Thread(patient, "worker-patient");
            worker.start();
            try {
                Thread.sleep(3000); // several failed attempts
                registry.open();
                Map<String, ActivationRecord> recovered = collect(faulty, expected);
                assertEquals(reference.keySet(), recovered.keySet());
                for (Map.Entry<String, ActivationRecord> e : reference.entrySet()) {
                    ActivationRecord a = recovered.get(e.getKey());
                    ActivationRecord r = e.getValue();
                    assertArrayEquals(WorkerKit.bytes(r.getValues()), WorkerKit.bytes(a.getValues()), e.getKey());
                    assertArrayEquals(WorkerKit.bytes(r.getPositiveCounts()), WorkerKit.bytes(a.getPositiveCounts()), e.getKey());
                    assertEquals(r.getWholeModelNorm(), a.getWholeModelNorm(), 0.0, e.getKey());
                    assertEquals(r.getMeanNll(), a.getMeanNll(), e.getKey());
                }
            } finally {
                patient.stop();
                assertTrue(patient.awaitFinished(Duration.ofSeconds(30)));
            }
        }
        List<ConsumerRecord<String, DeadLetter>> letters = new ArrayList<>();
        List<ConsumerRecord<String, Progress>> progress = new ArrayList<>();
        try (KafkaConsumer<String, DeadLetter> dl = WorkerKit.deadLetters(faulty);
             KafkaConsumer<String, Progress> pr = WorkerKit.consumer(faulty, Topic.PROGRESS, Progress.class, "read_committed")) {
            WorkerKit.drain(dl, letters, Duration.ofSeconds(2));
            WorkerKit.drain(pr, progress, Duration.ofSeconds(1));
        }
        assertEquals(List.of(), letters.stream().map(r -> r.value().getError()).toList(), "no dead letter");
        assertEquals(List.of(), progress.stream().map(r -> r.value().getStage()).toList(), "no FAILED progress");
    }

    private static int layers(Path model) {
        return Fixtures.json(model.resolve("config.json")).path("n_layer").asInt();
    }

    private static Map<String, ActivationRecord> activations(Topics topics, int expected, WorkerSettings settings)
            throws Exception {
        InferenceWorker worker = new InferenceWorker(settings);
        Thread t = new Thread(worker, "worker-" + settings.instanceId());
        t.start();
        try {
            return collect(topics, expected);
        } finally {
            worker.stop();
            assertTrue(worker.awaitFinished(Duration.ofSeconds(30)));
        }
    }

    /** Every committed activation record by (checkpoint, sample, layer); each exactly once. */
    private static Map<String, ActivationRecord> collect(Topics topics, int expected) {
        List<ConsumerRecord<String, ActivationRecord>> acts = new ArrayList<>();
        try (KafkaConsumer<String, ActivationRecord> c = WorkerKit.activations(topics, "read_committed")) {
            assertTrue(WorkerKit.pollUntil(c, acts, l -> l.size() >= expected, Duration.ofSeconds(180)),
                    "activation records: " + acts.size() + " of " + expected);
            WorkerKit.drain(c, acts, Duration.ofSeconds(1));
        }
        Map<String, ActivationRecord> out = new TreeMap<>();
        acts.forEach(r -> out.put(WorkerKit.identity(r.value()), r.value()));
        assertEquals(expected, acts.size(), "duplicates among " + acts.size());
        return out;
    }
}
