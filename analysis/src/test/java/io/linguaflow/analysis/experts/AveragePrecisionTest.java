package io.linguaflow.analysis.experts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AveragePrecisionTest {

    /** AP from its definition: every distinct threshold t, predicted positive = score ≥ t, O(n²). */
    static double bruteForce(float[] s, boolean[] y) {
        TreeSet<Float> thresholds = new TreeSet<>();
        int positives = 0;
        for (int i = 0; i < s.length; i++) {
            thresholds.add(s[i] == 0f ? 0f : s[i]);
            positives += y[i] ? 1 : 0;
        }
        double ap = 0;
        double lastRecall = 0;
        for (float t : thresholds.descendingSet()) {
            int tp = 0;
            int predicted = 0;
            for (int i = 0; i < s.length; i++) {
                if (s[i] >= t) {
                    predicted++;
                    tp += y[i] ? 1 : 0;
                }
            }
            double recall = (double) tp / positives;
            ap += (recall - lastRecall) * ((double) tp / predicted);
            lastRecall = recall;
        }
        return ap;
    }

    @Test
    void tiedScoresEnterTogetherAsInSklearn() {
        // thresholds 0.9 (tp 1, fp 1: P 1/2, R 1/3) and 0.5 (tp 3, fp 2: P 3/5, R 1): 1/3 * 1/2 + 2/3 * 3/5 = 17/30
        float[] s = {0.9f, 0.9f, 0.5f, 0.5f, 0.1f, 0.5f};
        boolean[] y = {true, false, true, false, false, true};
        assertEquals(17.0 / 30, AveragePrecision.of(s, y), 1e-15);
        // all scores tied: one threshold, AP = positive rate
        assertEquals(0.25, AveragePrecision.of(new float[] {0, -0f, 0, 0}, new boolean[] {true, false, false, false}), 1e-15);
        // perfect ranking
        assertEquals(1.0, AveragePrecision.of(new float[] {3, 2, 1}, new boolean[] {true, true, false}), 1e-15);
    }

    @Test
    void equalsBruteForceOnRandomScoresWithTies() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 500; trial++) {
            int n = 2 + r.nextInt(60);
            float[] s = new float[n];
            boolean[] y = new boolean[n];
            boolean any = false;
            for (int i = 0; i < n; i++) {
                s[i] = trial % 2 == 0 ? r.nextInt(5) - 2 : (float) r.nextGaussian(); // coarse grid: many ties
                y[i] = r.nextInt(3) == 0;
                any |= y[i];
            }
            if (!any) {
                y[0] = true;
            }
            assertEquals(bruteForce(s, y), AveragePrecision.of(s, y), 1e-12, "trial " + trial);
        }
    }
}
