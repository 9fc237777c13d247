package io.linguaflow.analysis.neurontypes;

import java.util.Arrays;

/**
 * k-th smallest selections on primitive arrays in O(n) (quickselect with a three-way partition, robust to the
 * many equal values of count-derived probabilities). Floats are compared through order-preserving int keys
 * ({@code -0.0} counted as {@code +0.0}); NaN never occurs (inputs are validated).
 */
final class Selection {

    private Selection() {
    }

    /** The k smallest scores: flat indices ascending, plus the k-th and (k+1)-th smallest score (the boundary). */
    record Smallest(int[] indices, float kthScore, float nextScore) {
    }

    /**
     * The {@code k} smallest of {@code scores} (torch {@code topk(k, largest=False)}). Ties at the boundary are
     * broken deterministically by the lower flat index (torch leaves that order unspecified).
     * {@code nextScore} is NaN when k equals the array length.
     */
    static Smallest smallest(float[] scores, int k) {
        int n = scores.length;
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("cannot select " + k + " of " + n + " neurons");
        }
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) sortableBits(scores[i] + 0f) << 32) | i; // (score, index) lexicographic; -0 -> +0
        }
        select(keys, k - 1);
        long next = Long.MAX_VALUE;
        for (int i = k; i < n; i++) {
            next = Math.min(next, keys[i]);
        }
        int[] idx = new int[k];
        for (int i = 0; i < k; i++) {
            idx[i] = (int) keys[i];
        }
        Arrays.sort(idx);
        return new Smallest(idx, scores[(int) keys[k - 1]], k < n ? scores[(int) next] : Float.NaN);
    }

    /** The {@code rank}-th smallest value, 1-indexed (torch {@code kthvalue(rank)}, i.e. {@code sorted(v)[rank-1]}). */
    static float kthValue(float[] values, int rank) {
        if (rank < 1 || rank > values.length) {
            throw new IllegalArgumentException("rank " + rank + " outside [1, " + values.length + "]");
        }
        long[] keys = new long[values.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = sortableBits(values[i] + 0f);
        }
        select(keys, rank - 1);
        return Float.intBitsToFloat(unsortable((int) keys[rank - 1]));
    }

    /** An int whose signed order is the float order (for non-NaN floats, with -0.0 below +0.0). */
    static int sortableBits(float v) {
        int b = Float.floatToRawIntBits(v);
        return b ^ ((b >> 31) & 0x7fffffff);
    }

    private static int unsortable(int s) {
        return s ^ ((s >> 31) & 0x7fffffff);
    }

    /** Rearranges {@code a} so that a[target] is the value it would have sorted, smaller ones before, larger after. */
    static void select(long[] a, int target) {
        int lo = 0;
        int hi = a.length - 1;
        while (lo < hi) {
            long pivot = medianOfThree(a[lo], a[(lo + hi) >>> 1], a[hi]);
            // three-way partition: [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot
            int lt = lo;
            int gt = hi;
            int i = lo;
            while (i <= gt) {
                long v = a[i];
                if (v < pivot) {
                    a[i++] = a[lt];
                    a[lt++] = v;
                } else if (v > pivot) {
                    a[i] = a[gt];
                    a[gt--] = v;
                } else {
                    i++;
                }
            }
            if (target < lt) {
                hi = lt - 1;
            } else if (target > gt) {
                lo = gt + 1;
            } else {
                return;
            }
        }
    }

    private static long medianOfThree(long x, long y, long z) {
        return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    }
}
