package io.linguaflow.worker.runtime;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Length bucketing: samples sorted by token count are cut into batches, so a batch pads only to the length of
 * its longest member (in file order a FLORES batch of 16 wastes ~39 % of its positions on padding). The cuts are
 * the cheapest ones, not every {@code batchSize} samples: a pass costs its padded positions plus a fixed pass cost
 * (sorted FLORES rows in fixed batches of 16 still pad 29 %). Callers place results back by the returned sample
 * indices, so output order is input order.
 */
final class Batches {

    /**
     * What one more forward pass costs on a CPU, in padded positions: a pass streams all weights through the caches
     * and dispatches every op once, and smaller passes keep their activations in cache. On bloom-560m shape, 2 cores
     * ({@code ops/bench/worker}), 32 and 64 ran 10-20 % faster than 200 or than the fewest passes.
     */
    static final long CPU_PASS_COST = 64;

    private Batches() {
    }

    /**
     * @param lengths     tokens per sample
     * @param batchSize   most samples per batch
     * @param tokenBudget most padded positions (batch rows x longest row) per batch; a single longer sample still
     *                    gets its own batch
     * @param passCost    what one more batch costs, in padded positions
     * @return sample indices per batch, batches in ascending length, cut where the padded positions plus
     *         {@code passCost} per batch sum to the least
     */
    static List<int[]> plan(int[] lengths, int batchSize, long tokenBudget, long passCost) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        Integer[] order = IntStream.range(0, lengths.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt(i -> lengths[i])); // stable
        int n = order.length;
        // cost[e]: the cheapest plan of the first e sorted samples, its last batch starting at from[e]
        long[] cost = new long[n + 1];
        int[] from = new int[n + 1];
        for (int end = 1; end <= n; end++) {
            cost[end] = Long.MAX_VALUE;
            long longest = lengths[order[end - 1]]; // sorted ascending: the batch's last row is its longest
            for (int start = end - 1; start >= 0 && end - start <= batchSize
                    && (end - start == 1 || (end - start) * longest <= tokenBudget); start--) {
                long c = cost[start] + (end - start) * longest + passCost;
                if (c < cost[end]) {
                    cost[end] = c;
                    from[end] = start;
                }
            }
        }
        List<int[]> batches = new ArrayList<>();
        for (int end = n; end > 0; end = from[end]) {
            int[] batch = new int[end - from[end]];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = order[from[end] + i];
            }
            batches.add(batch);
        }
        Collections.reverse(batches);
        return batches;
    }

    /**
     * The pass cost for a device: {@link #CPU_PASS_COST} on a CPU; on a GPU (not measured; there a pass's kernel
     * launches cost more than its positions) a whole token budget, which favours few full passes.
     */
    static long passCost(Device device, long tokenBudget) {
        return device.isGpu() ? tokenBudget : CPU_PASS_COST;
    }
}
