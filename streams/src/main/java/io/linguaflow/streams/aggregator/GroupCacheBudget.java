package io.linguaflow.streams.aggregator;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of decoded groups that the {@link GroupSumsStore}s of one application instance may keep beyond those the
 * next commit writes, shared by all its aggregator tasks and stream threads: how many tasks the partitions make does
 * not change the bound, nor how many layers one task may hold without writing them out (docs/state-layout.md).
 */
final class GroupCacheBudget {

    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    GroupCacheBudget(long capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("group cache bytes must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Counts bytes that entered (positive) or left (negative) a store's cache. */
    void add(long bytes) {
        used.addAndGet(bytes);
    }

    /** Whether the stores together keep more than the capacity: the one at hand then evicts its least recently used groups. */
    boolean exceeded() {
        return used.get() > capacity;
    }

    long used() {
        return used.get();
    }
}
