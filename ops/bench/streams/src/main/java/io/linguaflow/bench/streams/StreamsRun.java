package io.linguaflow.bench.streams;

import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.app.LinguaflowStreams;
import io.linguaflow.streams.app.StreamsConfigs;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.config.StreamsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * One streams measurement: {@code instances} {@link LinguaflowStreams} in this JVM (same application id, separate
 * state dirs, one stream thread each) on fresh topics with one partition per layer, fed the bench data for one
 * checkpoint; times from the first activation record to the final {@link Metrics} (complete = true).
 */
public final class StreamsRun {

    private static final String CHECKPOINT = "bench@1";
    private static final Duration TIMEOUT = Duration.ofMinutes(90);

    /**
     * @param produceSeconds  first to last activation record acknowledged by the broker
     * @param seconds         first activation record sent to the final metrics received
     * @param latencySeconds  last activation record acknowledged to the final metrics received
     * @param rocksDbBytes    size on disk of the instances' state dirs at the end (RocksDB, checkpoint files)
     * @param changelogBytes  size of the application's changelog topics on the broker at the end
     * @param heapPeak        JVM-wide used-heap peak during the run (broker and producer included)
     * @param cpu             {@link CpuUse#summary()} from the first record to the final metrics
     */
    record Result(int instances, double produceSeconds, double seconds, double latencySeconds, long rocksDbBytes,
                  long changelogBytes, long heapPeak, String cpu, Metrics metrics) {
    }

    private StreamsRun() {
    }

    static Result run(BenchData data, int instances, TestKafka kafka, TestRegistry registry) throws Exception {
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String applicationId = prefix + "streams";
        StreamsSettings settings = StreamsSettings.defaults(new Topics(prefix), registry.serdeConfig());
        try (Admin admin = kafka.admin()) {
            // at least one partition per layer, so the layers of the checkpoint can spread over the instances
            LinguaflowStreams.ensureTopics(admin, settings, data.layers(), (short) 1);
        }
        List<Path> stateDirs = new ArrayList<>();
        List<LinguaflowStreams> apps = new ArrayList<>();
        try (HeapPeak heap = new HeapPeak();
             KafkaProducer<String, SpecificRecord> producer = producer(kafka, registry);
             KafkaConsumer<String, Metrics> metrics = metricsConsumer(kafka, registry, settings.topic(Topic.METRICS))) {
            for (int i = 0; i < instances; i++) {
                Path state = Files.createTempDirectory("linguaflow-bench-state-");
                stateDirs.add(state);
                Properties props = StreamsConfigs.of(applicationId, kafka.bootstrapServers(), state, null, registry.serdeConfig(), prefix);
                props.put("replication.factor", 1);
                LinguaflowStreams app = new LinguaflowStreams(settings, props);
                apps.add(app);
                app.start();
            }
            awaitRunning(apps);
            produceCorpusAndCheckpoint(data, settings, producer);
            awaitPlan(apps);

            CpuUse cpu = new CpuUse();
            long start = System.nanoTime();
            long[] lastAck = {start};
            try (Npy npy = Npy.open(data.file())) {
                int width = data.layers() * data.neurons();
                // meaning by meaning, as the planner batches them for the worker (sample i = language i / S, meaning i % S)
                for (int next = 0; next < data.samples(); next++) {
                    int i = next % data.languages() * data.meanings() + next / data.languages();
                    float[] row = npy.readFloats((long) i * width, width);
                    for (ActivationRecord a : records(data, i, row)) {
                        producer.send(new ProducerRecord<>(settings.topic(Topic.ACTIVATIONS), Keys.activation(CHECKPOINT, a.getLayer()), a),
                                (meta, e) -> {
                                    if (e == null) {
                                        lastAck[0] = Math.max(lastAck[0], System.nanoTime());
                                    }
                                });
                    }
                }
            }
            producer.flush();
            long produced = System.nanoTime();
            Metrics last = awaitFinal(metrics);
            long done = System.nanoTime();
            String cpuUse = cpu.summary();
            long rocksDb = stateDirs.stream().mapToLong(StreamsRun::du).sum();
            long changelog;
            try (Admin admin = kafka.admin()) {
                changelog = changelogBytes(admin, applicationId);
            }
            return new Result(instances, (produced - start) / 1e9, (done - start) / 1e9, (done - Math.max(lastAck[0], start)) / 1e9,
                    rocksDb, changelog, heap.peak(), cpuUse, last);
        } finally {
            apps.forEach(LinguaflowStreams::close);
            stateDirs.forEach(StreamsRun::delete);
        }
    }

    /** The records of sample i: one per layer, values as float32 bytes, norms as the inference worker computes them. */
    static List<ActivationRecord> records(BenchData data, int i, float[] row) {
        int d = data.neurons();
        double total = 0;
        double[] layerNorms = new double[data.layers()];
        for (int m = 0; m < data.layers(); m++) {
            double[] h = new double[d];
            for (int k = 0; k < d; k++) {
                h[k] = row[m * d + k];
                total += h[k] * h[k];
            }
            layerNorms[m] = LayerVector.norm(h);
        }
        double modelNorm = Math.sqrt(total);
        List<ActivationRecord> out = new ArrayList<>(data.layers());
        for (int m = 0; m < data.layers(); m++) {
            ByteBuffer v = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer c = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < d; k++) {
                v.putFloat(row[m * d + k]);
                c.putInt(BenchData.positiveCount(row[m * d + k]));
            }
            String lang = data.langOf(i);
            String meaning = data.meaningOf(i);
            out.add(ActivationRecord.newBuilder().setCheckpointId(CHECKPOINT).setCorpus("bench").setSampleId(lang + "|" + meaning)
                    .setIndex(i).setLang(lang).setMeaningId(meaning).setLayer(m).setLayers(data.layers()).setNeuronsPerLayer(d)
                    .setValues(v.flip()).setPositiveCounts(c.flip()).setTokenCount(BenchData.TOKENS).setLayerNorm(layerNorms[m])
                    .setWholeModelNorm(modelNorm).build());
        }
        return out;
    }

    private static void produceCorpusAndCheckpoint(BenchData data, StreamsSettings settings, KafkaProducer<String, SpecificRecord> producer) {
        for (int i = 0; i < data.samples(); i++) {
            String lang = data.langOf(i);
            String meaning = data.meaningOf(i);
            Sentence sentence = Sentence.newBuilder().setCorpus("bench").setLang(lang).setMeaningId(meaning)
                    .setText("x".repeat(1 + i % 40)).setIndex(i).setCorpusSize(data.samples()).build();
            producer.send(new ProducerRecord<>(settings.topic(Topic.SENTENCES), Keys.sentence("bench", lang, meaning), sentence));
        }
        producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), CHECKPOINT, CheckpointEvent.newBuilder()
                .setCheckpointId(CHECKPOINT).setModel("bench").setStep(1L).setPath("/bench").setContentHash("h").setCorpus("bench")
                .setLayers(data.layers()).setNeuronsPerLayer(data.neurons()).setLandedAt(Instant.ofEpochMilli(0)).build()));
        producer.flush();
    }

    private static KafkaProducer<String, SpecificRecord> producer(TestKafka kafka, TestRegistry registry) {
        Map<String, Object> config = new HashMap<>(kafka.producerConfig());
        config.putAll(registry.serdeConfig());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
        values.configure(config, false);
        return new KafkaProducer<>(config, new StringSerializer(), values);
    }

    private static KafkaConsumer<String, Metrics> metricsConsumer(TestKafka kafka, TestRegistry registry, String topic) {
        Map<String, Object> config = new HashMap<>(kafka.consumerConfig());
        config.putAll(registry.serdeConfig());
        AvroDeserializer<Metrics> values = new AvroDeserializer<>(Metrics.class);
        values.configure(config, false);
        KafkaConsumer<String, Metrics> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values);
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static void awaitRunning(List<LinguaflowStreams> apps) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!apps.stream().allMatch(a -> a.kafkaStreams().state() == KafkaStreams.State.RUNNING)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("streams instances not RUNNING after 2 minutes: "
                        + apps.stream().map(a -> a.kafkaStreams().state()).toList());
            }
            Thread.sleep(50);
        }
    }

    /** Waits until every instance's global plans store holds the checkpoint's plan, so no record waits for it. */
    private static void awaitPlan(List<LinguaflowStreams> apps) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        for (LinguaflowStreams app : apps) {
            ReadOnlyKeyValueStore<String, CheckpointPlan> plans = app.kafkaStreams().store(
                    StoreQueryParameters.fromNameAndType(Plans.STORE, QueryableStoreTypes.keyValueStore()));
            while (plans.get(CHECKPOINT) == null) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no plan for " + CHECKPOINT + " after 2 minutes");
                }
                Thread.sleep(20);
            }
        }
    }

    private static Metrics awaitFinal(KafkaConsumer<String, Metrics> consumer) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (var r : consumer.poll(Duration.ofMillis(20))) {
                if (r.value().getComplete()) {
                    return r.value();
                }
            }
        }
        throw new IllegalStateException("no final metrics for " + CHECKPOINT + " within " + TIMEOUT);
    }

    private static long changelogBytes(Admin admin, String applicationId) throws Exception {
        long bytes = 0;
        for (var node : admin.describeCluster().nodes().get()) {
            for (var dir : admin.describeLogDirs(List.of(node.id())).allDescriptions().get().get(node.id()).values()) {
                for (var replica : dir.replicaInfos().entrySet()) {
                    String topic = replica.getKey().topic();
                    if (topic.startsWith(applicationId + "-") && topic.endsWith("-changelog")) {
                        bytes += replica.getValue().size();
                    }
                }
            }
        }
        return bytes;
    }

    /** Bytes of the regular files under {@code dir} (a state dir: RocksDB and checkpoint files); also used by the soak bench. */
    public static long du(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // a file RocksDB deleted meanwhile
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything under it; also used by the soak bench. */
    public static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
