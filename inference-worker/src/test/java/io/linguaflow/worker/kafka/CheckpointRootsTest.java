package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.worker.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker opens checkpoints only under its roots; symbolic links and {@code ..} are resolved before the check. */
class CheckpointRootsTest {

    @TempDir
    Path tmp;

    @Test
    void pathsAreResolvedBeforeTheCheck() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path inside = Files.createDirectories(root.resolve("ckpt-1"));
        Path outside = Files.createDirectories(tmp.resolve("secret"));
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(tmp.resolve("root-link"), root);
        CheckpointRoots roots = CheckpointRoots.of(List.of(tmp.resolve("root-link"))); // the root itself through a link

        assertEquals(inside.toRealPath(), roots.resolve(inside.toString(), "r"));
        assertEquals(inside.toRealPath(), roots.resolve(root + "/x/../ckpt-1", "r"));

        RejectedRequestException dots = assertThrows(RejectedRequestException.class,
                () -> roots.resolve(root + "/../secret", "request 'q1'"));
        assertEquals("request 'q1': checkpoint path " + root + "/../secret (resolves to " + outside.toRealPath()
                + ") is outside the worker's checkpoint roots [" + root.toRealPath() + "]", dots.getMessage());
        RejectedRequestException link = assertThrows(RejectedRequestException.class,
                () -> roots.resolve(root.resolve("escape").toString(), "request 'q2'"));
        assertTrue(link.getMessage().contains("resolves to " + outside.toRealPath() + ") is outside"), link.getMessage());
        // outside and missing: said to be outside, so a request cannot learn what exists there
        RejectedRequestException missingOutside = assertThrows(RejectedRequestException.class,
                () -> roots.resolve(tmp.resolve("nothing").toString(), "r"));
        assertTrue(missingOutside.getMessage().contains("is outside the worker's checkpoint roots"), missingOutside.getMessage());
        RejectedRequestException missingInside = assertThrows(RejectedRequestException.class,
                () -> roots.resolve(root.resolve("ckpt-2").toString(), "r"));
        assertEquals("r: checkpoint directory " + root.toRealPath().resolve("ckpt-2") + " does not exist", missingInside.getMessage());

        IllegalArgumentException noRoot = assertThrows(IllegalArgumentException.class,
                () -> CheckpointRoots.of(List.of(tmp.resolve("none"))));
        assertEquals("checkpoint root " + tmp.resolve("none") + " is not an existing directory", noRoot.getMessage());
    }

    @Test
    void aRequestOutsideTheRootsIsDeadLetteredWithItsOriginalBytes() throws Exception {
        Path bloom = Fixtures.model("bloom-tiny");
        Topics topics = WorkerKit.freshTopics("roots", 1);
        Path copy = WorkerKit.truncatedCopy(bloom, tmp); // a checkpoint outside the roots (rejected before it is read)
        Path viaLink = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("models")).resolve("bloom"), bloom);
        InferenceRequest outside = WorkerKit.request("out@1", copy, 0, List.of(WorkerKit.sample(0)));
        InferenceRequest linkedIn = WorkerKit.request("in@1", viaLink, 0, List.of(WorkerKit.sample(1)));
        AvroSerializer<InferenceRequest> values = new AvroSerializer<>();
        values.configure(WorkerKit.serdeClientConfig(WorkerKit.kafka().producerConfig()), false);
        byte[] outsideBytes = values.serialize(topics.name(Topic.INFERENCE_REQUESTS), outside);
        WorkerKit.produceRaw(topics, Topic.INFERENCE_REQUESTS, "out@1".getBytes(StandardCharsets.UTF_8), outsideBytes);
        WorkerKit.produce(topics, List.of(linkedIn));

        // the roots: the fixture models' folder only; tmp/models/bloom is a link that resolves into it
        CheckpointRoots roots = CheckpointRoots.of(List.of(bloom.getParent()));
        InferenceWorker worker = new InferenceWorker(WorkerKit.settings(topics, "roots-1", 2, 1).withCheckpointRoots(roots));
        Thread thread = new Thread(worker, "worker-roots");
        thread.start();
        List<ConsumerRecord<String, DeadLetter>> letters = new ArrayList<>();
        List<ConsumerRecord<String, ActivationRecord>> acts = new ArrayList<>();
        try (KafkaConsumer<String, DeadLetter> dl = WorkerKit.deadLetters(topics);
             KafkaConsumer<String, ActivationRecord> ac = WorkerKit.activations(topics, "read_committed")) {
            assertTrue(WorkerKit.pollUntil(dl, letters, l -> !l.isEmpty(), Duration.ofSeconds(60)), "no dead letter");
            assertTrue(WorkerKit.pollUntil(ac, acts, l -> !l.isEmpty(), Duration.ofSeconds(60)), "no activations");
            WorkerKit.drain(dl, letters, Duration.ofSeconds(1));
        } finally {
            worker.stop();
            assertTrue(worker.awaitFinished(Duration.ofSeconds(30)), "worker did not stop");
        }
        assertEquals(1, letters.size());
        DeadLetter letter = letters.get(0).value();
        System.out.println("[kafka-worker] dead letter: " + letter.getError());
        assertTrue(letter.getError().contains("request 'out@1/0'") && letter.getError().contains("checkpoint path " + copy),
                letter.getError());
        assertTrue(letter.getError().contains("is outside the worker's checkpoint roots [" + bloom.getParent().toRealPath() + "]"),
                letter.getError());
        assertArrayEquals(outsideBytes, WorkerKit.bytes(letter.getValue()), "original value bytes");
        assertEquals("out@1", new String(WorkerKit.bytes(letter.getKey()), StandardCharsets.UTF_8));
        assertTrue(acts.stream().allMatch(r -> r.value().getCheckpointId().equals("in@1")), "the request through a link into a root ran");
    }
}
