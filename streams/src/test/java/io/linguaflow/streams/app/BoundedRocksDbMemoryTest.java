package io.linguaflow.streams.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.streams.aggregator.AggregatorTopology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.CompactionStyle;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * The similarity vectors' RocksDB options on a real database, opened as Kafka Streams opens its stores (universal
 * compaction, the config setter applied): vectors live in blob files that compactions leave alone, and the files of
 * vectors that retention deleted go once the compaction has dropped their keys, without blob garbage collection.
 */
class BoundedRocksDbMemoryTest {

    private static final int VECTOR_BYTES = 5 * 4096;
    private static final int SAMPLES = 50;
    private static final int LAYERS = 8;

    @TempDir
    Path dir;

    @Test
    void compactionsKeepTheVectorsBlobFilesAndDeleteThoseWhoseVectorsAllWent() throws Exception {
        RocksDB.loadLibrary();
        BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
        try (Options options = new Options().setCreateIfMissing(true).setCompactionStyle(CompactionStyle.UNIVERSAL)
                .setTableFormatConfig(new BlockBasedTableConfig())) {
            setter.setConfig(AggregatorTopology.VECTORS_STORE, options, Map.of());
            try (RocksDB db = RocksDB.open(options, dir.toString()); FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                Random random = new Random(7);
                Map<String, byte[]> kept = new TreeMap<>();
                for (int layer = 0; layer < LAYERS; layer++) {
                    for (int s = 0; s < SAMPLES; s++) {
                        byte[] vector = new byte[VECTOR_BYTES];
                        random.nextBytes(vector);
                        db.put(key(layer, s).getBytes(StandardCharsets.UTF_8), vector);
                        if (layer > 0) {
                            kept.put(key(layer, s), vector);
                        }
                    }
                    db.flush(flush); // one memtable, one blob file per layer
                }
                Map<String, Long> written = fileSizes(".blob");
                assertEquals(LAYERS, written.size(), "one blob file per flushed layer: " + written);
                long tables = fileSizes(".sst").values().stream().mapToLong(Long::longValue).sum();
                assertTrue(tables < VECTOR_BYTES * SAMPLES / 10, "the tables hold keys and blob references, not the vectors");

                db.compactRange();
                assertEquals(written, fileSizes(".blob"), "a compaction rewrites no vector (garbage collection would move the oldest)");

                for (int s = 0; s < SAMPLES; s++) {
                    db.delete(key(0, s).getBytes(StandardCharsets.UTF_8)); // retention drops layer 0's vectors
                }
                db.flush(flush);
                db.compactRange();
                Map<String, Long> left = fileSizes(".blob");
                assertEquals(LAYERS - 1, left.size(), "layer 0's blob file is deleted: " + left);
                assertTrue(written.entrySet().containsAll(left.entrySet()), "the other layers' files are the ones written: " + left);
                for (Map.Entry<String, byte[]> e : kept.entrySet()) {
                    assertArrayEquals(e.getValue(), db.get(e.getKey().getBytes(StandardCharsets.UTF_8)), e.getKey());
                }
            } finally {
                setter.close(AggregatorTopology.VECTORS_STORE, options);
            }
        }
    }

    private static String key(int layer, int sample) {
        return "ck|" + layer + "|" + sample;
    }

    /** Name → size of the database's files whose names end with {@code suffix}. */
    private Map<String, Long> fileSizes(String suffix) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList()) {
                out.put(f.getFileName().toString(), Files.size(f));
            }
        }
        return out;
    }
}
