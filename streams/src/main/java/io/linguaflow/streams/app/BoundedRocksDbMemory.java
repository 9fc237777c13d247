package io.linguaflow.streams.app;

import io.linguaflow.streams.aggregator.AggregatorTopology;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store in this JVM (one per store and task: the aggregators alone have six
 * per (checkpoint, layer) partition, each with Kafka Streams' default of three 16 MB memtables and its own block cache).
 * All stores share one LRU block cache of {@value #MEMORY_BYTES_CONFIG} bytes; their memtables are charged to it and
 * limited to {@value #MEMTABLE_BYTES_CONFIG} of it by one write-buffer manager; index and filter blocks live in the
 * cache too. The shared objects are created by the first store that opens, with its instance's settings (one budget
 * per JVM, however many instances it runs), and closed when the last one closes.
 *
 * <p>The {@value AggregatorTopology#VECTORS_STORE} store keeps its values (one sample's vector, about 5·D bytes) in blob
 * files: written once when a memtable is flushed, while compactions move only the keys and blob references, where they
 * would otherwise rewrite the whole store several times (measured in ops/bench/README.md). Blob garbage collection is
 * off: it relocates the live blobs of the oldest files on every compaction, i.e. rewrote kept vectors for nothing
 * (nothing is deleted under the default retention; about 1.5 s of CPU at BLOOM-7b1 shape). Retention deletes a layer's
 * vectors all at once, in about the order they were written, and RocksDB deletes a blob file once the compactions
 * have dropped every key that points into it.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    /** Total block cache, memtables included (bytes). */
    public static final String MEMORY_BYTES_CONFIG = "linguaflow.rocksdb.memory.bytes";
    /** The part of it memtables may take (bytes). */
    public static final String MEMTABLE_BYTES_CONFIG = "linguaflow.rocksdb.memtable.bytes";
    public static final long DEFAULT_MEMORY_BYTES = 512L * 1024 * 1024;
    public static final long DEFAULT_MEMTABLE_BYTES = 128L * 1024 * 1024;
    /** Share of the cache reserved for index and filter blocks (high priority), as Kafka Streams' memory guide suggests. */
    private static final double INDEX_FILTER_RATIO = 0.1;
    /** One memtable of a store fills to this before it is flushed; with the manager's limit it bounds nothing alone. */
    private static final long MEMTABLE_SIZE = 16L * 1024 * 1024;

    /** Values at least this large go to blob files (the vectors store only): a vector of D ≥ 200 neurons. */
    private static final long BLOB_MIN_BYTES = 1024;

    private static Cache cache;
    private static WriteBufferManager writeBuffers;
    private static int users;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long memory = bytes(configs, MEMORY_BYTES_CONFIG, DEFAULT_MEMORY_BYTES);
        long memtables = bytes(configs, MEMTABLE_BYTES_CONFIG, DEFAULT_MEMTABLE_BYTES);
        if (memtables > memory) {
            throw new IllegalArgumentException(MEMTABLE_BYTES_CONFIG + " (" + memtables + ") exceeds " + MEMORY_BYTES_CONFIG + " (" + memory + ")");
        }
        synchronized (BoundedRocksDbMemory.class) {
            if (users++ == 0) {
                cache = new LRUCache(memory, -1, false, INDEX_FILTER_RATIO);
                writeBuffers = new WriteBufferManager(memtables, cache);
            }
            BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
            table.setBlockCache(cache);
            table.setCacheIndexAndFilterBlocks(true);
            table.setCacheIndexAndFilterBlocksWithHighPriority(true);
            table.setPinTopLevelIndexAndFilter(true);
            options.setTableFormatConfig(table);
            options.setWriteBufferManager(writeBuffers);
            options.setWriteBufferSize(Math.min(MEMTABLE_SIZE, memtables));
            options.setMaxWriteBufferNumber(2);
        }
        if (storeName.equals(AggregatorTopology.VECTORS_STORE)) {
            options.setEnableBlobFiles(true);
            options.setMinBlobSize(BLOB_MIN_BYTES);
        }
    }

    /** Called before the store's database closes; the database keeps its own references to the shared objects. */
    @Override
    public void close(String storeName, Options options) {
        synchronized (BoundedRocksDbMemory.class) {
            if (--users == 0) {
                writeBuffers.close();
                cache.close();
                writeBuffers = null;
                cache = null;
            }
        }
    }

    private static long bytes(Map<String, Object> configs, String name, long fallback) {
        Object v = configs.get(name);
        return v == null ? fallback : Long.parseLong(v.toString().trim());
    }
}
