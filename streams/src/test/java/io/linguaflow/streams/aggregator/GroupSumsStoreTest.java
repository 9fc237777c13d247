package io.linguaflow.streams.aggregator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.analysis.stats.Normalisation;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The write-back cache alone, on an in-memory inner store: what reaches the inner store, and when. */
class GroupSumsStoreTest {

    /** Unlogged: the mock context has no record collector for a changelog; the tests look at the inner store only. */
    private static GroupSumsStore store(long cleanBytes) {
        return store(new GroupCacheBudget(cleanBytes));
    }

    private static GroupSumsStore store(GroupCacheBudget budget) {
        GroupSumsStore store = new GroupSumsStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("groups"), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled().build(), budget);
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    private static GroupSums group(double x) {
        GroupSums g = GroupSums.vectorSums(2);
        g.add(new LayerVector(new double[] {x, 1}, Math.hypot(x, 1), Math.hypot(x, 1), null, 0));
        return g;
    }

    @Test
    void changedGroupsReachTheInnerStoreAtTheCommitOnly() {
        GroupSumsStore store = store(1 << 20);
        GroupSums a = group(1);
        store.update("a", a);
        assertNull(store.get("a"), "not before the commit");
        assertSame(a, store.sums("a"));
        store.flushCache();
        assertEquals(1, GroupSums.decode(store.get("a")).count());
        a.add(new LayerVector(new double[] {2, 1}, Math.hypot(2, 1), Math.hypot(2, 1), null, 0));
        store.update("a", a);
        assertEquals(1, GroupSums.decode(store.get("a")).count(), "the last commit's value until the next one");
        store.flushCache();
        assertEquals(2, GroupSums.decode(store.get("a")).count());
    }

    @Test
    void aGroupCreatedAndRemovedBetweenCommitsNeverReachesTheInnerStore() {
        GroupSumsStore store = store(1 << 20);
        store.update("s", group(1));
        store.remove("s");
        assertNull(store.sums("s"));
        store.flushCache();
        assertEquals(0, store.approximateNumEntries());
        store.update("t", group(1));
        store.flushCache();
        store.remove("t");
        assertEquals(1, store.approximateNumEntries(), "a stored group is deleted at the commit");
        store.flushCache();
        assertNull(store.get("t"));
    }

    @Test
    void cleanGroupsBeyondTheBoundAreEvictedAndDecodedAgain() {
        GroupSumsStore store = store(0);
        GroupSums a = group(1);
        store.update("a", a);
        assertSame(a, store.sums("a"), "a changed group stays until the commit");
        store.flushCache();
        GroupSums again = store.sums("a");
        assertNotSame(a, again, "evicted once clean, decoded from the inner store");
        assertEquals(a.scalars(Normalisation.MODEL), again.scalars(Normalisation.MODEL));
        store.clearCache();
        store.close();
    }

    @Test
    void heldGroupsAreWrittenOnlyOnceUpdatedOrWhenTheyLeaveTheCache() {
        GroupSumsStore store = store(1 << 20);
        GroupSums a = group(1);
        store.hold("a", a);
        store.flushCache();
        assertNull(store.get("a"), "a commit does not write a held group");
        assertSame(a, store.sums("a"), "the owner reads it from the cache");
        store.update("a", a);
        store.flushCache();
        assertEquals(1, GroupSums.decode(store.get("a")).count(), "updated: written by the next commit");
        store.hold("b", group(2));
        store.remove("b");
        store.flushCache();
        assertNull(store.get("b"), "a held group removed before it was ever written leaves nothing");

        GroupSumsStore small = store(0);
        GroupSums c = group(3);
        small.hold("c", c);
        assertEquals(1, GroupSums.decode(small.get("c")).count(), "beyond the bound a held group is written as it leaves the cache");
        GroupSums again = small.sums("c");
        assertNotSame(c, again);
        assertEquals(c.scalars(Normalisation.MODEL), again.scalars(Normalisation.MODEL));
        small.remove("c");
        small.flushCache();
        assertNull(small.get("c"), "and deleted by the commit after its removal");
    }

    /**
     * A held language group's activation counts (which the vectors that rebuild it lack) are written under their own key
     * by each commit after they changed, as the group leaves the cache, and before it is removed.
     */
    @Test
    void aHeldGroupsChangedCountsAreWrittenByTheCommitAndWhenItLeaves() {
        GroupSumsStore store = store(1 << 20);
        String en = StoreKeys.language("cp@0|3", "en");
        String counts = "cp@0|3|P|en";
        GroupSums g = GroupSums.withNeuronStatistics(2);
        g.add(new LayerVector(new double[] {1, 2}, Math.sqrt(5), 3, new int[] {4, 0}, 5));
        store.hold(en, g);
        assertNull(store.get(counts), "not before the commit");
        store.flushCache();
        assertNull(store.get(en), "the group itself is held");
        assertArrayEquals(g.encodeActivationCounts(), store.get(counts));
        byte[] first = store.get(counts);
        g.add(new LayerVector(new double[] {2, 1}, Math.sqrt(5), 3, new int[] {1, 1}, 2));
        store.hold(en, g);
        store.remove(en);
        assertArrayEquals(new long[] {5, 1}, decodeCounts(store.get(counts)), "a removed group's counts outlive it");
        assertArrayEquals(new long[] {4, 0}, decodeCounts(first));

        GroupSumsStore small = store(0);
        small.hold(en, g);
        assertArrayEquals(g.encodeActivationCounts(), small.get(counts), "and a group's that leaves the cache");
    }

    /**
     * The stores of one instance (a task each) share one budget: a group that fits in the bound alone is written out when
     * another task's groups fill it, and kept once that task's store is closed and gives its share back.
     */
    @Test
    void theTasksOfAnInstanceShareOneBudget() {
        long groupBytes = 8L * 2 * 4; // vector sums of D = 2: four arrays of 2 doubles
        GroupCacheBudget budget = new GroupCacheBudget(2 * groupBytes);
        GroupSumsStore first = store(budget);
        GroupSumsStore second = store(budget);
        first.hold("a", group(1));
        first.hold("b", group(2));
        assertEquals(2 * groupBytes, budget.used());
        second.hold("c", group(3));
        assertEquals(1, GroupSums.decode(second.get("c")).count(), "beyond the shared bound: written as it leaves the cache");
        assertNull(first.get("a"), "the other task's groups stay held");
        assertNull(first.get("b"));
        assertEquals(2 * groupBytes, budget.used());

        first.close();
        assertEquals(0, budget.used(), "a closed store gives its share back");
        second.remove("c");
        second.flushCache();
        second.hold("d", group(4));
        second.hold("e", group(5));
        assertNull(second.get("d"), "now within the bound");
        assertNull(second.get("e"));
        assertEquals(2 * groupBytes, budget.used());
    }

    /** The task's view of the keys: held and changed groups in the cache, written ones in the inner store, less removals. */
    @Test
    void keysAreTheGroupsTheTaskSees() {
        GroupSumsStore store = store(0);
        store.update("x|L|en", group(1));
        store.flushCache(); // written, then evicted (a bound of 0): in the inner store only
        store.hold("x|L|zh", group(2));
        store.hold("x|L|ar", group(3)); // held beyond the bound: written as it leaves the cache
        GroupSumsStore large = store(1 << 20);
        large.hold("x|L|hi", group(4));
        large.update("x|T", group(5));
        assertEquals(List.of("x|L|ar", "x|L|en", "x|L|zh"), store.keys("x|L|"));
        assertEquals(List.of("x|L|hi"), large.keys("x|L|"), "held in the cache, never written");
        store.remove("x|L|en");
        assertEquals(List.of("x|L|ar", "x|L|zh"), store.keys("x|L|"), "removed, though its deletion waits for the commit");
        assertEquals(List.of("x|L|hi", "x|T"), large.keys("x|"));
    }

    private static long[] decodeCounts(byte[] counts) {
        GroupSums g = GroupSums.withNeuronStatistics(2);
        g.restoreActivationCounts(counts);
        return g.positiveCounts();
    }
}
