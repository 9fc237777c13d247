package io.linguaflow.streams.aggregator;

import io.linguaflow.analysis.stats.GroupSums;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The {@value AggregatorTopology#GROUPS_STORE} store: decoded {@link GroupSums} in a write-back cache over a logged
 * key-value store of their encodings (docs/state-layout.md). An update changes the decoded group in place; the cache
 * encodes each group changed since the last commit once, in {@link #flushCache()} (the commit hook of
 * {@link OwnCacheStore}).
 *
 * <p>A group updated as <em>held</em> is one the aggregator can rebuild from its similarity vectors after a restart
 * ({@link GroupsFromVectors}): the commit does not write it, so an incomplete layer's groups cost no changelog; an
 * {@link #update} makes it an ordinary changed group again. The vectors do not carry the activation counts, so a held
 * language group's counts, when they changed, are written under {@link StoreKeys#countsOf} by the commit, and whenever
 * the group leaves the cache or is removed: one D-wide record of varints per language and commit instead of D counts per
 * sample. Clean and held groups stay decoded while the {@link GroupCacheBudget} that all of the instance's stores share
 * allows; beyond it the store at hand lets its least recently used ones go: a clean group is dropped, a held one is
 * written to the inner store (within the open transaction; a rebuild after a crash replaces it), so memory stays bounded
 * however many layers aggregate at once and however the partitions spread them over tasks. Changed groups that are not
 * held stay until the commit. The {@link ReadOnlyKeyValueStore} view, for interactive queries from other threads, reads
 * the inner store: the groups as of the last commit, without the held ones.
 */
public final class GroupSumsStore extends OwnCacheStore<byte[]> implements ReadOnlyKeyValueStore<String, byte[]> {

    private static final StringSerializer KEYS = new StringSerializer();

    private final GroupCacheBudget budget;
    /** Access order, so iteration starts at the least recently used group. */
    private final Map<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    /** Bytes of this store's clean and held groups (those that may leave the cache before the commit), also in the budget. */
    private long evictableSize;

    /** A decoded group; {@code sums == null} is a deletion not yet written. */
    private static final class Entry {
        GroupSums sums;
        /** Changed since the last commit and to be written by it. */
        boolean dirty;
        /** Changed, but rebuilt from the vectors after a restart rather than written by the commit. */
        boolean held;
        /** Whether the inner store holds a value for the key (a group created and deleted between commits never reaches it). */
        boolean stored;
        /** Held with activation counts that changed since they were last written under {@link StoreKeys#countsOf}. */
        boolean countsDirty;

        Entry(GroupSums sums, boolean stored) {
            this.sums = sums;
            this.stored = stored;
        }
    }

    GroupSumsStore(KeyValueStore<String, byte[]> inner, GroupCacheBudget budget) {
        super(inner);
        this.budget = budget;
    }

    /**
     * A builder of the store on {@code supplier}, changelogged; the stores it builds (one per task) keep clean and held
     * groups decoded up to {@code cacheBytes} together.
     */
    public static StoreBuilder<GroupSumsStore> builder(KeyValueBytesStoreSupplier supplier, long cacheBytes) {
        GroupCacheBudget budget = new GroupCacheBudget(cacheBytes);
        return new OwnCacheStore.Builder<>(Stores.keyValueStoreBuilder(supplier, Serdes.String(), Serdes.ByteArray()),
                inner -> new GroupSumsStore(inner, budget));
    }

    // ---------------------------------------------------------------- the aggregator's typed view

    /** The group under key (decoded once, then cached), or null. Changes to it must be announced by {@link #update}. */
    GroupSums sums(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            byte[] stored = inner.get(key);
            if (stored == null) {
                return null;
            }
            e = new Entry(GroupSums.decode(stored), true);
            entries.put(key, e);
            evictable(bytes(e.sums));
            evict();
        }
        return e.sums;
    }

    /**
     * The keys under {@code prefix} of the groups the task sees (those in the cache, held ones included, and the inner
     * store's, less those removed since the last commit), in key order; the cache's order of use is left as it is.
     */
    List<String> keys(String prefix) {
        Set<String> keys = new TreeSet<>();
        try (KeyValueIterator<String, byte[]> it = inner.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        entries.forEach((key, e) -> {
            if (key.startsWith(prefix)) {
                if (e.sums == null) {
                    keys.remove(key);
                } else {
                    keys.add(key);
                }
            }
        });
        return List.copyOf(keys);
    }

    /** Marks the group under key as changed (or new), to be written at the next commit. */
    void update(String key, GroupSums sums) {
        Entry e = take(key, sums);
        e.dirty = true;
    }

    /**
     * Marks the group under key as changed (or new) but not to be written by the commits: its owner rebuilds it after a
     * restart. It is written only if it leaves the cache, or once {@link #update}d; its activation counts, which the
     * owner cannot rebuild, are written by the next commit (under {@link StoreKeys#countsOf}).
     */
    void hold(String key, GroupSums sums) {
        Entry e = take(key, sums);
        e.countsDirty |= sums.positiveCounts() != null;
        if (!e.dirty) { // one the next commit writes anyway (a deletion or an update before it) stays so
            e.held = true;
            evictable(bytes(sums));
            evict();
        }
    }

    /** The entry for key with sums set, counted as neither evictable nor dirty. */
    private Entry take(String key, GroupSums sums) {
        Entry e = entries.get(key);
        if (e == null) {
            e = new Entry(sums, false);
            entries.put(key, e);
        } else if (!e.dirty && e.sums != null) {
            evictable(-bytes(e.sums));
        }
        e.held = false;
        e.sums = sums;
        return e;
    }

    /**
     * Deletes the group under key at the next commit (at once from the cache); a held group's changed counts are written
     * first, since they outlive it (the vectors that rebuild it do not carry them).
     */
    void remove(String key) {
        Entry e = entries.get(key);
        if (e != null && e.sums != null) {
            writeCounts(key, e);
        }
        if (e == null) {
            e = new Entry(null, inner.get(key) != null);
            entries.put(key, e);
        } else if (!e.dirty && e.sums != null) {
            evictable(-bytes(e.sums));
        }
        e.held = false;
        e.sums = null;
        if (e.stored) {
            e.dirty = true;
        } else {
            entries.remove(key);
        }
    }

    private void evictable(long bytes) {
        evictableSize += bytes;
        budget.add(bytes);
    }

    /** Heap bytes of a decoded group: its D-wide arrays (each sum with its low parts). */
    private static long bytes(GroupSums g) {
        int arrays = (g.hasNeuronStatistics() ? 6 : 4) + (g.positiveCounts() != null ? 1 : 0);
        return 8L * g.dimension() * arrays;
    }

    private void evict() {
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (budget.exceeded() && it.hasNext()) {
            Map.Entry<String, Entry> kv = it.next();
            Entry e = kv.getValue();
            if (!e.dirty) {
                if (e.held) {
                    inner.put(kv.getKey(), e.sums.encode());
                }
                writeCounts(kv.getKey(), e);
                evictable(-bytes(e.sums));
                it.remove();
            }
        }
    }

    // ---------------------------------------------------------------- commit, restore, close

    /** Writes the activation counts of a held group if they changed since they were last written. */
    private void writeCounts(String key, Entry e) {
        if (e.countsDirty) {
            inner.put(StoreKeys.countsOf(key), e.sums.encodeActivationCounts());
            e.countsDirty = false;
        }
    }

    /** Encodes every group changed since the last commit, and the held groups' changed counts, into the inner (logged) store. */
    @Override
    public void flushCache() {
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Entry> kv = it.next();
            Entry e = kv.getValue();
            if (e.sums != null) {
                writeCounts(kv.getKey(), e);
            }
            if (!e.dirty) {
                continue;
            }
            if (e.sums == null) {
                inner.delete(kv.getKey());
                it.remove();
            } else {
                inner.put(kv.getKey(), e.sums.encode());
                e.dirty = false;
                e.stored = true;
                evictable(bytes(e.sums));
            }
        }
        evict();
    }

    @Override
    public void clearCache() {
        entries.clear();
        evictable(-evictableSize);
    }

    // ---------------------------------------------------------------- interactive queries: the state as of the last commit

    @Override
    public byte[] get(String key) {
        return inner.get(key);
    }

    @Override
    public KeyValueIterator<String, byte[]> range(String from, String to) {
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<String, byte[]> all() {
        return inner.all();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<String, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
        return inner.prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }
}
