package io.linguaflow.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.linguaflow.worker.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Padding, masks and length bucketing are invisible: batched results equal one-by-one runs. */
class BatchingTest {

    @Test
    void planCoversEverySampleOnceSortedAndWithinBudget() {
        int[] lengths = {5, 1, 9, 9, 3, 40, 2, 7, 7, 1, 12};
        List<int[]> plan = Batches.plan(lengths, 3, 30, Batches.CPU_PASS_COST);
        boolean[] seen = new boolean[lengths.length];
        int last = 0;
        for (int[] b : plan) {
            assertTrue(b.length >= 1 && b.length <= 3);
            int longest = Arrays.stream(b).map(i -> lengths[i]).max().orElseThrow();
            assertTrue(b.length == 1 || (long) b.length * longest <= 30, Arrays.toString(b));
            for (int i : b) {
                assertTrue(!seen[i]);
                seen[i] = true;
                assertTrue(lengths[i] >= last, "ascending lengths");
                last = lengths[i];
            }
        }
        for (boolean s : seen) {
            assertTrue(s);
        }
        assertArrayEquals(new int[] {5}, plan.get(plan.size() - 1), "a sample over the budget runs alone");
        assertThrows(IllegalArgumentException.class, () -> Batches.plan(lengths, 0, 10, Batches.CPU_PASS_COST));
    }

    @Test
    void planIsTheCheapestCutOfTheSortedSamples() {
        Random random = new Random(12);
        for (int trial = 0; trial < 60; trial++) {
            int[] lengths = random.ints(11, 1, 120).toArray();
            int batchSize = 1 + random.nextInt(6);
            long budget = 100 + random.nextInt(400);
            long passCost = new long[] {0, Batches.CPU_PASS_COST, budget}[trial % 3];
            List<int[]> plan = Batches.plan(lengths, batchSize, budget, passCost);
            assertEquals(bruteForceCheapest(lengths, batchSize, budget, passCost), cost(plan, lengths, passCost),
                    Arrays.toString(lengths) + ", pass cost " + passCost);
        }
        // fixed cuts of 4 pad three short rows to 100 and run the fourth pass anyway
        int[] lengths = {1, 100, 1, 100, 1, 100};
        List<int[]> plan = Batches.plan(lengths, 4, 1000, Batches.passCost(Device.cpu(), 1000));
        assertEquals(List.of(List.of(0, 2, 4), List.of(1, 3, 5)),
                plan.stream().map(b -> Arrays.stream(b).boxed().toList()).toList());
        assertEquals(1000, Batches.passCost(Device.gpu(), 1000));
    }

    /** Padded positions plus the pass cost of a plan. */
    private static long cost(List<int[]> plan, int[] lengths, long passCost) {
        long c = 0;
        for (int[] b : plan) {
            c += (long) b.length * Arrays.stream(b).map(i -> lengths[i]).max().orElseThrow() + passCost;
        }
        return c;
    }

    /** The least cost over every way of cutting the sorted lengths into allowed batches (2^(n-1) cut sets). */
    private static long bruteForceCheapest(int[] lengths, int batchSize, long budget, long passCost) {
        int[] sorted = lengths.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        long best = Long.MAX_VALUE;
        for (int cuts = 0; cuts < 1 << (n - 1); cuts++) {
            long c = 0;
            int start = 0;
            for (int end = 1; end <= n && c != Long.MAX_VALUE; end++) {
                if (end == n || (cuts & 1 << (end - 1)) != 0) {
                    int rows = end - start;
                    long padded = (long) rows * sorted[end - 1];
                    c = rows > batchSize || (rows > 1 && padded > budget) ? Long.MAX_VALUE
                            : c + padded + passCost;
                    start = end;
                }
            }
            best = Math.min(best, c);
        }
        return best;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bloom-tiny", "llama-tiny"})
    void mixedLengthBatchEqualsOneByOne(String name) throws Exception {
        // every 7th corpus row: all languages, 2..40+ tokens
        List<String> texts = new ArrayList<>();
        List<String> all = Fixtures.texts(Fixtures.corpus());
        for (int i = 0; i < all.size(); i += 7) {
            texts.add(all.get(i));
        }
        List<SampleActivations> single;
        List<SampleActivations> batched;
        List<SampleActivations> odd;
        try (LanguageModel m = LanguageModel.load(Fixtures.model(name), Device.cpu(),
                RuntimeOptions.DEFAULT.withBatchSize(1))) {
            single = m.activations(texts, Ablation.none(), true);
        }
        try (LanguageModel m = LanguageModel.load(Fixtures.model(name), Device.cpu(),
                RuntimeOptions.DEFAULT.withBatchSize(64))) {
            batched = m.activations(texts, Ablation.none(), true);
        }
        try (LanguageModel m = LanguageModel.load(Fixtures.model(name), Device.cpu(), new RuntimeOptions(5, 64, 0))) {
            odd = m.activations(texts, Ablation.none(), true);
        }
        int minLen = texts.size();
        int maxLen = 0;
        double max = 0;
        int countDiffs = 0;
        for (int i = 0; i < texts.size(); i++) {
            minLen = Math.min(minLen, single.get(i).nTokens());
            maxLen = Math.max(maxLen, single.get(i).nTokens());
            for (List<SampleActivations> other : List.of(batched, odd)) {
                assertArrayEquals(single.get(i).inputIds(), other.get(i).inputIds());
                max = Math.max(max, Math.abs(single.get(i).meanNll() - other.get(i).meanNll()));
                float[] a = single.get(i).concatenated();
                float[] b = other.get(i).concatenated();
                for (int k = 0; k < a.length; k++) {
                    max = Math.max(max, Math.abs(a[k] - b[k]));
                }
                for (int l = 0; l < a.length / single.get(i).layerMeans()[0].length; l++) {
                    for (int k = 0; k < single.get(i).positiveCounts()[l].length; k++) {
                        countDiffs += Math.abs(single.get(i).positiveCounts()[l][k] - other.get(i).positiveCounts()[l][k]);
                    }
                }
            }
        }
        FixtureParityTest.report(name, "batched (64 and 5/64-token budget) vs one-by-one, max |diff| means+NLL", max);
        assertTrue(maxLen > 3 * minLen, "lengths " + minLen + ".." + maxLen + " should be mixed");
        assertTrue(max <= 1e-5, "batched deviates by " + max);
        assertEquals(0, countDiffs, "positive counts differ");
    }
}
