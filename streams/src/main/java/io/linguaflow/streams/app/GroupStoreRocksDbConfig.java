package io.linguaflow.streams.app;

import io.linguaflow.streams.aggregator.AggregatorTopology;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;

/**
 * RocksDB options of the aggregator's group store, whose values are 2-3 vectors of D doubles (260-430 KB each at
 * D = 16384) rewritten on every update: values go to blob files, so a compaction moves keys instead of rewriting
 * every superseded vector, and blob garbage collection reclaims the superseded versions. Other stores keep the Kafka
 * Streams defaults (their values are tens of bytes). Float64 sums do not compress: no compression, as the defaults.
 */
public final class GroupStoreRocksDbConfig implements RocksDBConfigSetter {

    /** Values at least this large live in blob files: every group, no seen-flag or scalars value. */
    static final long MIN_BLOB_BYTES = 4096;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        if (!storeName.equals(AggregatorTopology.GROUPS_STORE)) {
            return;
        }
        options.setEnableBlobFiles(true);
        options.setMinBlobSize(MIN_BLOB_BYTES);
        options.setEnableBlobGarbageCollection(true);
        options.setBlobCompressionType(CompressionType.NO_COMPRESSION);
    }

    @Override
    public void close(String storeName, Options options) {
        // nothing allocated in setConfig
    }
}
