package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.SampleRef;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.worker.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad request becomes one dead letter with the reason; the good requests around them are processed. */
class BadRequestsTest {

    @TempDir
    Path tmp;

    @Test
    void badRequestsAreDeadLetteredAndTheWorkerGoesOn() throws Exception {
        Topics topics = WorkerKit.freshTopics("bad", 1);
        Path bloom = Fixtures.model("bloom-tiny");
        Path truncated = WorkerKit.truncatedCopy(bloom, tmp);
        List<SampleRef> ten = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ten.add(WorkerKit.sample(i));
        }
        SampleRef mislabelled = SampleRef.newBuilder(WorkerKit.sample(60)).setSampleId("en|s11").build(); // row 60 is fr|s11
        SampleRef huge = SampleRef.newBuilder(WorkerKit.sample(70)).setText("word ".repeat(3000)).build();

        // offsets 0..8 of the single partition, in this order
        WorkerKit.produce(topics, List.of(WorkerKit.request("good@1", bloom, 0, ten)));                        // 0
        WorkerKit.produce(topics, List.of(WorkerKit.request("nodir@1", tmp.resolve("no-such-checkpoint"), 0, ten))); // 1
        WorkerKit.produce(topics, List.of(WorkerKit.request("broken@1", truncated, 0, ten)));                  // 2
        byte[] poison = "not avro at all".getBytes(StandardCharsets.UTF_8);
        WorkerKit.produceRaw(topics, Topic.INFERENCE_REQUESTS, "poison@1".getBytes(StandardCharsets.UTF_8), poison);                    // 3
        WorkerKit.produce(topics, List.of(WorkerKit.request("empty@1", bloom, 0, List.of())));                // 4
        WorkerKit.produce(topics, List.of(WorkerKit.request("huge@1", bloom, 0, List.of(WorkerKit.sample(69), huge)))); // 5
        WorkerKit.produce(topics, List.of(WorkerKit.request("mislabelled@1", bloom, 0, List.of(mislabelled)))); // 6
        WorkerKit.produce(topics, List.of(WorkerKit.request("twice@1", bloom, 0, List.of(WorkerKit.sample(80), WorkerKit.sample(80))))); // 7
        InferenceRequest last = WorkerKit.request("good@1", bloom, 1, List.of(WorkerKit.sample(100), WorkerKit.sample(101)));
        WorkerKit.produce(topics, List.of(last));                                                              // 8

        InferenceWorker worker = new InferenceWorker(WorkerKit.settings(topics, "bad-1", 3, 2));
        Thread thread = new Thread(worker, "worker-bad");
        thread.start();
        List<ConsumerRecord<String, DeadLetter>> letters = new ArrayList<>();
        List<ConsumerRecord<String, ActivationRecord>> acts = new ArrayList<>();
        List<ConsumerRecord<String, Progress>> progress = new ArrayList<>();
        try (KafkaConsumer<String, DeadLetter> dl = WorkerKit.deadLetters(topics);
             KafkaConsumer<String, ActivationRecord> ac = WorkerKit.activations(topics, "read_committed");
             KafkaConsumer<String, Progress> pr = WorkerKit.consumer(topics, Topic.PROGRESS, Progress.class, "read_committed")) {
            assertTrue(WorkerKit.pollUntil(dl, letters, l -> l.size() >= 7, Duration.ofSeconds(60)),
                    "dead letters: " + letters.size());
            assertTrue(WorkerKit.pollUntil(ac, acts, l -> l.size() >= 12 * 4, Duration.ofSeconds(60)),
                    "activation records: " + acts.size());
            WorkerKit.drain(dl, letters, Duration.ofSeconds(1));
            WorkerKit.drain(ac, acts, Duration.ofSeconds(1));
            WorkerKit.drain(pr, progress, Duration.ofSeconds(1));
        } finally {
            worker.stop();
            assertTrue(worker.awaitFinished(Duration.ofSeconds(30)), "worker did not stop");
        }

        Set<String> processed = new TreeSet<>();
        acts.forEach(r -> processed.add(r.value().getCheckpointId() + " " + r.value().getSampleId()));
        assertEquals(12 * 4, acts.size(), "only the two good requests produce activations: " + processed);
        assertEquals(12, processed.size());
        assertTrue(processed.stream().allMatch(s -> s.startsWith("good@1 ")), processed.toString());

        String source = topics.name(Topic.INFERENCE_REQUESTS);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), letters.stream().map(r -> r.value().getSourceOffset()).toList());
        String[][] reasons = {
            {"request 'nodir@1/0' (checkpoint 'nodir@1')", "no-such-checkpoint does not exist"},
            {"request 'broken@1/0'", "cannot load checkpoint", "model.safetensors: tensor '", "(truncated file)"},
            {"record of topic '" + source + "'", "not Confluent wire format"},
            {"request 'empty@1/0'", "the sample list is empty"},
            {"request 'huge@1/0'", "sample 'fr|s21' (index 70) has ", "tokens; the model takes 1 to 2048"},
            {"request 'mislabelled@1/0'", "sample 'en|s11' (index 60) has lang 'fr' and meaningId 's11'"},
            {"request 'twice@1/0'", "sample 'fr|s31' occurs twice"},
        };
        String[] errorClasses = {RejectedRequestException.class.getName(), RejectedRequestException.class.getName(),
            "org.apache.kafka.common.errors.SerializationException", RejectedRequestException.class.getName(),
            RejectedRequestException.class.getName(), RejectedRequestException.class.getName(),
            RejectedRequestException.class.getName()};
        String[] keys = {"nodir@1", "broken@1", "poison@1", "empty@1", "huge@1", "mislabelled@1", "twice@1"};
        for (int i = 0; i < letters.size(); i++) {
            DeadLetter letter = letters.get(i).value();
            long offset = letter.getSourceOffset();
            System.out.println("[kafka-worker] dead letter: " + letter.getError());
            assertEquals(InferenceWorker.COMPONENT, letter.getComponent());
            assertEquals(source, letter.getSourceTopic());
            assertEquals(0, letter.getSourcePartition());
            assertEquals(errorClasses[i], letter.getErrorClass());
            assertTrue(letter.getError().startsWith("topic " + source + " partition 0 offset " + offset + ": "), letter.getError());
            for (String reason : reasons[i]) {
                assertTrue(letter.getError().contains(reason), "offset " + offset + " lacks '" + reason + "': " + letter.getError());
            }
            String key = keys[i];
            assertEquals(key, new String(WorkerKit.bytes(letter.getKey()), StandardCharsets.UTF_8), "original key");
            assertEquals(key, letters.get(i).key(), "dead-letter record key");
        }
        assertArrayEquals(poison, WorkerKit.bytes(letters.get(2).value().getValue()), "original value bytes");

        // every decodable rejected request also marks its checkpoint FAILED, with the dead letter's reason
        assertEquals(List.of("nodir@1", "broken@1", "empty@1", "huge@1", "mislabelled@1", "twice@1"),
                progress.stream().map(ConsumerRecord::key).toList());
        for (ConsumerRecord<String, Progress> p : progress) {
            assertEquals(Stage.FAILED, p.value().getStage());
            assertEquals(p.key(), p.value().getCheckpointId());
            String letter = letters.stream().filter(l -> l.key().equals(p.key())).findFirst().orElseThrow().value().getError();
            assertEquals(letter, p.value().getMessage());
        }
    }
}
