package io.linguaflow.streams.app;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration of the linguaflow application. */
public final class StreamsConfigs {

    /** Activation records of large models are ~130 KB; a complete layer partial carries L·D counts. */
    static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;
    /**
     * Without the similarity vectors every commit writes the language groups of each active layer (about 8 MB
     * per layer at BLOOM-7b1 shape), so the interval bounds the changelog rate; measured in ops/bench/README.md
     * ("state layout"). With them (the default) the groups are not logged (docs/state-layout.md).
     */
    static final int COMMIT_INTERVAL_MS = 5000;
    /** Bytes fetched ahead per partition (the consumer's default, 1 MiB; measured in ops/bench/README.md). */
    static final int FETCH_BYTES_PER_PARTITION = 1024 * 1024;
    /** Input records buffered per partition; measured in ops/bench/README.md (streams heap at BLOOM-7b1 shape). */
    static final int BUFFERED_RECORDS_PER_PARTITION = 32;
    /** The producer's batch (Kafka's default is 16 KiB): at least a few similarity vectors, see {@link #of}. */
    static final int BATCH_BYTES = 1024 * 1024;
    /** The producer's zstd level (1 to 22; Kafka's default is 3): see {@link #of}. */
    static final int ZSTD_LEVEL = 1;
    /** Well above the commit interval plus the time a commit takes to write its groups (Kafka Streams' default is 10 s). */
    static final int TRANSACTION_TIMEOUT_MS = 30_000;

    private StreamsConfigs() {
    }

    /**
     * Stream threads of an instance that neither {@code --stream-threads} nor {@code num.stream.threads} sets: one per
     * core (Kafka Streams' own default is 1). At BLOOM-7b1 shape on 2 cores two threads took an instance from 67–75 to
     * 64–91 MB/s and its last-record-to-final-metrics latency from 11–12 s to 1.6–6.3 s (ops/bench/README.md); each
     * thread has its own consumer, producer and transactions, so more threads need more heap for their buffers.
     */
    public static int defaultStreamThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * @param applicationServer {@code host:port} of this instance's interactive-query service, or null for none
     * @param serdeConfig       the Avro serde's config ({@code schema.registry.url}), passed through
     * @param topicPrefix       the deployment's topic prefix (for the dead letters of unreadable records)
     */
    public static Properties of(String applicationId, String bootstrapServers, Path stateDir, String applicationServer,
                                Map<String, ?> serdeConfig, String topicPrefix) {
        Properties p = new Properties();
        p.putAll(serdeConfig);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterOnDeserializationError.class);
        p.put(DeadLetterOnDeserializationError.TOPIC_PREFIX_CONFIG, topicPrefix);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // transactions: input offsets, store changelogs and outputs commit atomically (docs/design.md §4)
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // a commit writes each changed group not held (docs/state-layout.md); a complete layer and a final result request
        // their own commit, so a longer interval does not delay results
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        // record caches of the stores not written per activation record (metrics, planner, progress; docs/state-layout.md "Heap")
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 32L * 1024 * 1024);
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        // records fetched ahead per input partition (default 1000): an activation record is 8·D bytes on the wire and
        // more decoded, so at BLOOM-7b1 shape 1000 × 30 partitions would be GBs of heap; 32 keep the thread busy
        p.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, BUFFERED_RECORDS_PER_PARTITION);
        if (applicationServer != null) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
        }
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), MAX_RECORD_BYTES);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), TRANSACTION_TIMEOUT_MS);
        // changelogs (mostly float32 vectors) and outputs. zstd's level 1 (default 3) packs the vectors' byte planes to
        // 0.95x their float32 bytes instead of 0.92x for about a tenth less run time; lz4 was faster still but left
        // 0.99x (ops/bench/README.md, "zstd level 1")
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "zstd");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_ZSTD_LEVEL_CONFIG), ZSTD_LEVEL);
        // a similarity vector (4·D bytes, 64 KiB at D = 16384) is larger than the default 16 KiB batch, so each was sent as
        // a batch and a produce request of its own: per request the broker's transactional append cost more CPU than the
        // bytes (ops/bench/README.md); 1 MiB batches carry about 16 vectors, sent when full or after linger.ms (100 ms)
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), BATCH_BYTES);
        // the fetch buffer holds up to this per assigned partition while the partition waits (paused) for its records to
        // be processed: 16 MiB × 30 layer partitions filled a 1 GiB heap at BLOOM-7b1 shape. A record larger than this is
        // still fetched whole (as the first of its fetch), so MAX_RECORD_BYTES holds on the consumer side too
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), FETCH_BYTES_PER_PARTITION);
        p.put(StreamsConfig.topicPrefix("max.message.bytes"), MAX_RECORD_BYTES);
        return p;
    }
}
