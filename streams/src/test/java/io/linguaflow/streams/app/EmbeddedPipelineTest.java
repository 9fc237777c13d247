package io.linguaflow.streams.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.NeuronTypes;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.SampleRef;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.query.QueryService;
import io.linguaflow.streams.testkit.Fixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real application on the in-JVM KRaft broker with the real schema registry: corpus and checkpoint in, the test
 * playing the worker (fixture activation records for every requested sample), one instance stopped mid-checkpoint
 * and a new one started on an empty state directory (state restored from the changelogs), records re-delivered.
 */
class EmbeddedPipelineTest {

    private static final String CP = "bloom-tiny@0";
    private static Fixture fixture;
    private static TestKafka kafka;
    private static TestRegistry registry;

    @BeforeAll
    static void start() {
        fixture = Fixture.load();
        kafka = TestKafka.shared();
        registry = TestRegistry.shared();
    }

    @Test
    void restartAndDuplicatesGiveTheReferenceResultsOnce(@TempDir Path dir) throws Exception {
        String prefix = "e2e-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        // without the per-sample vectors (QueryServiceTest covers the similarity map): the same results, the map answers 404
        StreamsSettings settings = StreamsSettings.defaults(new Topics(prefix), registry.serdeConfig())
                .withInterimInterval(Duration.ofMillis(500)).withSimilarityVectors(false);
        try (Admin admin = kafka.admin()) {
            LinguaflowStreams.ensureTopics(admin, settings, 4, (short) 1);
        }
        String appId = prefix + "streams";
        mark("topics created");
        try (KafkaProducer<String, SpecificRecord> producer = producer()) {
            LinguaflowStreams first = new LinguaflowStreams(settings, props(appId, dir.resolve("a"), null));
            first.start();
            try {
                for (int i = 0; i < fixture.samples(); i++) {
                    producer.send(new ProducerRecord<>(settings.topic(Topic.SENTENCES), fixture.sentenceKey(i), fixture.sentence(i)));
                }
                producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), CP, fixture.checkpoint(CP, "h0")));
                producer.flush();
                List<InferenceRequest> requests = values(await(settings.topic(Topic.INFERENCE_REQUESTS), InferenceRequest.class,
                        rs -> rs.stream().mapToInt(r -> r.value().getSamples().size()).sum() >= fixture.samples()));
                List<ActivationRecord> answers = new ArrayList<>();
                for (InferenceRequest r : requests) {
                    for (SampleRef s : r.getSamples()) {
                        for (int m = 0; m < fixture.layers; m++) {
                            answers.add(fixture.record(CP, fixture.index(s.getLang(), s.getMeaningId()), m));
                        }
                    }
                }
                mark("planned");
                Collections.shuffle(answers, new Random(5));
                int cut = answers.size() * 3 / 5;
                send(producer, settings, answers.subList(0, cut));
                // mid-checkpoint: wait until the first instance has aggregated part of it, then stop it
                await(settings.topic(Topic.PROGRESS), Progress.class,
                        rs -> rs.stream().anyMatch(r -> r.value().getStage() == Stage.AGGREGATING && r.value().getLayerRecordsSeen() > 0));
                mark("first instance aggregating");
            } finally {
                first.close();
                mark("first instance closed");
            }
            HostInfo host = new HostInfo("127.0.0.1", TestRegistry.freePort());
            Properties secondProps = props(appId, dir.resolve("b"), host.host() + ":" + host.port());
            secondProps.put("num.stream.threads", 2); // the 4 partitions' tasks on two threads, one group budget
            try (LinguaflowStreams second = new LinguaflowStreams(settings, secondProps);
                 QueryService queries = new QueryService(second.kafkaStreams(), host)) {
                queries.start();
                second.start();
                List<ActivationRecord> answers = fixture.shuffledRecords(CP, 6);
                try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(kafka.producerConfig(), new ByteArraySerializer(),
                        new ByteArraySerializer())) { // a record nobody can read: dead-lettered, the rest goes on
                    raw.send(new ProducerRecord<>(settings.topic(Topic.ACTIVATIONS), Keys.activation(CP, 0).getBytes(StandardCharsets.UTF_8),
                            "not avro".getBytes(StandardCharsets.UTF_8))).get();
                }
                send(producer, settings, answers.subList(0, answers.size() / 3)); // re-delivered
                send(producer, settings, answers);                                 // everything again, some a third time
                List<Metrics> metrics = values(await(settings.topic(Topic.METRICS), Metrics.class,
                        rs -> rs.stream().anyMatch(r -> r.value().getComplete())));
                mark("final metrics");
                List<Metrics> finals = metrics.stream().filter(Metrics::getComplete).toList();
                assertEquals(1, finals.size(), "the final result once");
                LinguaflowTopologyTest.assertMetricsOf(fixture, finals.get(0));
                List<KeyRegion> regions = values(await(settings.topic(Topic.KEY_REGIONS), KeyRegion.class,
                        rs -> rs.size() >= fixture.languages().size()));
                assertEquals(fixture.languages().size(), regions.size());
                for (KeyRegion r : regions) {
                    assertEquals(fixture.referenceKeyNeurons(r.getLang()), r.getNeurons(), r.getLang());
                }
                assertEquals(1, values(await(settings.topic(Topic.NEURON_TYPES), NeuronTypes.class, rs -> !rs.isEmpty())).size());
                HttpResponse<String> map = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + host.port() + "/checkpoints/bloom-tiny%400/similarity.png")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(404, map.statusCode(), map.body());
                assertTrue(map.body().contains("similarity maps are off in this deployment"), map.body());

                DeadLetter poison = values(await(settings.topic(Topic.DEAD_LETTERS), DeadLetter.class, rs -> !rs.isEmpty())).get(0);
                assertEquals("streams", poison.getComponent());
                assertEquals(settings.topic(Topic.ACTIVATIONS), poison.getSourceTopic());
                assertTrue(poison.getError().contains("offset " + poison.getSourceOffset()), poison.getError());

                // the same weights landing again under another id are not analysed again
                producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), "again@0", fixture.checkpoint("again@0", "h0")));
                producer.flush();
                List<Progress> progress = values(await(settings.topic(Topic.PROGRESS), Progress.class,
                        rs -> rs.stream().anyMatch(r -> r.key().equals("again@0"))));
                assertEquals(Stage.SKIPPED_DUPLICATE, progress.stream().filter(p -> p.getCheckpointId().equals("again@0"))
                        .findFirst().orElseThrow().getStage());
                assertEquals(KafkaStreams.State.RUNNING, second.kafkaStreams().state());
                Thread.sleep(1500); // two interim intervals: nothing more may be published for the finished checkpoint
                assertEquals(1, values(await(settings.topic(Topic.METRICS), Metrics.class, rs -> true)).stream()
                        .filter(Metrics::getComplete).count());
            }
            // the dead-letter producer the unreadable record opened closed with its instance
            assertTrue(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                    .noneMatch(t -> t.getName().endsWith("| " + appId + "-dead-letters")), "no dead-letter producer thread left");
        }
    }

    private static final long T0 = System.nanoTime();

    private static void mark(String what) {
        System.out.printf("[e2e %6.1f s] %s%n", (System.nanoTime() - T0) / 1e9, what);
    }

    /** Test application ids are "<prefix>streams". */
    private static String prefixOf(String appId) {
        return appId.substring(0, appId.length() - "streams".length());
    }

    /** @param applicationServer host:port of the instance's query service, or null without one */
    static Properties props(String appId, Path state, String applicationServer) {
        Properties p = StreamsConfigs.of(appId, kafka.bootstrapServers(), state, applicationServer, registry.serdeConfig(),
                prefixOf(appId));
        p.put("num.stream.threads", 1);
        p.put("replication.factor", 1);
        p.put("consumer.session.timeout.ms", 6000);
        p.put("consumer.heartbeat.interval.ms", 1000);
        return p;
    }

    static KafkaProducer<String, SpecificRecord> producer() {
        Map<String, Object> config = new HashMap<>(kafka.producerConfig());
        config.putAll(registry.serdeConfig());
        config.put("max.request.size", 4 * 1024 * 1024);
        AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
        values.configure(config, false);
        return new KafkaProducer<>(config, new StringSerializer(), values);
    }

    static void send(KafkaProducer<String, SpecificRecord> producer, StreamsSettings settings, List<ActivationRecord> records) {
        for (ActivationRecord a : records) {
            producer.send(new ProducerRecord<>(settings.topic(Topic.ACTIVATIONS), Keys.activation(a.getCheckpointId(), a.getLayer()), a));
        }
        producer.flush();
    }

    /** Reads {@code topic} from the start (committed records only) until {@code done} holds, for up to 60 s. */
    static <T extends SpecificRecord> List<ConsumerRecord<String, T>> await(String topic, Class<T> type,
                                                                            Predicate<List<ConsumerRecord<String, T>>> done) {
        return await(topic, type, done, Duration.ofSeconds(60));
    }

    /** Reads {@code topic} from the start (committed records only) until {@code done} holds, for up to {@code timeout}. */
    static <T extends SpecificRecord> List<ConsumerRecord<String, T>> await(String topic, Class<T> type,
                                                                            Predicate<List<ConsumerRecord<String, T>>> done,
                                                                            Duration timeout) {
        Map<String, Object> config = new HashMap<>(kafka.consumerConfig());
        config.putAll(registry.serdeConfig());
        AvroDeserializer<T> values = new AvroDeserializer<>(type);
        values.configure(config, false);
        List<ConsumerRecord<String, T>> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            do {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (!out.isEmpty() && done.test(out) || System.nanoTime() > deadline) {
                    // drain what is already there, so "exactly once" assertions see every record
                    consumer.poll(Duration.ofMillis(500)).forEach(out::add);
                    break;
                }
            } while (true);
        }
        assertTrue(done.test(out), "timed out waiting on " + topic + " (" + out.size() + " records)");
        return out;
    }

    static <T> List<T> values(List<ConsumerRecord<String, T>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }
}
