package io.linguaflow.streams.cli;

import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.serde.SerdeConfig;
import io.linguaflow.streams.app.BoundedRocksDbMemory;
import io.linguaflow.streams.app.StreamsInstance;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.config.VectorRetention;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.state.HostInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code linguaflow streams}: one instance of the streams application (planner, aggregators, metrics) with its
 * interactive-query service; runs until interrupted. Start several with the same {@code --application-id} to share
 * the work.
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = {"Runs one instance of the linguaflow Kafka Streams application (planner, aggregators, metrics) and",
            "its interactive-query REST service (GET /openapi.json) until interrupted."})
public final class StreamsCommand implements Callable<Integer> {

    @Option(names = {"--bootstrap", "--bootstrap-servers"}, required = true, paramLabel = "HOST:PORT,...", description = "Kafka brokers")
    String bootstrapServers;

    @Option(names = "--registry", required = true, paramLabel = "URL", description = "schema registry (Confluent API) base URL")
    String registry;

    @Option(names = "--application-id", defaultValue = "linguaflow-streams",
            description = "instances with the same id share the work (default ${DEFAULT-VALUE})")
    String applicationId;

    @Option(names = "--state-dir", required = true, paramLabel = "DIR", description = "RocksDB state directory of this instance")
    Path stateDir;

    @Option(names = "--http-host", defaultValue = "localhost",
            description = "host name other instances reach this one by (application.server; default ${DEFAULT-VALUE})")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "7070", description = "port of the query service (default ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--topic-prefix", defaultValue = "", description = "prefix of every topic name (default: none)")
    String topicPrefix;

    @Option(names = "--partitions", defaultValue = "6", description = "partitions of topics this instance creates (default ${DEFAULT-VALUE})")
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

    @Option(names = "--similarity-vectors-retention", defaultValue = "keep", converter = RetentionConverter.class,
            description = {"how long a complete layer's similarity vectors are kept: keep (default; the map stays available),",
                "drop (deleted with the layer's final partial: no map), or an ISO-8601 duration after completion, e.g. P7D"})
    VectorRetention vectorRetention;

    @Option(names = "--group-cache-bytes", defaultValue = "" + StreamsSettings.DEFAULT_GROUP_CACHE_BYTES,
            description = "decoded group sums each aggregator task keeps between commits beyond the changed ones (default ${DEFAULT-VALUE})")
    long groupCacheBytes;

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
        Map<String, Object> serde = Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, registry);
        StreamsSettings settings = StreamsSettings.defaults(new Topics(topicPrefix), serde).withInterimInterval(interimInterval)
                .withBatchSize(batchSize).withSimilarityVectors(!noSimilarityMap).withVectorRetention(vectorRetention)
                .withGroupCacheBytes(groupCacheBytes).withEvaluations(evaluations.settings());
        StreamsInstance.Options options = new StreamsInstance.Options(applicationId, bootstrapServers, stateDir,
                new HostInfo(httpHost, httpPort), partitions, replication, similarityCacheMb << 20,
                Map.of(BoundedRocksDbMemory.MEMORY_BYTES_CONFIG, rocksDbMemoryMb << 20, BoundedRocksDbMemory.MEMTABLE_BYTES_CONFIG,
                        rocksDbMemtableMb << 20));
        CountDownLatch stopped = new CountDownLatch(1);
        try (StreamsInstance instance = StreamsInstance.start(settings, options)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "linguaflow-streams-shutdown"));
            System.out.printf("linguaflow streams '%s' running; queries on http://%s:%d/openapi.json%n", applicationId, httpHost, httpPort);
            stopped.await();
        }
        return 0;
    }
}
