package io.linguaflow.analysis.experts;

/**
 * Average precision of a score against binary labels, exactly as scikit-learn's {@code average_precision_score}
 * (the expertise of a unit in Suau et al. 2020, {@code apple/ml-selfcond expertise.py}).
 */
public final class AveragePrecision {

    private AveragePrecision() {
    }

    /**
     * AP = Σ_n (R_n − R_{n−1}) P_n over the distinct score thresholds in descending order (sklearn
     * {@code average_precision_score}: step-wise, no interpolation; samples with equal scores enter together).
     *
     * @param order    sample indices sorted by descending score ({@link #descending})
     * @param scores   the scores
     * @param positive the labels
     * @param positives the number of positive labels (&gt; 0)
     */
    public static double ofSorted(int[] order, float[] scores, boolean[] positive, int positives) {
        if (positives <= 0) {
            throw new IllegalArgumentException("average precision needs at least one positive sample");
        }
        double ap = 0;
        int tp = 0;
        int seen = 0;
        double lastRecall = 0;
        for (int i = 0; i < order.length; i++) {
            int s = order[i];
            seen++;
            if (positive[s]) {
                tp++;
            }
            // a threshold ends where the next score differs (ties are one threshold)
            if (i + 1 == order.length || scores[order[i + 1]] != scores[s]) {
                double recall = (double) tp / positives;
                ap += (recall - lastRecall) * ((double) tp / seen);
                lastRecall = recall;
            }
        }
        return ap;
    }

    /** AP of {@code scores} against {@code positive}, sorting first. */
    public static double of(float[] scores, boolean[] positive) {
        int positives = 0;
        for (boolean p : positive) {
            positives += p ? 1 : 0;
        }
        return ofSorted(descending(scores), scores, positive, positives);
    }

    /** Indices of {@code scores} by descending score (NaN not allowed; -0.0 equals 0.0 as in numpy). */
    public static int[] descending(float[] scores) {
        int n = scores.length;
        long[] keyed = new long[n];
        for (int i = 0; i < n; i++) {
            float v = scores[i];
            if (Float.isNaN(v)) {
                throw new IllegalArgumentException("NaN score at sample " + i);
            }
            int bits = Float.floatToIntBits(v == 0f ? 0f : v);
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff); // monotone int image of the float
            keyed[i] = ((long) ~sortable << 32) | i; // descending score, then ascending index
        }
        java.util.Arrays.sort(keyed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (int) keyed[i];
        }
        return order;
    }
}
