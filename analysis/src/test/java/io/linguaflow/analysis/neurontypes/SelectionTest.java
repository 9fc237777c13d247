package io.linguaflow.analysis.neurontypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SelectionTest {

    @Test
    void selectPlacesTheTargetAsASortWouldWithManyDuplicates() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(300);
            long[] a = new long[n];
            for (int i = 0; i < n; i++) {
                a[i] = rnd.nextInt(trial % 3 == 0 ? 3 : 1000) - 10; // few distinct values in a third of the trials
            }
            long[] sorted = a.clone();
            Arrays.sort(sorted);
            int target = rnd.nextInt(n);
            Selection.select(a, target);
            assertEquals(sorted[target], a[target]);
            for (int i = 0; i < n; i++) {
                assertEquals(true, i < target ? a[i] <= a[target] : a[i] >= a[target], "partitioned at " + i);
            }
        }
    }

    @Test
    void kthValueIsTheOneIndexedKthSmallestLikeTorchKthvalue() {
        float[] v = {0.5f, 0f, 0.25f, 0.5f, 1.5f, -0f, 0.125f};
        float[] sorted = {0f, 0f, 0.125f, 0.25f, 0.5f, 0.5f, 1.5f};
        for (int r = 1; r <= v.length; r++) {
            assertEquals(sorted[r - 1], Selection.kthValue(v.clone(), r), "rank " + r);
        }
        assertEquals(0, Float.floatToRawIntBits(Selection.kthValue(v, 2)), "-0.0 counts as +0.0");
        assertThrows(IllegalArgumentException.class, () -> Selection.kthValue(v, 0));
        assertThrows(IllegalArgumentException.class, () -> Selection.kthValue(v, 8));
    }

    @Test
    void smallestMatchesABoxedSortWithTiesBrokenByLowerIndex() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int trial = 0; trial < 100; trial++) {
            int n = 2 + rnd.nextInt(500);
            float[] s = new float[n];
            for (int i = 0; i < n; i++) {
                s[i] = (rnd.nextInt(20) - 5) / 4f; // heavy ties, negatives, zero
                if (rnd.nextInt(30) == 0) {
                    s[i] = Float.POSITIVE_INFINITY;
                }
            }
            int k = 1 + rnd.nextInt(n - 1);
            Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> s[i]).thenComparingInt(i -> i));
            int[] expected = Arrays.stream(order, 0, k).mapToInt(Integer::intValue).sorted().toArray();
            Selection.Smallest got = Selection.smallest(s, k);
            assertArrayEquals(expected, got.indices(), "trial " + trial);
            assertEquals(s[order[k - 1]], got.kthScore());
            assertEquals(s[order[k]], got.nextScore());
        }
    }

    @Test
    void smallestOfAllHasNoNextScoreAndRejectsBadK() {
        Selection.Smallest all = Selection.smallest(new float[] {3f, 1f, 2f}, 3);
        assertArrayEquals(new int[] {0, 1, 2}, all.indices());
        assertEquals(3f, all.kthScore());
        assertEquals(Float.NaN, all.nextScore());
        assertThrows(IllegalArgumentException.class, () -> Selection.smallest(new float[] {1f}, 0));
        assertThrows(IllegalArgumentException.class, () -> Selection.smallest(new float[] {1f}, 2));
    }
}
