package io.linguaflow.streams.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SimilarityCacheTest {

    @Test
    void aPieceIsComputedOnceAndServedFromTheCacheAfterwards() {
        SimilarityCache cache = new SimilarityCache(100);
        AtomicInteger runs = new AtomicInteger();
        byte[] first = cache.get("a", () -> new byte[] {(byte) runs.incrementAndGet()});
        byte[] second = cache.get("a", () -> new byte[] {(byte) runs.incrementAndGet()});
        assertSame(first, second);
        assertEquals(1, runs.get());
        assertEquals(1, cache.computations());
        assertEquals(1, cache.hits());
    }

    @Test
    void theLeastRecentlyUsedPiecesLeaveWhenTheBudgetIsFull() {
        SimilarityCache cache = new SimilarityCache(100);
        cache.get("a", () -> new byte[40]);
        cache.get("b", () -> new byte[40]);
        cache.get("a", () -> new byte[40]); // a used last: b is the eldest
        cache.get("c", () -> new byte[40]); // 120 > 100: b leaves
        AtomicInteger runs = new AtomicInteger();
        cache.get("a", () -> new byte[runs.incrementAndGet()]);
        cache.get("c", () -> new byte[runs.incrementAndGet()]);
        assertEquals(0, runs.get(), "a and c stayed");
        cache.get("b", () -> new byte[40 + runs.incrementAndGet()]);
        assertEquals(1, runs.get(), "b was evicted and is computed again");
        cache.get("big", () -> new byte[101]);
        cache.get("big", () -> new byte[runs.incrementAndGet()]);
        assertEquals(2, runs.get(), "a piece larger than the budget is served but not kept");
    }

    @Test
    void aFailedComputationIsThrownToEveryWaiterAndNotKept() {
        SimilarityCache cache = new SimilarityCache(100);
        QueryException e = assertThrows(QueryException.class, () -> cache.get("a", () -> {
            throw new QueryException(409, "samples differ");
        }));
        assertEquals(409, e.status);
        assertArrayEquals(new byte[] {7}, cache.get("a", () -> new byte[] {7}), "computed again after the failure");
        assertEquals(1, cache.computations());
    }

    @Test
    void concurrentCallsForOneKeyWaitForOneComputation() throws Exception {
        SimilarityCache cache = new SimilarityCache(1 << 20);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(pool.submit(() -> cache.get("block", () -> {
                    runs.incrementAndGet();
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new byte[] {42};
                })));
            }
            started.await(10, TimeUnit.SECONDS);
            Thread.sleep(200); // the other three calls reach the cache while the first computes
            release.countDown();
            for (Future<byte[]> call : calls) {
                assertArrayEquals(new byte[] {42}, call.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, runs.get(), "one computation for four concurrent calls");
        assertEquals(1, cache.computations());
    }
}
