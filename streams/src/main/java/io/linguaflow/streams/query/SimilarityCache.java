package io.linguaflow.streams.query;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Similarity-map pieces computed by this instance (layer blocks it owns, maps it summed), as upper triangles, kept
 * within a byte budget, least recently used out first (docs/similarity-map.md). A block costs O(N²·D), seconds at
 * BLOOM-7b1 size, while a complete checkpoint's vectors never change, so each piece is computed once: concurrent calls
 * for the same key wait for the one computation, and a failed computation (e.g. 409, samples differ) is not kept.
 */
final class SimilarityCache {

    private final long budgetBytes;
    private final LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, CompletableFuture<byte[]>> computing = new HashMap<>();
    private long bytes;
    private long computations;
    private long hits;

    /** @param budgetBytes the most bytes kept; 0 keeps nothing (every call computes) */
    SimilarityCache(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("similarity cache budget must be >= 0 bytes, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /** The piece under {@code key}: from the cache, from a computation under way, or computed now by {@code compute}. */
    byte[] get(String key, Supplier<byte[]> compute) {
        CompletableFuture<byte[]> pending;
        boolean mine = false;
        synchronized (this) {
            byte[] kept = entries.get(key);
            if (kept != null) {
                hits++;
                return kept;
            }
            pending = computing.get(key);
            if (pending == null) {
                pending = new CompletableFuture<>();
                computing.put(key, pending);
                mine = true;
            }
        }
        if (!mine) {
            return await(pending);
        }
        try {
            byte[] value = compute.get();
            synchronized (this) {
                computations++;
                keep(key, value);
                computing.remove(key);
            }
            pending.complete(value);
            return value;
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                computing.remove(key);
            }
            pending.completeExceptionally(e);
            throw e;
        }
    }

    synchronized long computations() {
        return computations;
    }

    synchronized long hits() {
        return hits;
    }

    private void keep(String key, byte[] value) {
        if (value.length > budgetBytes) {
            return;
        }
        entries.put(key, value);
        bytes += value.length;
        Iterator<byte[]> eldest = entries.values().iterator();
        while (bytes > budgetBytes) {
            bytes -= eldest.next().length;
            eldest.remove();
        }
    }

    /** The result of another caller's computation; its exception as thrown (a QueryException keeps its status). */
    private static byte[] await(CompletableFuture<byte[]> pending) {
        try {
            return pending.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
