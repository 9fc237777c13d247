package io.linguaflow.bench.streams;

import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.app.LinguaflowStreams;
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
import java.util.TreeMap;
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

/**
 * One streams measurement: {@code instances} {@link StreamsInstanceMain} JVMs (same application id, separate state
 * dirs, one stream thread each) on fresh topics of {@code partitions} partitions each, fed the bench data for one checkpoint
 * by this JVM; times from the first activation record to the final {@link Metrics} (complete = true). Preloaded: the
 * instances pause once the plan is in, all activation records are produced, and the instances are timed from their
 * resumption to the final metrics: the streams application alone on a backlog, without the producer on the same cores.
 */
public final class StreamsRun {

    /** The measured corpus; its checkpoint is {@code bench@1}. */
    private static final String CORPUS = "bench";
    /** The corpus of the untimed checkpoint that warms the instances' JIT ({@code warm@1}). */
    private static final String WARM_CORPUS = "warm";
    private static final Duration TIMEOUT = Duration.ofMinutes(90);
    private static final Duration START = Duration.ofMinutes(3);

    /**
     * @param preload          the records were produced before the timed instances started
     * @param warm             the instances had analysed a checkpoint before the measured one
     * @param produceSeconds   first to last activation record acknowledged by the broker
     * @param seconds          first activation record sent (preloaded: the instances resumed) to the final metrics received
     * @param latencySeconds   last activation record acknowledged to the final metrics received (preloaded: NaN)
     * @param rocksDbAtFinal   size on disk of the instances' state dirs when the final metrics arrived (memtables not yet
     *                         flushed are not on disk; with {@code warm}, the warm-up checkpoint's state included)
     * @param rocksDbByStore   size on disk of the state dirs once the instances closed (memtables flushed) per analysed
     *                         checkpoint, by store (RocksDB files; "other": checkpoint and lock files); with {@code warm}
     *                         half the size, the warm-up checkpoint having the same shape (which RocksDB file holds
     *                         which checkpoint is not known)
     * @param changelogByStore size of the application's changelog topics on the broker at the end, by store; with
     *                         {@code warm}, less their size at the warm-up checkpoint's final metrics
     * @param heaps            each streams JVM's heap, in instance order
     * @param benchHeapPeak    this JVM's used-heap peak during the run (broker, producer, metrics consumer)
     * @param cpu              {@link CpuUse#summary()} from the first record to the final metrics
     */
    record Result(int instances, boolean preload, boolean warm, double produceSeconds, double seconds, double latencySeconds, long rocksDbAtFinal,
                  Map<String, Long> rocksDbByStore, Map<String, Long> changelogByStore, List<StreamsJvm.Heap> heaps, long benchHeapPeak,
                  String cpu, Metrics metrics) {

        long rocksDbBytes() {
            return rocksDbByStore.values().stream().mapToLong(Long::longValue).sum();
        }

        long changelogBytes() {
            return changelogByStore.values().stream().mapToLong(Long::longValue).sum();
        }

        long heapPeak() {
            return heaps.stream().mapToLong(StreamsJvm.Heap::peak).max().orElse(0);
        }
    }

    private StreamsRun() {
    }

    /**
     * @param warm when not null: the instances first analyse this data set to the end, untimed, as checkpoint
     *             {@code warm@1} of corpus {@code warm}, so the measured checkpoint runs on compiled code, as in an
     *             instance that has analysed the checkpoint before
     */
    static Result run(BenchData data, BenchData warm, int partitions, int instances, boolean preload, TestKafka kafka, TestRegistry registry, StreamsJvm.Options options)
            throws Exception {
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        String applicationId = StreamsInstanceMain.applicationId(prefix);
        StreamsSettings settings = StreamsInstanceMain.settings(prefix, registry.url(), options.similarityMap());
        try (Admin admin = kafka.admin()) {
            LinguaflowStreams.ensureTopics(admin, settings, partitions, (short) 1);
        }
        Path dir = Files.createTempDirectory("linguaflow-bench-streams-");
        List<Path> stateDirs = new ArrayList<>();
        List<StreamsJvm> jvms = new ArrayList<>();
        try (HeapPeak heap = new HeapPeak();
             KafkaProducer<String, SpecificRecord> producer = producer(kafka, registry);
             KafkaConsumer<String, Metrics> metrics = metricsConsumer(kafka, registry, settings.topic(Topic.METRICS))) {
            for (int i = 1; i <= instances; i++) {
                Path state = dir.resolve("state-" + i);
                stateDirs.add(state);
                jvms.add(StreamsJvm.start(i, instances, dir, options, List.of("--bootstrap", kafka.bootstrapServers(),
                        "--registry", registry.url(), "--topic-prefix", prefix, "--state-dir", state.toString())));
            }
            for (StreamsJvm jvm : jvms) {
                jvm.request("running", "running", START);
            }
            Map<String, Long> warmChangelog = Map.of();
            if (warm != null) {
                produceCorpusAndCheckpoint(warm, WARM_CORPUS, settings, producer);
                for (StreamsJvm jvm : jvms) {
                    jvm.request("plan " + checkpoint(WARM_CORPUS), "plan", START);
                }
                produceActivations(warm, WARM_CORPUS, settings, producer, new long[1]);
                awaitFinal(metrics, jvms, checkpoint(WARM_CORPUS));
                try (Admin admin = kafka.admin()) {
                    warmChangelog = changelogBytes(admin, applicationId);
                }
            }
            produceCorpusAndCheckpoint(data, CORPUS, settings, producer);
            for (StreamsJvm jvm : jvms) {
                jvm.request("plan " + checkpoint(CORPUS), "plan", START);
            }
            // once more: a later instance's start rebalanced the earlier ones
            for (StreamsJvm jvm : jvms) {
                jvm.request("running", "running", START);
            }
            if (preload) {
                for (StreamsJvm jvm : jvms) {
                    jvm.request("pause", "paused", START);
                }
            }

            CpuUse cpu = preload ? null : new CpuUse(jvms);
            long produceStart = System.nanoTime();
            long start = produceStart;
            long[] lastAck = {start};
            produceActivations(data, CORPUS, settings, producer, lastAck);
            long produced = System.nanoTime();
            if (preload) {
                cpu = new CpuUse(jvms);
                start = System.nanoTime();
                for (StreamsJvm jvm : jvms) {
                    jvm.request("resume", "resumed", START);
                }
            }
            Metrics last = awaitFinal(metrics, jvms, checkpoint(CORPUS));
            long done = System.nanoTime();
            String cpuUse = cpu.summary();
            long rocksDbAtFinal = stateDirs.stream().mapToLong(StreamsRun::du).sum();
            Map<String, Long> changelog;
            try (Admin admin = kafka.admin()) {
                changelog = minus(changelogBytes(admin, applicationId), warmChangelog);
            }
            List<StreamsJvm.Heap> heaps = new ArrayList<>();
            for (StreamsJvm jvm : jvms) {
                heaps.add(jvm.stop());
            }
            return new Result(instances, preload, warm != null, (produced - produceStart) / 1e9, (done - start) / 1e9,
                    preload ? Double.NaN : (done - Math.max(lastAck[0], start)) / 1e9,
                    rocksDbAtFinal, perCheckpoint(bytesByStore(stateDirs), warm == null ? 1 : 2), changelog, heaps, heap.peak(), cpuUse, last);
        } catch (Exception | Error e) {
            jvms.forEach(StreamsJvm::printLogTail);
            throw e;
        } finally {
            jvms.forEach(StreamsJvm::close);
            delete(dir);
        }
    }

    /**
     * Every activation record of the data, meaning by meaning as the planner batches them for the worker (sample i =
     * language i / S, meaning i % S), until the broker acknowledged them all; {@code lastAck[0]}: when it acknowledged
     * the last.
     */
    private static void produceActivations(BenchData data, String corpus, StreamsSettings settings,
                                           KafkaProducer<String, SpecificRecord> producer, long[] lastAck) throws IOException {
        try (Npy npy = Npy.open(data.file())) {
            int width = data.layers() * data.neurons();
            for (int next = 0; next < data.samples(); next++) {
                int i = next % data.languages() * data.meanings() + next / data.languages();
                float[] row = npy.readFloats((long) i * width, width);
                for (ActivationRecord a : records(data, corpus, i, row)) {
                    producer.send(new ProducerRecord<>(settings.topic(Topic.ACTIVATIONS), Keys.activation(checkpoint(corpus), a.getLayer()), a),
                            (meta, e) -> {
                                if (e == null) {
                                    lastAck[0] = Math.max(lastAck[0], System.nanoTime());
                                }
                            });
                }
            }
        }
        producer.flush();
    }

    /** The checkpoint of a corpus' records: step 1 of the model named after it. */
    private static String checkpoint(String corpus) {
        return corpus + "@1";
    }

    /** The records of sample i: one per layer, values as float32 bytes, norms as the inference worker computes them. */
    static List<ActivationRecord> records(BenchData data, String corpus, int i, float[] row) {
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
        int[] counts = new int[d];
        for (int m = 0; m < data.layers(); m++) {
            // bulk puts: this JVM also runs the broker beside the instances, so the producer's own work is kept small
            ByteBuffer v = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer c = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
            v.asFloatBuffer().put(row, m * d, d);
            for (int k = 0; k < d; k++) {
                counts[k] = BenchData.positiveCount(row[m * d + k]);
            }
            c.asIntBuffer().put(counts);
            String lang = data.langOf(i);
            String meaning = data.meaningOf(i);
            out.add(ActivationRecord.newBuilder().setCheckpointId(checkpoint(corpus)).setCorpus(corpus).setSampleId(lang + "|" + meaning)
                    .setIndex(i).setLang(lang).setMeaningId(meaning).setLayer(m).setLayers(data.layers()).setNeuronsPerLayer(d)
                    .setValues(v).setPositiveCounts(c).setTokenCount(BenchData.TOKENS).setLayerNorm(layerNorms[m])
                    .setWholeModelNorm(modelNorm).build());
        }
        return out;
    }

    private static void produceCorpusAndCheckpoint(BenchData data, String corpus, StreamsSettings settings,
                                                   KafkaProducer<String, SpecificRecord> producer) {
        for (int i = 0; i < data.samples(); i++) {
            String lang = data.langOf(i);
            String meaning = data.meaningOf(i);
            Sentence sentence = Sentence.newBuilder().setCorpus(corpus).setLang(lang).setMeaningId(meaning)
                    .setText("x".repeat(1 + i % 40)).setIndex(i).setCorpusSize(data.samples()).build();
            producer.send(new ProducerRecord<>(settings.topic(Topic.SENTENCES), Keys.sentence(corpus, lang, meaning), sentence));
        }
        producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), checkpoint(corpus), CheckpointEvent.newBuilder()
                .setCheckpointId(checkpoint(corpus)).setModel(corpus).setStep(1L).setPath("/" + corpus).setContentHash("h").setCorpus(corpus)
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

    /** The final metrics of {@code checkpointId}. */
    private static Metrics awaitFinal(KafkaConsumer<String, Metrics> consumer, List<StreamsJvm> jvms, String checkpointId) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            jvms.forEach(StreamsJvm::checkAlive);
            for (var r : consumer.poll(Duration.ofMillis(20))) {
                if (r.value().getComplete() && r.value().getCheckpointId().equals(checkpointId)) {
                    return r.value();
                }
            }
        }
        throw new IllegalStateException("no final metrics for " + checkpointId + " within " + TIMEOUT);
    }

    /** Bytes of the application's changelog topics ({@code <application id>-<store>-changelog}) by store. */
    private static Map<String, Long> changelogBytes(Admin admin, String applicationId) throws Exception {
        Map<String, Long> bytes = new TreeMap<>();
        for (var node : admin.describeCluster().nodes().get()) {
            for (var dir : admin.describeLogDirs(List.of(node.id())).allDescriptions().get().get(node.id()).values()) {
                for (var replica : dir.replicaInfos().entrySet()) {
                    String topic = replica.getKey().topic();
                    if (topic.startsWith(applicationId + "-") && topic.endsWith("-changelog")) {
                        bytes.merge(topic.substring(applicationId.length() + 1, topic.length() - "-changelog".length()),
                                replica.getValue().size(), Long::sum);
                    }
                }
            }
        }
        return bytes;
    }

    /** {@code bytes} less {@code before}, key by key. */
    private static Map<String, Long> minus(Map<String, Long> bytes, Map<String, Long> before) {
        Map<String, Long> out = new TreeMap<>(bytes);
        before.forEach((key, b) -> out.merge(key, -b, Long::sum));
        return out;
    }

    private static Map<String, Long> perCheckpoint(Map<String, Long> bytes, int checkpoints) {
        Map<String, Long> out = new TreeMap<>();
        bytes.forEach((store, b) -> out.put(store, b / checkpoints));
        return out;
    }

    /**
     * Bytes of the regular files under the state dirs by store: Kafka Streams keeps a RocksDB store in
     * {@code <state dir>/<application id>/<task>/rocksdb/<store>/}; everything else (checkpoint and lock files) is "other".
     */
    private static Map<String, Long> bytesByStore(List<Path> stateDirs) throws IOException {
        Map<String, Long> bytes = new TreeMap<>();
        for (Path state : stateDirs) {
            try (Stream<Path> files = Files.walk(state)) {
                files.filter(Files::isRegularFile).forEach(f -> {
                    Path relative = state.relativize(f);
                    String store = "other";
                    for (int i = 0; i + 2 < relative.getNameCount(); i++) {
                        if (relative.getName(i).toString().equals("rocksdb")) {
                            store = relative.getName(i + 1).toString();
                        }
                    }
                    try {
                        bytes.merge(store, Files.size(f), Long::sum);
                    } catch (IOException e) {
                        // a file RocksDB deleted meanwhile
                    }
                });
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
