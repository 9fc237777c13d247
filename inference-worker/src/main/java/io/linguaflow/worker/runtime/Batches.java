package io.linguaflow.worker.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Length bucketing: samples sorted by token count are cut into batches, so a batch pads only to the length of
 * its longest member (in file order a FLORES batch of 16 wastes ~39 % of its positions on padding). Callers
 * place results back by the returned sample indices, so output order is input order.
 */
final class Batches {

    private Batches() {
    }

    /**
     * @param lengths     tokens per sample
     * @param batchSize   most samples per batch
     * @param tokenBudget most padded positions (batch rows x longest row) per batch; a single longer sample still
     *                    gets its own batch
     * @return sample indices per batch, batches in ascending length
     */
    static List<int[]> plan(int[] lengths, int batchSize, long tokenBudget) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        Integer[] order = IntStream.range(0, lengths.length).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(order, Comparator.comparingInt(i -> lengths[i])); // stable
        List<int[]> batches = new ArrayList<>();
        int start = 0;
        while (start < order.length) {
            int end = start + 1;
            // sorted ascending, so the longest row of [start, end] is the last one
            while (end < order.length && end - start < batchSize
                    && (long) (end - start + 1) * lengths[order[end]] <= tokenBudget) {
                end++;
            }
            int[] batch = new int[end - start];
            for (int i = start; i < end; i++) {
                batch[i - start] = order[i];
            }
            batches.add(batch);
            start = end;
        }
        return batches;
    }
}
