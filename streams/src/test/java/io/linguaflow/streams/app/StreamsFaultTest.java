package io.linguaflow.streams.app;

import static io.linguaflow.streams.app.EmbeddedPipelineTest.await;
import static io.linguaflow.streams.app.EmbeddedPipelineTest.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.NeuronTypes;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.SampleRef;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.schemas.failure.Backoff;
import io.linguaflow.schemas.serde.SerdeConfig;
import io.linguaflow.schemas.testkit.TcpGate;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.cli.StreamsCommand;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.testkit.Fixture;
import io.linguaflow.streams.testkit.FixtureRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault suite (JUnit tag {@code fault}; {@code mvn verify} and {@code .ci/run} run it, {@code -DexcludedGroups=fault}
 * leaves it out): the real application on the in-JVM broker and the real registry, the test playing the worker with the
 * fixture's activation records; each case ends with the reference kit's final metrics and key regions, exactly once,
 * bit-identical to a clean run of the same topology on the same records (the results are a function of the set of
 * samples, docs/math.md §10), and no dead letter for a valid record.
 */
@Tag("fault")
class StreamsFaultTest {

    private static final String CP = "bloom-tiny@0";
    private static Fixture fixture;
    private static TestKafka kafka;
    private static TestRegistry registry;

    @BeforeAll
    static void start() {
        EmbeddedPipelineTest.start();
        fixture = Fixture.load();
        kafka = TestKafka.shared();
        registry = TestRegistry.shared();
    }

    /** The registry is down when the instance starts and comes up later: valid records wait, none is dead-lettered. */
    @Test
    void registryDownAtStartThenUp(@TempDir Path dir) throws Exception {
        String prefix = "fault-reg-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (TcpGate gate = TcpGate.before(registry.url())) {
            StreamsSettings settings = settings(prefix, gate.url());
            Properties props = EmbeddedPipelineTest.props(prefix + "streams", dir.resolve("a"), null);
            props.put(SerdeConfig.SCHEMA_REGISTRY_URL, gate.url());
            try (LinguaflowStreams streams = new LinguaflowStreams(settings, props,
                    new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1), 1000));
                 KafkaProducer<String, SpecificRecord> producer = EmbeddedPipelineTest.producer()) {
                streams.start();
                List<ActivationRecord> answers = plan(producer, settings, () -> {
                    Thread.sleep(3000); // the planner's thread dies and is replaced, a few times
                    assertEquals(0, count(settings.topic(Topic.INFERENCE_REQUESTS)), "nothing planned without the registry");
                    gate.open();
                });
                EmbeddedPipelineTest.send(producer, settings, answers);
                assertReferenceResults(settings);
                assertEquals(KafkaStreams.State.RUNNING, streams.kafkaStreams().state());
                assertFalse(streams.fatal().isDone());
            }
            assertEquals(0, count(settings.topic(Topic.DEAD_LETTERS)), "dead letters");
        }
    }

    /** {@code linguaflow streams} whose threads keep dying of a registry outage exits 1 once the attempts are spent. */
    @Test
    void instanceWhoseThreadsDieExitsNonZero(@TempDir Path dir) throws Exception {
        String prefix = "fault-exit-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (TcpGate gate = TcpGate.before(registry.url())) { // shut for good
            StreamsSettings settings = settings(prefix, gate.url());
            // a dead stream thread does not leave the group, so its replacement gets the partitions once the dead member's
            // session times out: the broker's minimum, 6 s, instead of the default 45 s per replacement
            Process p = streamsProcess(prefix, gate.url(), dir.resolve("state"), dir.resolve("out.log"), "PT0.2S,PT0.5S,3",
                    "--kafka-config", "session.timeout.ms=6000");
            try (KafkaProducer<String, SpecificRecord> producer = EmbeddedPipelineTest.producer()) {
                awaitTopic(settings.topic(Topic.SENTENCES));
                producer.send(new ProducerRecord<>(settings.topic(Topic.SENTENCES), fixture.sentenceKey(0), fixture.sentence(0))).get();
                assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the instance did not exit; log:\n" + Files.readString(dir.resolve("out.log")));
            } finally {
                p.destroyForcibly();
            }
            String log = Files.readString(dir.resolve("out.log"));
            assertEquals(1, p.exitValue(), log);
            assertTrue(log.contains("attempt 3/3") && log.contains("giving up: shutting the instance down"), log);
            assertTrue(log.contains("error: streams " + prefix + "streams stopped"), log);
            assertEquals(0, count(settings.topic(Topic.DEAD_LETTERS)), "dead letters");
        }
    }

    /** An instance in its own JVM killed with SIGKILL mid-checkpoint, restarted on its state directory. */
    @Test
    void instanceKilledHardMidCheckpointAndRestarted(@TempDir Path dir) throws Exception {
        String prefix = "fault-kill-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        StreamsSettings settings = settings(prefix, registry.url());
        Path state = dir.resolve("state");
        // its session times out after 10 s rather than the default 45: only then do its partitions move
        Process first = streamsProcess(prefix, registry.url(), state, dir.resolve("first.log"), "PT1S,PT30S,20",
                "--kafka-config", "session.timeout.ms=10000");
        List<ActivationRecord> answers;
        try (KafkaProducer<String, SpecificRecord> producer = EmbeddedPipelineTest.producer()) {
            awaitTopic(settings.topic(Topic.SENTENCES));
            answers = plan(producer, settings, () -> { });
            Collections.shuffle(answers, new Random(11));
            EmbeddedPipelineTest.send(producer, settings, answers.subList(0, answers.size() * 3 / 5));
            await(settings.topic(Topic.PROGRESS), Progress.class, rs -> rs.stream()
                    .anyMatch(r -> r.value().getStage() == Stage.AGGREGATING && r.value().getLayerRecordsSeen() > 0));
            first.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no leave-group, transaction left open
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, first.exitValue(), "killed by SIGKILL");

            Process second = streamsProcess(prefix, registry.url(), state, dir.resolve("second.log"), "PT1S,PT30S,20");
            try {
                EmbeddedPipelineTest.send(producer, settings, answers); // everything again: the first 60 % twice
                // the dead member's partitions move after its session timeout
                assertReferenceResults(settings, Duration.ofSeconds(180));
                assertTrue(second.isAlive(), Files.readString(dir.resolve("second.log")));
            } finally {
                second.destroy();
                second.waitFor(60, TimeUnit.SECONDS);
            }
        }
        assertEquals(0, count(settings.topic(Topic.DEAD_LETTERS)), "dead letters");
    }

    /** A live rebalance 1 -> 2 -> 1 instances mid-checkpoint: the second joins, then the first leaves. */
    @Test
    void liveRebalanceOneTwoOneMidCheckpoint(@TempDir Path dir) throws Exception {
        String prefix = "fault-rebal-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        StreamsSettings settings = settings(prefix, registry.url());
        String appId = prefix + "streams";
        try (KafkaProducer<String, SpecificRecord> producer = EmbeddedPipelineTest.producer()) {
            LinguaflowStreams first = new LinguaflowStreams(settings, EmbeddedPipelineTest.props(appId, dir.resolve("a"), null));
            first.start();
            List<ActivationRecord> answers;
            try (LinguaflowStreams second = new LinguaflowStreams(settings, EmbeddedPipelineTest.props(appId, dir.resolve("b"), null))) {
                answers = plan(producer, settings, () -> { });
                Collections.shuffle(answers, new Random(17));
                int third = answers.size() / 3;
                EmbeddedPipelineTest.send(producer, settings, answers.subList(0, third));
                await(settings.topic(Topic.PROGRESS), Progress.class, rs -> rs.stream()
                        .anyMatch(r -> r.value().getStage() == Stage.AGGREGATING && r.value().getLayerRecordsSeen() > 0));
                second.start(); // 1 -> 2 while records flow
                EmbeddedPipelineTest.send(producer, settings, answers.subList(third, 2 * third));
                awaitRunning(second);
                first.close(); // 2 -> 1: leaves the group, its tasks move to the second
                EmbeddedPipelineTest.send(producer, settings, answers); // the rest, and the first two thirds again
                assertReferenceResults(settings);
                assertFalse(second.fatal().isDone());
            } finally {
                first.close();
            }
        }
        assertEquals(0, count(settings.topic(Topic.DEAD_LETTERS)), "dead letters");
    }

    /**
     * The broker stopped mid-checkpoint and started again on the same log directory and port (the shared in-JVM one,
     * back before the next test): the instance and the producer reconnect by themselves, nothing is lost or counted twice.
     */
    @Test
    void brokerRestartedMidCheckpoint(@TempDir Path dir) throws Exception {
        String prefix = "fault-broker-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        StreamsSettings settings = settings(prefix, registry.url());
        String bootstrap = kafka.bootstrapServers();
        try (LinguaflowStreams streams = new LinguaflowStreams(settings, EmbeddedPipelineTest.props(prefix + "streams", dir.resolve("a"), null));
             KafkaProducer<String, SpecificRecord> producer = EmbeddedPipelineTest.producer()) {
            streams.start();
            List<ActivationRecord> answers = plan(producer, settings, () -> { });
            Collections.shuffle(answers, new Random(23));
            int half = answers.size() / 2;
            EmbeddedPipelineTest.send(producer, settings, answers.subList(0, half));
            await(settings.topic(Topic.PROGRESS), Progress.class, rs -> rs.stream()
                    .anyMatch(r -> r.value().getStage() == Stage.AGGREGATING && r.value().getLayerRecordsSeen() > 0));
            kafka.restartBroker(Duration.ofSeconds(5));
            assertEquals(bootstrap, kafka.bootstrapServers(), "same listener port");
            EmbeddedPipelineTest.send(producer, settings, answers); // the rest, and the first half again
            assertReferenceResults(settings, Duration.ofSeconds(180));
            assertEquals(KafkaStreams.State.RUNNING, streams.kafkaStreams().state());
            assertFalse(streams.fatal().isDone());
        }
        assertEquals(0, count(settings.topic(Topic.DEAD_LETTERS)), "dead letters");
    }

    private static void awaitRunning(LinguaflowStreams streams) throws InterruptedException {
        for (int i = 0; i < 600 && streams.kafkaStreams().state() != KafkaStreams.State.RUNNING; i++) {
            Thread.sleep(100);
        }
        assertEquals(KafkaStreams.State.RUNNING, streams.kafkaStreams().state());
    }

    private interface Step {
        void run() throws Exception;
    }

    private static StreamsSettings settings(String prefix, String registryUrl) {
        Map<String, Object> serde = new HashMap<>(registry.serdeConfig());
        serde.put(SerdeConfig.SCHEMA_REGISTRY_URL, registryUrl);
        StreamsSettings settings = StreamsSettings.defaults(new Topics(prefix), serde)
                .withInterimInterval(Duration.ofMillis(500)).withSimilarityVectors(false);
        try (Admin admin = kafka.admin()) {
            LinguaflowStreams.ensureTopics(admin, settings, 4, (short) 1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return settings;
    }

    /** Corpus and checkpoint in; after {@code between}, every planned sample's fixture records (what a worker answers). */
    private static List<ActivationRecord> plan(KafkaProducer<String, SpecificRecord> producer, StreamsSettings settings,
                                               Step between) throws Exception {
        for (int i = 0; i < fixture.samples(); i++) {
            producer.send(new ProducerRecord<>(settings.topic(Topic.SENTENCES), fixture.sentenceKey(i), fixture.sentence(i)));
        }
        producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), CP, fixture.checkpoint(CP, "h0")));
        producer.flush();
        between.run();
        List<InferenceRequest> requests = values(await(settings.topic(Topic.INFERENCE_REQUESTS), InferenceRequest.class,
                rs -> rs.stream().mapToInt(r -> r.value().getSamples().size()).sum() >= fixture.samples(), Duration.ofSeconds(120)));
        List<ActivationRecord> answers = new ArrayList<>();
        for (InferenceRequest r : requests) {
            for (SampleRef s : r.getSamples()) {
                for (int m = 0; m < fixture.layers; m++) {
                    answers.add(fixture.record(CP, fixture.index(s.getLang(), s.getMeaningId()), m));
                }
            }
        }
        return answers;
    }

    private static void assertReferenceResults(StreamsSettings settings) {
        assertReferenceResults(settings, Duration.ofSeconds(90));
    }

    /**
     * One final Metrics equal to the reference kit's, and each language's key region; metrics, key regions and neuron
     * types bit-identical to a clean run of the same topology on the same records ({@link FixtureRun#clean}).
     */
    private static void assertReferenceResults(StreamsSettings settings, Duration timeout) {
        List<Metrics> finals = values(await(settings.topic(Topic.METRICS), Metrics.class,
                rs -> rs.stream().anyMatch(r -> r.value().getComplete()), timeout)).stream().filter(Metrics::getComplete).toList();
        assertEquals(1, finals.size(), "the final result once");
        LinguaflowTopologyTest.assertMetricsOf(fixture, finals.get(0));
        List<KeyRegion> regions = new ArrayList<>(values(await(settings.topic(Topic.KEY_REGIONS), KeyRegion.class,
                rs -> rs.size() >= fixture.languages().size())));
        assertEquals(fixture.languages().size(), regions.size());
        for (KeyRegion r : regions) {
            assertEquals(fixture.referenceKeyNeurons(r.getLang()), r.getNeurons(), r.getLang());
        }
        regions.sort(Comparator.comparingInt(r -> fixture.languages().indexOf(r.getLang().toString())));
        List<NeuronTypes> types = values(await(settings.topic(Topic.NEURON_TYPES), NeuronTypes.class, rs -> !rs.isEmpty()));
        assertEquals(1, types.size(), "neuron types once");
        new FixtureRun.Results(finals.get(0), regions, types.get(0)).assertBitIdenticalTo(FixtureRun.clean(fixture));
    }

    /** {@code linguaflow streams} in a JVM of its own (this test JVM's classpath), output to {@code log}. */
    private static Process streamsProcess(String prefix, String registryUrl, Path state, Path log, String retry, String... more)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), StreamsCommand.class.getName(),
                "--bootstrap", kafka.bootstrapServers(), "--registry", registryUrl, "--application-id", prefix + "streams",
                "--state-dir", state.toString(), "--http-host", "127.0.0.1", "--http-port", Integer.toString(TestRegistry.freePort()),
                "--topic-prefix", prefix, "--partitions", "4", "--interim-interval", "PT0.5S", "--no-similarity-map",
                "--retry", retry));
        command.addAll(List.of(more));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitTopic(String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            for (int i = 0; i < 300 && !admin.listTopics().names().get().contains(topic); i++) {
                Thread.sleep(100);
            }
        }
    }

    /** Committed records in {@code topic} now. */
    private static int count(String topic) {
        Map<String, Object> config = new HashMap<>(kafka.consumerConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        int n = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()) {
                int got = c.poll(Duration.ofMillis(200)).count();
                if (got > 0) {
                    n += got;
                    quietSince = System.nanoTime();
                }
            }
        }
        return n;
    }
}
