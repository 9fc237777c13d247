package io.linguaflow.streams.aggregator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * A key-value store whose writes wait in a map until the commit, for the aggregator's small stores written on every
 * activation record (docs/state-layout.md "Write-back stores"): a key written many times between two commits (a layer's
 * state, its total's and languages' scalars) reaches RocksDB and the changelog once, and the rest (the seen-set) in one
 * batch per partition and commit instead of one producer batch per record. {@link #flushCache()} writes the waiting
 * entries into the inner (logged) store at the commit ({@link OwnCacheStore}), so this store shares the exactly-once
 * argument of {@link GroupSumsStore}.
 *
 * <p>Reads, from the owning task and from interactive queries alike, see the waiting writes, as they saw the inner
 * store's writes before: a range or prefix scan merges them into the inner store's order (keys by their UTF-8 bytes).
 * Values are kept as given, not copied: a caller that changes a value it read must write it back (the aggregator
 * always does). Kafka's own record cache is not usable here (docs/state-layout.md "Heap").
 */
public final class WriteBackStore<V> extends OwnCacheStore<V> implements KeyValueStore<String, V> {

    /** Waiting entries beyond this are written at once (within the open transaction, like a group leaving the cache). */
    static final int MAX_WAITING = 100_000;
    private static final Object DELETED = new Object();

    /** Key → value to write, or {@link #DELETED}; concurrent because interactive queries read it from other threads. */
    private final Map<String, Object> waiting = new ConcurrentHashMap<>();

    WriteBackStore(KeyValueStore<String, V> inner) {
        super(inner);
    }

    /** A builder of the store on {@code supplier}, changelogged, with String keys and values of {@code values}. */
    public static <V> StoreBuilder<WriteBackStore<V>> builder(KeyValueBytesStoreSupplier supplier, Serde<V> values) {
        return new OwnCacheStore.Builder<>(Stores.keyValueStoreBuilder(supplier, Serdes.String(), values), WriteBackStore::new);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(String key) {
        Object w = waiting.get(key);
        if (w == null) {
            return inner.get(key);
        }
        return w == DELETED ? null : (V) w;
    }

    @Override
    public void put(String key, V value) {
        waiting.put(key, value == null ? DELETED : value);
        if (waiting.size() > MAX_WAITING) {
            flushCache();
        }
    }

    @Override
    public V putIfAbsent(String key, V value) {
        V old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(List<KeyValue<String, V>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public V delete(String key) {
        V old = get(key);
        put(key, null);
        return old;
    }

    /** Writes every waiting entry into the inner store. */
    @Override
    public void flushCache() {
        Iterator<Map.Entry<String, Object>> it = waiting.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Object> e = it.next();
            if (e.getValue() == DELETED) {
                inner.delete(e.getKey());
            } else {
                @SuppressWarnings("unchecked")
                V value = (V) e.getValue();
                inner.put(e.getKey(), value);
            }
            it.remove();
        }
    }

    @Override
    public void clearCache() {
        waiting.clear();
    }

    // ---------------------------------------------------------------- scans: the inner store's entries merged with the waiting ones

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        byte[] lo = from == null ? null : utf8(from);
        byte[] hi = to == null ? null : utf8(to);
        return merged(inner.range(from, to), k -> (lo == null || Arrays.compareUnsigned(k, lo) >= 0) && (hi == null || Arrays.compareUnsigned(k, hi) <= 0));
    }

    @Override
    public KeyValueIterator<String, V> all() {
        return merged(inner.all(), k -> true);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix, PS prefixKeySerializer) {
        byte[] p = prefixKeySerializer.serialize(null, prefix);
        return merged(inner.prefixScan(prefix, prefixKeySerializer), k -> k.length >= p.length && Arrays.equals(k, 0, p.length, p, 0, p.length));
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries() + waiting.size();
    }

    private static byte[] utf8(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** The stored entries with the waiting ones in scope written over them, in the stored order (unsigned UTF-8 bytes). */
    private KeyValueIterator<String, V> merged(KeyValueIterator<String, V> stored, Predicate<byte[]> inScope) {
        TreeMap<byte[], Map.Entry<String, Object>> mine = new TreeMap<>(Arrays::compareUnsigned);
        waiting.forEach((key, value) -> {
            byte[] k = utf8(key);
            if (inScope.test(k)) {
                mine.put(k, Map.entry(key, value));
            }
        });
        return mine.isEmpty() ? stored : new Merged(stored, mine.entrySet().iterator());
    }

    private final class Merged implements KeyValueIterator<String, V> {
        private final KeyValueIterator<String, V> stored;
        private final Iterator<Map.Entry<byte[], Map.Entry<String, Object>>> mine;
        private Map.Entry<byte[], Map.Entry<String, Object>> nextMine;
        private KeyValue<String, V> next;

        Merged(KeyValueIterator<String, V> stored, Iterator<Map.Entry<byte[], Map.Entry<String, Object>>> mine) {
            this.stored = stored;
            this.mine = mine;
            this.nextMine = mine.hasNext() ? mine.next() : null;
        }

        @SuppressWarnings("unchecked")
        private KeyValue<String, V> advance() {
            while (true) {
                String storedKey = stored.hasNext() ? stored.peekNextKey() : null;
                if (storedKey == null && nextMine == null) {
                    return null;
                }
                int order = storedKey == null ? 1 : nextMine == null ? -1 : Arrays.compareUnsigned(utf8(storedKey), nextMine.getKey());
                if (order < 0) {
                    return stored.next();
                }
                if (order == 0) {
                    stored.next(); // overwritten by the waiting entry
                }
                Map.Entry<String, Object> w = nextMine.getValue();
                nextMine = mine.hasNext() ? mine.next() : null;
                if (w.getValue() != DELETED) {
                    return KeyValue.pair(w.getKey(), (V) w.getValue());
                }
            }
        }

        @Override
        public boolean hasNext() {
            if (next == null) {
                next = advance();
            }
            return next != null;
        }

        @Override
        public KeyValue<String, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue<String, V> kv = next;
            next = null;
            return kv;
        }

        @Override
        public String peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next.key;
        }

        @Override
        public void close() {
            stored.close();
        }
    }
}
