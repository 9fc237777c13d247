package io.linguaflow.streams.cli;

import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.admin.TopicRetention;
import io.linguaflow.schemas.client.KafkaClientOptions;
import io.linguaflow.schemas.client.KafkaClientProperties;
import io.linguaflow.schemas.failure.Backoff;
import io.linguaflow.schemas.serde.SerdeConfig;
import io.linguaflow.streams.app.BoundedRocksDbMemory;
import io.linguaflow.streams.app.StreamsConfigs;
import io.linguaflow.streams.app.StreamsInstance;
import io.linguaflow.streams.config.InstrumentSettings;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.config.VectorRetention;
import io.linguaflow.streams.query.InternalSecret;
import io.linguaflow.streams.query.QueryService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code linguaflow streams}: one instance of the streams application (planner, aggregators, metrics) with its
 * interactive-query service; runs until interrupted. Start several with the same {@code --application-id} to share
 * the work.
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = {"Runs one instance of the linguaflow Kafka Streams application (planner, aggregators, metrics) and",
            "its interactive-query REST service (GET /openapi.json) until interrupted."})
public final class StreamsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"--bootstrap", "--bootstrap-servers"}, required = true, paramLabel = "HOST:PORT,...", description = "Kafka brokers")
    String bootstrapServers;

    @Option(names = "--registry", required = true, paramLabel = "URL", description = "schema registry (Confluent API) base URL")
    String registry;

    @Option(names = "--application-id", defaultValue = "linguaflow-streams",
            description = "instances with the same id share the work (default ${DEFAULT-VALUE})")
    String applicationId;

    @Option(names = "--state-dir", required = true, paramLabel = "DIR", description = "RocksDB state directory of this instance")
    Path stateDir;

    @Option(names = "--http-host", defaultValue = "127.0.0.1",
            description = {"interface the query service and dashboard listen on (default ${DEFAULT-VALUE}: this machine only;",
                "0.0.0.0: every interface, then give --advertised-host)"})
    String httpHost;

    @Option(names = "--advertised-host", paramLabel = "HOST",
            description = {"host name other instances reach this one by (application.server; default: --http-host,",
                "required when that is 0.0.0.0 or ::)"})
    String advertisedHost;

    @Option(names = "--internal-secret", paramLabel = "SECRET", defaultValue = "${env:LINGUAFLOW_INTERNAL_SECRET}",
            description = {"shared secret of the /internal calls between instances, the same on all of them, at least "
                + InternalSecret.MIN_LENGTH + " characters",
                "(default: the environment variable LINGUAFLOW_INTERNAL_SECRET, which ps does not show; none: a random one,",
                "for a single instance)"})
    String internalSecret;

    @Option(names = "--max-similarity-samples", defaultValue = "" + QueryService.DEFAULT_MAX_SIMILARITY_SAMPLES,
            description = "most samples N of a similarity map served; larger maps answer 413 (12·N² bytes each; default ${DEFAULT-VALUE})")
    int maxSimilaritySamples;

    @Option(names = "--http-port", defaultValue = "7070", description = "port of the query service (default ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--topic-prefix", defaultValue = "", description = "prefix of every topic name (default: none)")
    String topicPrefix;

    @Option(names = "--partitions", defaultValue = "" + StreamsSettings.DEFAULT_TOPIC_PARTITIONS, description = "partitions of topics this instance creates (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--replication", defaultValue = "1", description = "replication factor of topics it creates (default ${DEFAULT-VALUE})")
    short replication;

    @Option(names = "--interim-interval", defaultValue = "PT5S",
            description = "least time between two interim results of one checkpoint, ISO-8601 (default ${DEFAULT-VALUE})")
    Duration interimInterval;

    @Option(names = "--batch-size", defaultValue = "16", description = "samples per inference request (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--no-similarity-map",
            description = {"do not keep every sample's pooled vector (store aggregator-vectors: samples x layers x neurons x 4 bytes",
                "per checkpoint, e.g. 1.8 GB for BLOOM-7b1 x 900 samples); the similarity-map endpoints then answer 404.",
                "All instances of one application must agree."})
    boolean noSimilarityMap;

    @Option(names = "--similarity-cache-mb", defaultValue = "256",
            description = "memory for computed similarity-map blocks and maps, each computed once (default ${DEFAULT-VALUE}; 0: none)")
    long similarityCacheMb;

    @Option(names = "--rocksdb-memory-mb", defaultValue = "" + (BoundedRocksDbMemory.DEFAULT_MEMORY_BYTES >> 20),
            description = "RocksDB block cache shared by every store of this instance, memtables included (default ${DEFAULT-VALUE})")
    long rocksDbMemoryMb;

    @Option(names = "--rocksdb-memtable-mb", defaultValue = "" + (BoundedRocksDbMemory.DEFAULT_MEMTABLE_BYTES >> 20),
            description = "of that, the most the memtables may take (default ${DEFAULT-VALUE})")
    long rocksDbMemtableMb;

    @Option(names = "--stream-threads", paramLabel = "N",
            description = {"stream threads of this instance (Kafka Streams' num.stream.threads; default: one per core): the",
                "partitions' tasks are shared among them, so one instance uses up to N cores (measured in ops/bench/README.md)"})
    Integer streamThreads;

    @Option(names = "--similarity-vectors-retention", defaultValue = "keep", converter = RetentionConverter.class,
            description = {"how long a complete layer's similarity vectors are kept: keep (default; the map stays available),",
                "drop (deleted with the layer's final partial: no map), or an ISO-8601 duration after completion, e.g. P7D"})
    VectorRetention vectorRetention;

    @Option(names = "--no-instruments",
            description = {"do not compute language probes and expert neurons from the activation records' optional maxima and",
                "sampled tokens (they cost nothing while the workers capture neither). All instances of one application must agree."})
    boolean noInstruments;

    @Option(names = "--expert-top-k", defaultValue = "" + InstrumentSettings.DEFAULT_EXPERT_TOP_K,
            description = "expert neurons kept per (concept, language), as linguaflow experts --top-k (default ${DEFAULT-VALUE})")
    int expertTopK;

    @Option(names = "--group-cache-bytes",
            description = "decoded group sums the aggregator tasks of this instance keep together beyond those the next commit "
                    + "writes: clean ones, and the incomplete layers' groups, which are not logged while the similarity vectors hold "
                    + "them; beyond it they are written out (default: a third of the maximum heap, 270 MB for a BLOOM-7b1 checkpoint)")
    Long groupCacheBytes;

    InternalSecret internalSecret() {
        if (internalSecret == null || internalSecret.isEmpty()) {
            return InternalSecret.random();
        }
        try {
            return InternalSecret.of(internalSecret);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--internal-secret (or LINGUAFLOW_INTERNAL_SECRET): " + e.getMessage());
        }
    }

    /** The address in {@code application.server}: a wildcard bind address is no address another instance can call. */
    String advertisedHost() {
        if (advertisedHost != null) {
            return advertisedHost;
        }
        if (httpHost.equals("0.0.0.0") || httpHost.equals("::") || httpHost.equals("[::]")) {
            throw new ParameterException(spec.commandLine(), "--http-host " + httpHost
                    + " listens on every interface: give --advertised-host, the name other instances reach this one by");
        }
        return httpHost;
    }

    @Option(names = "--retention", paramLabel = "CLASS=DURATION",
            description = {"retention of the topics this instance creates, per class: requests, activations, results, dead-letters",
                "= ISO-8601 duration or forever (default requests=P7D activations=P7D results=forever dead-letters=P30D; repeatable)"})
    Map<String, String> retention = new LinkedHashMap<>();

    @Mixin
    KafkaClientOptions kafkaClient;

    @Option(names = "--retry", paramLabel = "INITIAL,MAX,ATTEMPTS", defaultValue = "PT1S,PT30S,20",
            converter = BackoffConverter.class,
            description = {"back-off of stream threads that died of a transient failure (registry or broker down): first wait,",
                "longest wait, failed attempts in a row before the instance exits 1 (default ${DEFAULT-VALUE})"})
    Backoff retry;

    static final class BackoffConverter implements picocli.CommandLine.ITypeConverter<Backoff> {
        @Override
        public Backoff convert(String value) {
            return Backoff.parse(value);
        }
    }

    @picocli.CommandLine.Mixin
    EvaluationOptions evaluations;

    static final class RetentionConverter implements picocli.CommandLine.ITypeConverter<VectorRetention> {
        @Override
        public VectorRetention convert(String value) {
            return VectorRetention.parse(value);
        }
    }

    @Override
    public Integer call() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        StreamsInstance started;
        try {
            started = start();
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        try (StreamsInstance instance = started) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "linguaflow-streams-shutdown"));
            System.out.printf("linguaflow streams '%s' running; queries on http://%s:%d/openapi.json (listening on %s)%n", applicationId,
                    advertisedHost(), httpPort, httpHost);
            instance.fatal().thenRun(stopped::countDown);
            stopped.await();
            if (instance.fatal().isDone()) { // dead threads: exit so that a supervisor restarts the instance
                System.err.println("error: " + instance.fatal().get());
                return 1;
            }
        }
        return 0;
    }

    /** The Kafka Streams properties over StreamsConfigs' defaults: the client's, RocksDB's bounds, the stream threads. */
    Map<String, Object> streamsConfig(Map<String, String> client) {
        Map<String, Object> config = KafkaClientProperties.applyTo(
                new HashMap<>(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)), client);
        config.put(BoundedRocksDbMemory.MEMORY_BYTES_CONFIG, rocksDbMemoryMb << 20);
        config.put(BoundedRocksDbMemory.MEMTABLE_BYTES_CONFIG, rocksDbMemtableMb << 20);
        if (streamThreads != null) {
            if (streamThreads < 1) {
                throw new IllegalArgumentException("--stream-threads must be >= 1, got " + streamThreads);
            }
            config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        } else { // num.stream.threads from --kafka-config, else one per core
            config.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, StreamsConfigs.defaultStreamThreads());
        }
        return config;
    }

    /** Creates the missing topics and starts the instance as the options say; IllegalArgumentException for bad options. */
    StreamsInstance start() throws ExecutionException, InterruptedException {
        Map<String, String> client = kafkaClient.properties();
        TopicRetention topicRetention = TopicRetention.parse(retention);
        Map<String, Object> serde = KafkaClientProperties.registryConfig(client);
        serde.put(SerdeConfig.SCHEMA_REGISTRY_URL, registry);
        Map<String, Object> streamsConfig = streamsConfig(client);
        StreamsSettings settings = StreamsSettings.defaults(new Topics(topicPrefix), serde).withInterimInterval(interimInterval)
                .withBatchSize(batchSize).withSimilarityVectors(!noSimilarityMap).withVectorRetention(vectorRetention)
                .withEvaluations(evaluations.settings()).withInstruments(new InstrumentSettings(!noInstruments, expertTopK));
        if (groupCacheBytes != null) { // else the settings' default, a third of the heap
            settings = settings.withGroupCacheBytes(groupCacheBytes);
        }
        InternalSecret secret = internalSecret();
        if (!secret.configured()) {
            System.err.println("linguaflow streams: no --internal-secret (LINGUAFLOW_INTERNAL_SECRET): other instances of '" + applicationId
                    + "' cannot make internal calls to this one (similarity maps need them); give all instances the same secret");
        }
        QueryService.Options queries = new QueryService.Options(httpHost, secret, maxSimilaritySamples, similarityCacheMb << 20);
        StreamsInstance.Options options = new StreamsInstance.Options(applicationId, bootstrapServers, stateDir,
                new HostInfo(advertisedHost(), httpPort), partitions, replication, queries, streamsConfig, topicRetention);
        return StreamsInstance.start(settings, options, retry);
    }

    /** A main class of its own, so tests and scripts can start an instance without the launcher. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new StreamsCommand()).execute(args));
    }
}
