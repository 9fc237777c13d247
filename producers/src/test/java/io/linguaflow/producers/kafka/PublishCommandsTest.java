package io.linguaflow.producers.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.checkpoint.testkit.TestCheckpoints;
import io.linguaflow.producers.checkpoint.CheckpointLander;
import io.linguaflow.producers.checkpoint.LandingOptions;
import io.linguaflow.producers.checkpoint.hub.HubRepoFiles;
import io.linguaflow.producers.checkpoint.hub.HubTestServer;
import io.linguaflow.producers.cli.LandCheckpointsCommand;
import io.linguaflow.producers.cli.ReplayCommand;
import io.linguaflow.producers.cli.DeadLettersCommand;
import io.linguaflow.producers.cli.ProduceCorpusCommand;
import io.linguaflow.producers.cli.RequestGenerationCommand;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.GenerationRequest;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The producer commands against a real broker and registry: what they publish is what a consumer reads. */
class PublishCommandsTest {

    @TempDir
    Path tmp;

    private final TestKafka kafka = TestKafka.shared();
    private final TestRegistry registry = TestRegistry.shared();

    @Test
    void corpusRowsArePublishedOnceEachAndBadRowsBecomeDeadLetters() throws IOException {
        String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = new Topics(prefix);
        kafka.createProjectTopics(topics, 2);
        Path tsv = tmp.resolve("mini.tsv");
        Files.writeString(tsv, "id\tlang\ttext\n"
                + "1\ten\tHello \"world\".\n1\tfr\tBonjour.\n"
                + "2\ten\tBye.\n2\tfr\tAu revoir.\n"
                + "2\ten\tduplicate row\n"
                + "3\ten\ttoo\tmany tabs\n");

        int exit = run(new ProduceCorpusCommand(), "--format", "tsv", tsv.toString(), "--bootstrap",
                kafka.bootstrapServers(), "--registry", registry.url(), "--topic-prefix", prefix);
        assertEquals(0, exit);

        List<Sentence> sentences = read(topics.name(Topic.SENTENCES), Sentence.class, 4);
        assertEquals(4, sentences.size(), "each valid row exactly once");
        Set<String> keys = new HashSet<>();
        for (Sentence s : sentences) {
            keys.add(s.getLang() + "|" + s.getMeaningId());
            assertEquals("mini", s.getCorpus());
            assertEquals(4, s.getCorpusSize());
        }
        assertEquals(Set.of("en|1", "fr|1", "en|2", "fr|2"), keys);
        assertTrue(sentences.stream().anyMatch(s -> s.getText().equals("Hello \"world\".")), "quotes are text");

        List<DeadLetter> letters = read(topics.name(Topic.DEAD_LETTERS), DeadLetter.class, 2);
        assertEquals(2, letters.size());
        for (DeadLetter d : letters) {
            assertEquals("producer", d.getComponent());
            assertTrue(d.getInput().startsWith(tsv.toString() + ":"), d.getInput());
        }
    }

    @Test
    void anUnreachableBrokerFailsTheCorpusAfterOneMetadataWaitNotOnePerSentence() throws IOException {
        Path tsv = tmp.resolve("forty.tsv");
        StringBuilder rows = new StringBuilder("id\tlang\ttext\n");
        for (int i = 0; i < 20; i++) {
            rows.append(i).append("\ten\tsentence ").append(i).append("\n").append(i).append("\tfr\tphrase ").append(i).append("\n");
        }
        Files.writeString(tsv, rows.toString());
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        // nothing listens on a port just released; 40 sentences would wait 40 x 1 s one after another
        int exit = run(new ProduceCorpusCommand(), err, "--format", "tsv", tsv.toString(), "--bootstrap",
                "127.0.0.1:" + TestRegistry.freePort(), "--registry", registry.url(), "--topic-prefix", "unreachable.",
                "--kafka-config", "max.block.ms=1000");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, exit, err.toString());
        assertTrue(err.toString().contains("cannot publish to unreachable.sentences"), err.toString());
        assertTrue(seconds < 15, "failed after " + seconds + " s");
    }

    @Test
    void aLandedCheckpointIsPublishedAndABrokenOneIsADeadLetter() throws IOException {
        Path step = SharedData.fixtures().resolve("checkpoints/bloom-tiny-train/step-50");
        String prefix = "c" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = new Topics(prefix);
        kafka.createProjectTopics(topics, 1);
        Path broken = Files.createDirectories(tmp.resolve("run/step-7"));
        Files.writeString(broken.resolve("config.json"), "{\"model_type\": \"bloom\"");

        int exit = run(new LandCheckpointsCommand(), step.toString(), broken.toString(), "--corpus", "flores",
                "--model", "bloom-tiny-train", "--bootstrap", kafka.bootstrapServers(), "--registry", registry.url(),
                "--topic-prefix", prefix);
        assertEquals(1, exit, "one of the two directories is broken");

        CheckpointEvent event = read(topics.name(Topic.CHECKPOINTS), CheckpointEvent.class, 1).get(0);
        assertEquals("bloom-tiny-train@50", event.getCheckpointId());
        assertEquals(50L, event.getStep());
        DeadLetter letter = read(topics.name(Topic.DEAD_LETTERS), DeadLetter.class, 1).get(0);
        assertTrue(letter.getError().contains("config.json"), letter.getError());

        // dead-letters prints it: failedAt, component, source, key, class, message
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new DeadLettersCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(new StringWriter(), true));
        assertEquals(0, cmd.execute("--bootstrap", kafka.bootstrapServers(), "--registry", registry.url(), "--topic-prefix", prefix));
        String[] line = out.toString().strip().split("\t");
        assertEquals(List.of(letter.getFailedAt().toString(), "producer", letter.getInput(), "-", letter.getErrorClass(),
                letter.getError()), List.of(line), out.toString());
    }

    /** {@code replay}: the checkpoint's latest event again, with a replay nonce; an unknown id is an error. */
    @Test
    void replayRepublishesTheLatestEventMarkedAsAReplay() throws IOException {
        Path step = SharedData.fixtures().resolve("checkpoints/bloom-tiny-train/step-50");
        String prefix = "r" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = new Topics(prefix);
        kafka.createProjectTopics(topics, 2);
        String[] target = {"--bootstrap", kafka.bootstrapServers(), "--registry", registry.url(), "--topic-prefix", prefix};
        assertEquals(0, run(new LandCheckpointsCommand(), concat(new String[] {step.toString(), "--corpus", "flores",
                "--model", "bloom-tiny-train"}, target)));
        CheckpointEvent landed = read(topics.name(Topic.CHECKPOINTS), CheckpointEvent.class, 1).get(0);

        assertEquals(0, run(new ReplayCommand(), concat(new String[] {"--checkpoint", "bloom-tiny-train@50"}, target)));
        List<CheckpointEvent> events = read(topics.name(Topic.CHECKPOINTS), CheckpointEvent.class, 2);
        assertEquals(2, events.size());
        CheckpointEvent replay = events.get(1);
        assertNull(landed.getReplay());
        assertNotNull(replay.getReplay());
        assertEquals(landed, CheckpointEvent.newBuilder(replay).setReplay(null).build(), "the same event otherwise");

        assertEquals(2, run(new ReplayCommand(), concat(new String[] {"--checkpoint", "nope@1"}, target)), "unknown checkpoint");
    }

    private static String[] concat(String[] a, String[] b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray(String[]::new);
    }

    @Test
    void aGenerationRequestIsPublishedToGenerationRequests() throws IOException {
        String prefix = "g" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = new Topics(prefix);
        kafka.createProjectTopics(topics, 1);
        Path regions = Files.writeString(tmp.resolve("kr.json"), "{\"zh\":[7,3],\"en\":[1]}");
        assertEquals(0, run(new RequestGenerationCommand(), "--checkpoint-id", "m@1", "--checkpoint-path", "/ckpt",
                "--prompt", "Bonjour", "--key-regions", regions.toString(), "--region", "zh", "--max-new-tokens", "8",
                "--bootstrap", kafka.bootstrapServers(), "--registry", registry.url(), "--topic-prefix", prefix));
        GenerationRequest r = read(topics.name(Topic.GENERATION_REQUESTS), GenerationRequest.class, 1).get(0);
        assertEquals("Bonjour", r.getPrompt());
        assertEquals(List.of(3, 7), r.getAblate());
        assertEquals("zh", r.getRegion());
        assertEquals(8, r.getMaxNewTokens());
        assertTrue(r.getGreedy());
    }

    @Test
    void hubRevisionsAreDownloadedThenLandedAsTheirSnapshotsAndLandAgainOffline() throws Exception {
        String prefix = "h" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = new Topics(prefix);
        kafka.createProjectTopics(topics, 1);
        Map<String, byte[]> single = HubRepoFiles.single(tmp.resolve("a"), 64);
        Map<String, byte[]> sharded = HubRepoFiles.sharded(tmp.resolve("b"));
        Map<String, byte[]> pickled = HubRepoFiles.single(tmp.resolve("c"), 4);
        pickled.put("pytorch_model.bin", pickled.remove("model.safetensors"));
        Path cache = tmp.resolve("hub-cache");
        List<String> landArgs = List.of("--hub", "org/tiny-run@global_step1000,global_step2000",
                "--cache", cache.toString(), "--corpus", "flores", "--bootstrap", kafka.bootstrapServers(),
                "--registry", registry.url(), "--topic-prefix", prefix);
        Map<String, Path> snapshots = new HashMap<>();
        try (HubTestServer hub = new HubTestServer()) {
            snapshots.put("org--tiny-run@1000", cache.resolve("models--org--tiny-run/snapshots")
                    .resolve(hub.commit("org/tiny-run", "global_step1000", single)));
            snapshots.put("org--tiny-run@2000", cache.resolve("models--org--tiny-run/snapshots")
                    .resolve(hub.commit("org/tiny-run", "global_step2000", sharded)));
            hub.commit("org/pickled", "main", pickled);
            hub.gate("org/tiny-run", "hf_t");
            Map<String, String> env = Map.of("HF_ENDPOINT", hub.endpoint().toString(), "HF_TOKEN", "hf_t");
            List<String> args = new ArrayList<>(landArgs);
            args.set(1, args.get(1) + ",global_step3000");
            args.addAll(List.of("--hub", "org/pickled"));
            StringWriter err = new StringWriter();
            int exit = run(new LandCheckpointsCommand().withEnvironment(env), err, args.toArray(String[]::new));
            assertEquals(1, exit, "a missing revision and a pickled one: " + err);
            assertTrue(err.toString().contains("error: hub org/tiny-run@global_step3000: revision 'global_step3000' "
                    + "not found in org/tiny-run"), err.toString());
            assertTrue(err.toString().contains("error: hub org/pickled@main: the revision has only pickled weights"),
                    err.toString());
        }
        List<CheckpointEvent> events = read(topics.name(Topic.CHECKPOINTS), CheckpointEvent.class, 2);
        assertEquals(2, events.size());
        for (CheckpointEvent e : events) {
            Path snapshot = snapshots.get(e.getCheckpointId());
            // landed exactly as the snapshot directory would be by hand
            CheckpointEvent local = new CheckpointLander(LandingOptions.forCorpus("flores").withModel("org--tiny-run")
                    .withStep(e.getStep()), Clock.systemUTC()).land(snapshot).event();
            local.setLandedAt(e.getLandedAt());
            assertEquals(local, e);
        }
        Map<String, CheckpointEvent> byId = new HashMap<>();
        events.forEach(e -> byId.put(e.getCheckpointId(), e));
        assertEquals(TestCheckpoints.sha256(single.get("model.safetensors")), byId.get("org--tiny-run@1000")
                .getContentHash());
        assertEquals(TestCheckpoints.sha256(sharded.get("model-00001-of-00002.safetensors"),
                sharded.get("model-00002-of-00002.safetensors")), byId.get("org--tiny-run@2000").getContentHash());

        // the server is gone: the cache alone lands both again (the same events)
        assertEquals(0, run(new LandCheckpointsCommand().withEnvironment(Map.of("HF_ENDPOINT", "http://127.0.0.1:9")),
                new StringWriter(), landArgs.toArray(String[]::new)));
        List<CheckpointEvent> again = read(topics.name(Topic.CHECKPOINTS), CheckpointEvent.class, 4);
        assertEquals(4, again.size());
        for (CheckpointEvent e : again.subList(2, 4)) {
            CheckpointEvent first = byId.get(e.getCheckpointId());
            assertEquals(first.getPath(), e.getPath());
            assertEquals(first.getContentHash(), e.getContentHash());
        }
    }

    private int run(Object command, String... args) {
        return run(command, new StringWriter(), args);
    }

    private int run(Object command, StringWriter err, String... args) {
        CommandLine cmd = new CommandLine(command);
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        int exit = cmd.execute(args);
        System.err.println(err);
        return exit;
    }

    private <T extends SpecificRecord> List<T> read(String topic, Class<T> type, int atLeast) {
        Map<String, Object> config = new HashMap<>(kafka.consumerConfig());
        config.putAll(registry.serdeConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AvroDeserializer<T> values = new AvroDeserializer<>(type);
        values.configure(config, false);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
                if (out.size() >= atLeast) {
                    // one more short poll: nothing beyond the expected records may be there
                    consumer.poll(Duration.ofMillis(500)).forEach(r -> out.add(r.value()));
                    break;
                }
            }
        }
        return out;
    }
}
