package io.linguaflow.streams.config;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * What the topologies need to know besides the records: topic names (with the deployment prefix), the registry
 * config of the Avro serde, and the tunables.
 *
 * @param topics             names of the shared topics (docs/design.md §4)
 * @param serdeConfig        at least {@code schema.registry.url}
 * @param interimInterval    the least wall-clock time between two interim results of one checkpoint (or layer)
 * @param batchSize          samples per inference request
 * @param plannerPartitions  partitions of the planner's by-corpus repartition topics (both sides must agree)
 * @param storeKind          RocksDB in production; in-memory only where a test driver commits (and so flushes
 *                           RocksDB) after every single record
 * @param similarityVectors  keep every record's pooled vector (store {@code aggregator-vectors}, N·M·D·4 bytes per
 *                           checkpoint) so the similarity map can be served; off for models too large for that, and then
 *                           the map endpoints answer 404. All instances of one application must agree (it is part of the
 *                           topology).
 * @param vectorRetention    how long the similarity vectors of a complete layer are kept ({@link VectorRetention#KEEP}
 *                           by default)
 * @param groupCacheBytes    decoded group sums the aggregator tasks of the instance keep together beyond those the next
 *                           commit writes: clean ones, and the incomplete layers' groups held until they complete
 *                           (docs/state-layout.md); at BLOOM-7b1 shape a layer's total and 9 language groups take 9 MB
 *                           decoded, a checkpoint's 30 layers 270 MB
 * @param evaluations        Table 1 and XStoryCloze requests issued per checkpoint ({@link EvaluationSettings#off()} by default)
 * @param instruments        language probes and expert neurons per complete layer ({@link InstrumentSettings#DEFAULTS}: on)
 */
public record StreamsSettings(Topics topics, Map<String, ?> serdeConfig, Duration interimInterval, int batchSize,
                              int plannerPartitions, StoreKind storeKind, boolean similarityVectors,
                              VectorRetention vectorRetention, long groupCacheBytes, EvaluationSettings evaluations,
                              InstrumentSettings instruments) {

    /** Where the key-value stores live. */
    public enum StoreKind { ROCKSDB, IN_MEMORY }

    /** Default samples per inference request (a worker batch of 16 sorted sentences pads little). */
    public static final int DEFAULT_BATCH_SIZE = 16;
    public static final Duration DEFAULT_INTERIM_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_PLANNER_PARTITIONS = 3;
    /** Partitions of the topics {@code streams} creates: up to 6 instances share a checkpoint's layers. */
    public static final int DEFAULT_TOPIC_PARTITIONS = 6;

    public StreamsSettings {
        serdeConfig = Map.copyOf(serdeConfig);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (plannerPartitions < 1) {
            throw new IllegalArgumentException("planner partitions must be >= 1, got " + plannerPartitions);
        }
        java.util.Objects.requireNonNull(storeKind, "storeKind");
        java.util.Objects.requireNonNull(vectorRetention, "vectorRetention");
        java.util.Objects.requireNonNull(evaluations, "evaluations");
        java.util.Objects.requireNonNull(instruments, "instruments");
        if (groupCacheBytes < 0) {
            throw new IllegalArgumentException("group cache bytes must be >= 0, got " + groupCacheBytes);
        }
        if (interimInterval.isNegative() || interimInterval.isZero()) {
            throw new IllegalArgumentException("interim interval must be > 0, got " + interimInterval);
        }
    }

    /**
     * A third of the JVM's maximum heap: at {@code -Xmx1g} the held groups of a whole BLOOM-7b1 checkpoint (270 MB), which
     * a smaller budget would write out and read back on every record (docs/state-layout.md "Bounded memory").
     */
    public static long defaultGroupCacheBytes() {
        return Runtime.getRuntime().maxMemory() / 3;
    }

    public static StreamsSettings defaults(Topics topics, Map<String, ?> serdeConfig) {
        return new StreamsSettings(topics, serdeConfig, DEFAULT_INTERIM_INTERVAL, DEFAULT_BATCH_SIZE, DEFAULT_PLANNER_PARTITIONS,
                StoreKind.ROCKSDB, true, VectorRetention.KEEP, defaultGroupCacheBytes(), EvaluationSettings.off(),
                InstrumentSettings.DEFAULTS);
    }

    public StreamsSettings withInterimInterval(Duration interval) {
        return new StreamsSettings(topics, serdeConfig, interval, batchSize, plannerPartitions, storeKind, similarityVectors,
                vectorRetention, groupCacheBytes, evaluations, instruments);
    }

    public StreamsSettings withBatchSize(int size) {
        return new StreamsSettings(topics, serdeConfig, interimInterval, size, plannerPartitions, storeKind, similarityVectors,
                vectorRetention, groupCacheBytes, evaluations, instruments);
    }

    public StreamsSettings withStoreKind(StoreKind kind) {
        return new StreamsSettings(topics, serdeConfig, interimInterval, batchSize, plannerPartitions, kind, similarityVectors,
                vectorRetention, groupCacheBytes, evaluations, instruments);
    }

    public StreamsSettings withSimilarityVectors(boolean on) {
        return new StreamsSettings(topics, serdeConfig, interimInterval, batchSize, plannerPartitions, storeKind, on,
                vectorRetention, groupCacheBytes, evaluations, instruments);
    }

    public StreamsSettings withVectorRetention(VectorRetention retention) {
        return new StreamsSettings(topics, serdeConfig, interimInterval, batchSize, plannerPartitions, storeKind, similarityVectors,
                retention, groupCacheBytes, evaluations, instruments);
    }

    public StreamsSettings withGroupCacheBytes(long bytes) {
        return new StreamsSettings(topics, serdeConfig, interimInterval, batchSize, plannerPartitions, storeKind, similarityVectors,
                vectorRetention, bytes, evaluations, instruments);
    }

    public StreamsSettings withEvaluations(EvaluationSettings e) {
        return new StreamsSettings(topics, serdeConfig, interimInterval, batchSize, plannerPartitions, storeKind, similarityVectors,
                vectorRetention, groupCacheBytes, e, instruments);
    }

    public StreamsSettings withInstruments(InstrumentSettings i) {
        return new StreamsSettings(topics, serdeConfig, interimInterval, batchSize, plannerPartitions, storeKind, similarityVectors,
                vectorRetention, groupCacheBytes, evaluations, i);
    }

    /** A key-value store of {@link #storeKind()} (always changelogged, so a restarted or moved task restores it). */
    public KeyValueBytesStoreSupplier keyValueStore(String name) {
        return storeKind == StoreKind.ROCKSDB ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
    }

    public String topic(Topic topic) {
        return topics.name(topic);
    }

    /** Internal topic of {@link io.linguaflow.streams.avro.CheckpointPlan}s, key checkpointId (compacted). */
    public String plansTopic() {
        return topics.prefix() + "streams-plans";
    }

    /** Internal topic of {@link io.linguaflow.streams.avro.LayerPartial}s, key checkpointId. */
    public String layerPartialsTopic() {
        return topics.prefix() + "streams-layer-partials";
    }

    /** Internal topic of {@link io.linguaflow.streams.avro.ExpertPartial}s, key checkpointId. */
    public String expertPartialsTopic() {
        return topics.prefix() + "streams-expert-partials";
    }

    /** A configured value serde (Confluent wire format, schemas registered under the topic's subject). */
    public <T extends SpecificRecord> AvroSerde<T> valueSerde(Class<T> type) {
        return AvroSerde.of(type, serdeConfig, false);
    }
}
