package io.linguaflow.bench.soak;

import io.linguaflow.bench.streams.BenchOptions;
import io.linguaflow.bench.streams.StreamsRun;
import io.linguaflow.launcher.pipeline.Pipeline;
import io.linguaflow.producers.corpus.CorpusOptions;
import io.linguaflow.producers.corpus.CorpusResult;
import io.linguaflow.producers.corpus.TsvCorpusReader;
import io.linguaflow.schemas.KafkaEnvironment;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.admin.TopicAdmin;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.training.ToyTraining;
import io.linguaflow.training.TrainingEvent;
import io.linguaflow.training.TrainingOptions;
import io.linguaflow.worker.kafka.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Soak: trains the toy BLOOM ({@link ToyTraining}, as {@code linguaflow demo}) to write checkpoints at {@code --steps},
 * then lands them one after another through two streams instances (one application id, separate state dirs) and two
 * inference workers (one consumer group): two {@link Pipeline}s on one topic prefix in this JVM, or with
 * {@code --processes} two {@code linguaflow streams} and two {@code linguaflow worker} processes
 * ({@link ProcessDeployment}); on the in-JVM KRaft broker with the real schema registry, or with {@code --bootstrap}
 * and {@code --registry} on an external broker and registry (e.g. {@code ops/local.sh start}). Every {@code --interval} seconds it prints throughput, consumer lag of
 * both groups, heap used and RocksDB bytes; at the end it counts the (checkpoint, sample, layer) triples of the
 * committed activations against the plans (samples expected x layers) and checks each checkpoint's complete metrics.
 * Exit status 1 when a sample is lost or duplicated or a checkpoint is incomplete, 2 on a bad option.
 */
public final class SoakBench {

    static final String USAGE = "SoakBench [--steps 0,20,40,60,80] [--interval 5] [--bootstrap B --registry URL] [--processes]";
    private static final String CORPUS = "everyday9";

    private List<Integer> steps = List.of(0, 20, 40, 60, 80);
    private int interval = 5;
    private String bootstrap;
    private String registryUrl;
    private boolean processes;

    private SoakBench() {
    }

    public static void main(String[] args) {
        SoakBench bench = new SoakBench();
        if (!BenchOptions.parse("SoakBench", USAGE, args, Map.of("--processes", () -> bench.processes = true),
                Map.of("--steps", v -> bench.steps = Arrays.stream(v.split(",")).map(s -> Integer.parseInt(s.trim())).toList(),
                        "--interval", v -> bench.interval = Integer.parseInt(v), "--bootstrap", v -> bench.bootstrap = v,
                        "--registry", v -> bench.registryUrl = v),
                () -> {
                    if (bench.steps.size() < 2 || bench.interval < 1) {
                        throw new IllegalArgumentException("--steps needs 2+ ascending steps, --interval >= 1");
                    }
                    if ((bench.bootstrap == null) != (bench.registryUrl == null)) {
                        throw new IllegalArgumentException("--bootstrap and --registry go together");
                    }
                })) {
            return;
        }
        try {
            System.exit(bench.run() ? 0 : 1);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private boolean run() throws Exception {
        Path dir = Files.createTempDirectory("linguaflow-soak-");
        try {
            return run(dir);
        } finally {
            StreamsRun.delete(dir);
        }
    }

    /** Trains into {@code dir} (model, corpus, then the two state dirs), lands, measures, judges. */
    private boolean run(Path dir) throws Exception {
        List<Path> checkpoints = new ArrayList<>();
        long trainStart = System.nanoTime();
        ToyTraining.run(TrainingOptions.defaults(dir.resolve("toy-bloom")).withSteps(steps), e -> {
            if (e instanceof TrainingEvent.CheckpointWritten c) {
                checkpoints.add(c.dir());
            }
        });
        CorpusResult corpus = new TsvCorpusReader(dir.resolve("toy-bloom").resolve("corpus.tsv"))
                .read(CorpusOptions.defaults().withCorpus(CORPUS));
        System.out.printf("soak %s, %d cores, max heap %d MiB: toy BLOOM trained in %.0f s, %d checkpoints, corpus %d sentences%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                (System.nanoTime() - trainStart) / 1e9, checkpoints.size(), corpus.sentences().size());

        String prefix = "soak-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Topics topics = new Topics(prefix);
        List<Path> stateDirs = List.of(dir.resolve("state-1"), dir.resolve("state-2"));
        TestKafka embeddedKafka = bootstrap == null ? TestKafka.start() : null;
        TestRegistry embeddedRegistry = bootstrap == null ? TestRegistry.start() : null;
        KafkaEnvironment kafka = new KafkaEnvironment(embeddedKafka == null ? bootstrap : embeddedKafka.bootstrapServers(),
                embeddedRegistry == null ? registryUrl : embeddedRegistry.url(), topics);
        System.out.printf("broker %s (%s), registry %s; workers and streams %s%n", kafka.bootstrapServers(),
                embeddedKafka == null ? "external" : "in this JVM", kafka.schemaRegistryUrl(),
                processes ? "as 2 + 2 processes" : "as threads of this JVM");
        List<Pipeline> pipelines = new ArrayList<>();
        ProcessDeployment deployment = null;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            LongSupplier memory;
            if (processes) {
                TopicAdmin.ensureTopics(admin, topics, 2, (short) 1);
                ProcessDeployment d = new ProcessDeployment(kafka, dir, checkpoints.get(0).getParent(), stateDirs.size(), "768m");
                deployment = d;
                d.publishCorpus(corpus);
                memory = d::residentMiB;
            } else {
                for (Path state : stateDirs) {
                    pipelines.add(Pipeline.start(new Pipeline.Config(kafka.bootstrapServers(), kafka.schemaRegistryUrl(), prefix, state,
                            TestRegistry.freePort(), 2, Duration.ofMinutes(10))));
                }
                pipelines.get(0).publishCorpus(corpus);
                Runtime rt = Runtime.getRuntime();
                memory = () -> (rt.totalMemory() - rt.freeMemory()) >> 20;
            }
            Monitor monitor = new Monitor(admin, topics, List.of(WorkerSettings.defaultGroup(topics), prefix + "streams"), stateDirs, memory,
                    processes ? "RSS MiB" : "heap MiB");
            System.out.println(monitor.header());
            ticker.scheduleAtFixedRate(monitor::line, interval, interval, TimeUnit.SECONDS);
            long start = System.nanoTime();
            List<CheckpointEvent> landed = new ArrayList<>();
            for (Path checkpoint : checkpoints) {
                CheckpointEvent event;
                String stage = "COMPLETE";
                if (deployment != null) {
                    event = deployment.land(checkpoint, CORPUS, Duration.ofMinutes(10));
                } else {
                    Pipeline.Landed l = pipelines.get(0).land(checkpoint, CORPUS, 2.0);
                    event = l.event();
                    stage = l.stage().name();
                }
                landed.add(event);
                System.out.printf("landed %s: %s after %.0f s%n", event.getCheckpointId(), stage, (System.nanoTime() - start) / 1e9);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            ticker.shutdownNow();
            monitor.line();
            return verdict(kafka, corpus, landed, seconds);
        } finally {
            ticker.shutdownNow();
            if (deployment != null) {
                deployment.close();
            }
            for (int i = pipelines.size() - 1; i >= 0; i--) {
                pipelines.get(i).close();
            }
            if (embeddedRegistry != null) {
                embeddedRegistry.close();
            }
            if (embeddedKafka != null) {
                embeddedKafka.close();
            }
        }
    }

    /** Counts the triples of the committed activations and the final metrics; prints the summary; true when all hold. */
    private static boolean verdict(KafkaEnvironment kafka, CorpusResult corpus, List<CheckpointEvent> landed, double seconds) {
        Topics topics = kafka.topics();
        long records = 0;
        Set<String> distinct = new HashSet<>();
        for (ActivationRecord a : readAll(kafka, topics.name(Topic.ACTIVATIONS), ActivationRecord.class)) {
            records++;
            distinct.add(a.getCheckpointId() + "|" + a.getSampleId() + "|" + a.getLayer());
        }
        Map<String, Metrics> complete = new HashMap<>();
        for (Metrics m : readAll(kafka, topics.name(Topic.METRICS), Metrics.class)) {
            if (m.getComplete()) {
                complete.put(m.getCheckpointId().toString(), m);
            }
        }
        long expected = 0;
        List<String> incomplete = new ArrayList<>();
        for (CheckpointEvent e : landed) {
            // the plan's samplesExpected is the corpus's sample count; one record per sample and layer
            expected += (long) corpus.sentences().size() * e.getLayers();
            if (!complete.containsKey(e.getCheckpointId().toString())) {
                incomplete.add(e.getCheckpointId().toString());
            }
        }
        long lost = expected - distinct.size();
        long duplicated = records - distinct.size();
        System.out.printf("| checkpoints | seconds | records | records/s | expected triples | distinct | lost | duplicated | complete metrics |%n");
        System.out.printf("|---|---|---|---|---|---|---|---|---|%n");
        System.out.printf("| %d | %.0f | %d | %.1f | %d | %d | %d | %d | %d/%d |%n", landed.size(), seconds, records, records / seconds,
                expected, distinct.size(), lost, duplicated, landed.size() - incomplete.size(), landed.size());
        incomplete.forEach(id -> System.err.println("soak: no complete metrics for " + id));
        return lost == 0 && duplicated == 0 && incomplete.isEmpty();
    }

    /** Every committed record of {@code topic} (read_committed, from the beginning to the end offsets). */
    private static <T extends SpecificRecord> List<T> readAll(KafkaEnvironment kafka, String topic, Class<T> type) {
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);
        AvroDeserializer<T> values = new AvroDeserializer<>(type);
        values.configure(config, false);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }

    /** One line every interval: activations records/s, lag of each group, memory (heap or RSS), RocksDB bytes. */
    private static final class Monitor {

        /** Seconds an admin call of a line may take (a group in a rebalance answers late); the line is skipped then. */
        private static final int ADMIN_WAIT = 4;
        private final Admin admin;
        private final Topics topics;
        private final List<String> groups;
        private final List<Path> stateDirs;
        private final LongSupplier memoryMiB;
        private final String memoryColumn;
        private final long start = System.nanoTime();
        private long lastTime = start;
        private long lastActivations;

        Monitor(Admin admin, Topics topics, List<String> groups, List<Path> stateDirs, LongSupplier memoryMiB, String memoryColumn) {
            this.admin = admin;
            this.topics = topics;
            this.groups = groups;
            this.stateDirs = stateDirs;
            this.memoryMiB = memoryMiB;
            this.memoryColumn = memoryColumn;
        }

        String header() {
            return String.format("%-8s | %10s | %11s | %11s | %9s | %9s", "time s", "records/s", "worker lag", "streams lag",
                    memoryColumn, "RocksDB MiB");
        }

        synchronized void line() {
            try {
                long now = System.nanoTime();
                long activations = endOffsets(List.of(topics.name(Topic.ACTIVATIONS))).values().stream().mapToLong(Long::longValue).sum();
                double rate = (activations - lastActivations) / ((now - lastTime) / 1e9);
                lastActivations = activations;
                lastTime = now;
                long rocksDb = stateDirs.stream().filter(Files::isDirectory).mapToLong(StreamsRun::du).sum();
                System.out.printf("%-8.0f | %10.1f | %11d | %11d | %9d | %9.1f%n", (now - start) / 1e9, rate, lag(groups.get(0)),
                        lag(groups.get(1)), memoryMiB.getAsLong(), rocksDb / (double) (1 << 20));
                System.out.flush();
            } catch (Exception e) {
                System.err.println("soak: monitor line failed: " + e);
            }
        }

        /** Sum over the group's committed partitions of end offset - committed offset (markers of transactions included). */
        private long lag(String group) throws Exception {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(ADMIN_WAIT, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest).all().get(ADMIN_WAIT, TimeUnit.SECONDS).forEach((tp, info) -> end.put(tp, info.offset()));
            long lag = 0;
            for (var e : committed.entrySet()) {
                if (e.getValue() != null) {
                    lag += Math.max(0, end.get(e.getKey()) - e.getValue().offset());
                }
            }
            return lag;
        }

        private Map<TopicPartition, Long> endOffsets(List<String> names) throws Exception {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var d : admin.describeTopics(names).allTopicNames().get(ADMIN_WAIT, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest).all().get(ADMIN_WAIT, TimeUnit.SECONDS).forEach((tp, info) -> end.put(tp, info.offset()));
            return end;
        }
    }
}
