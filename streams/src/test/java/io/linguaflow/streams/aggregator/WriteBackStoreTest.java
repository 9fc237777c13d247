package io.linguaflow.streams.aggregator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The write-back store alone, on an in-memory inner store: what reaches the inner store and when, and what reads see. */
class WriteBackStoreTest {

    /** Unlogged: the mock context has no record collector for a changelog; the tests look at the inner store. */
    private final KeyValueStore<String, byte[]> inner = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("small"), Serdes.String(),
            Serdes.ByteArray()).withLoggingDisabled().build();
    private final WriteBackStore<byte[]> store = new WriteBackStore<>(inner);

    WriteBackStoreTest() {
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    }

    private static byte[] v(int x) {
        return new byte[] {(byte) x};
    }

    @Test
    void writesReachTheInnerStoreAtTheCommitEachKeyOnce() {
        store.put("a", v(1));
        store.put("a", v(2));
        store.put("b", v(3));
        assertNull(inner.get("a"), "not before the commit");
        assertArrayEquals(v(2), store.get("a"), "reads see the waiting write");
        store.flushCache();
        assertArrayEquals(v(2), inner.get("a"));
        assertArrayEquals(v(3), inner.get("b"));
        assertArrayEquals(v(3), store.delete("b"));
        assertNull(store.get("b"));
        assertArrayEquals(v(3), inner.get("b"), "a deletion too waits for the commit");
        store.flushCache();
        assertNull(inner.get("b"));
        assertEquals(1, inner.approximateNumEntries());
    }

    @Test
    void uncommittedWritesAreDroppedOnClose() {
        store.put("a", v(1));
        store.flushCache();
        store.put("a", v(2));
        store.put("c", v(3));
        store.clearCache(); // what close and a re-init do: the records that wrote them are processed again
        assertArrayEquals(v(1), store.get("a"));
        assertNull(store.get("c"));
    }

    @Test
    void tooManyWaitingWritesGoToTheInnerStoreAtOnce() {
        for (int i = 0; i <= WriteBackStore.MAX_WAITING; i++) {
            store.put("k" + i, v(i));
        }
        assertEquals(WriteBackStore.MAX_WAITING + 1, inner.approximateNumEntries());
        store.put("k0", v(7));
        assertArrayEquals(v(0), inner.get("k0"));
        assertArrayEquals(v(7), store.get("k0"));
    }

    /**
     * Scans merge the waiting writes into the stored entries in the stored order: checked against a map of every write,
     * ordered by the keys' UTF-8 bytes, after random puts, deletions and commits, with keys whose UTF-8 order differs
     * from String order (a supplementary character sorts after U+FFFD in UTF-8, before it in UTF-16).
     */
    @Test
    void scansEqualAMapOfEveryWriteAfterRandomOperations() {
        String[] alphabet = {"a", "b", "|", "é", "\uFFFD", "\uD834\uDD1E"};
        TreeMap<byte[], KeyValue<String, byte[]>> expected = new TreeMap<>(Arrays::compareUnsigned);
        Random random = new Random(12);
        for (int step = 0; step < 3000; step++) {
            String key = alphabet[random.nextInt(alphabet.length)] + alphabet[random.nextInt(alphabet.length)];
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            int op = random.nextInt(10);
            if (op < 6) {
                store.put(key, v(step));
                expected.put(k, KeyValue.pair(key, v(step)));
            } else if (op < 9) {
                store.delete(key);
                expected.remove(k);
            } else {
                store.flushCache();
            }
            if (step % 50 == 0) {
                assertEquals(list(expected.values()), drain(store.all()), "all() at step " + step);
                String prefix = alphabet[random.nextInt(alphabet.length)];
                byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
                List<KeyValue<String, byte[]>> withPrefix = expected.entrySet().stream()
                        .filter(e -> e.getKey().length >= p.length && Arrays.equals(e.getKey(), 0, p.length, p, 0, p.length))
                        .map(Map.Entry::getValue).toList();
                assertEquals(list(withPrefix), drain(store.prefixScan(prefix, new StringSerializer())), "prefix '" + prefix + "' at step " + step);
                String from = alphabet[random.nextInt(alphabet.length)];
                String to = from + "\uD834\uDD1E";
                byte[] lo = from.getBytes(StandardCharsets.UTF_8);
                byte[] hi = to.getBytes(StandardCharsets.UTF_8);
                assertEquals(list(expected.subMap(lo, true, hi, true).values()), drain(store.range(from, to)), "range at step " + step);
            }
        }
    }

    /** Entries as "key=value" strings (byte arrays have no value equality). */
    private static List<String> list(Iterable<KeyValue<String, byte[]>> entries) {
        List<String> out = new ArrayList<>();
        entries.forEach(kv -> out.add(kv.key + "=" + Arrays.toString(kv.value)));
        return out;
    }

    private static List<String> drain(KeyValueIterator<String, byte[]> it) {
        List<KeyValue<String, byte[]>> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return list(out);
    }
}
