package io.linguaflow.analysis.keyregions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.analysis.stats.LayerVector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The per-neuron view of {@link LayerScores} against the formulas of docs/math.md §4, computed by brute force. */
class LayerScoresNeuronTest {

    @Test
    void neuronViewEqualsBruteForceContributionZAndStrictKeyFlag() {
        Random random = new Random(7);
        int d = 5;
        int[] samples = {2, 3, 6, 4, 5, 7, 3};
        List<GroupSums> groups = new ArrayList<>();
        List<double[][]> a = new ArrayList<>(); // aᵢ(k) = hᵢ(k) / ‖hᵢ‖ (whole-model normalisation)
        for (int n : samples) {
            GroupSums g = GroupSums.withNeuronStatistics(d);
            double[][] normalised = new double[n][d];
            for (int i = 0; i < n; i++) {
                double[] h = new double[d];
                for (int k = 0; k < d; k++) {
                    h[k] = random.nextGaussian();
                }
                double modelNorm = LayerVector.norm(h) * (1 + random.nextDouble()); // the layer is part of the model
                g.add(LayerVector.of(h, modelNorm));
                for (int k = 0; k < d; k++) {
                    normalised[i][k] = h[k] / modelNorm;
                }
            }
            groups.add(g);
            a.add(normalised);
        }
        int languages = samples.length;
        for (int k = 0; k < d; k++) {
            double[] c = new double[languages];
            for (int l = 0; l < languages; l++) {
                double sum = 0;
                double squares = 0;
                for (double[] ai : a.get(l)) {
                    sum += ai[k];
                    squares += ai[k] * ai[k];
                }
                int n = samples[l];
                c[l] = (sum * sum - squares) / ((double) n * (n - 1)); // C_l(k), math §4
            }
            double mean = 0;
            for (double x : c) {
                mean += x;
            }
            mean /= languages;
            double variance = 0;
            for (double x : c) {
                variance += (x - mean) * (x - mean);
            }
            double sigma = Math.sqrt(variance / languages); // population σ
            double threshold = (c[0] - mean) / sigma; // language 0 sits exactly on the threshold: not key
            LayerScores.Neuron view = LayerScores.neuron(groups, false, k, threshold);
            for (int l = 0; l < languages; l++) {
                double z = (c[l] - mean) / sigma;
                assertEquals(c[l], view.contributions()[l], 1e-12, "C_" + l + "(" + k + ")");
                assertEquals(z, view.z()[l], 1e-9, "z_" + l + "(" + k + ")");
                if (l != 0) {
                    assertEquals(z > threshold, view.key()[l], "key flag of language " + l + ", neuron " + k);
                }
            }
            assertEquals(view.z()[0] > threshold, view.key()[0], "strictly above the threshold");
            assertFalse(LayerScores.neuron(groups, false, k, Double.MAX_VALUE).key()[0]);
        }
    }

    @Test
    void keyFlagsAgreeWithTheKeyRegionsOfALayerThatIsNotScorable() {
        Random random = new Random(11);
        int d = 3;
        List<GroupSums> groups = new ArrayList<>();
        for (int n : new int[] {1, 4, 4, 4, 4, 4, 4}) {
            GroupSums g = GroupSums.withNeuronStatistics(d);
            for (int i = 0; i < n; i++) {
                double[] h = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
                g.add(LayerVector.of(h, LayerVector.norm(h)));
            }
            groups.add(g);
        }
        LayerScores.Neuron view = LayerScores.neuron(groups, false, 0, -1e9); // every scored z passes this threshold
        assertEquals(6, view.languages().length, "the language with one sample has no pairs and is not scored");
        assertEquals(1, view.languages()[0]);
        for (boolean key : view.key()) {
            assertFalse(key, "a layer with a language without pairs selects no key neuron, so no key flag either");
        }
        LayerScores.Neuron scorable = LayerScores.neuron(groups.subList(1, groups.size()), false, 0, -1e9);
        for (boolean key : scorable.key()) {
            assertTrue(key);
        }
    }

    @Test
    void aLanguageNeedsTwoSamplesAndALayerTwoLanguagesWithPairs() {
        assertFalse(LayerScores.hasPairs(1));
        assertTrue(LayerScores.hasPairs(2));
        assertTrue(LayerScores.scorable(new long[] {2, 5}));
        assertFalse(LayerScores.scorable(new long[] {2, 1, 5}), "one language without pairs: no key regions in the layer");
        assertFalse(LayerScores.scorable(new long[] {9}), "z needs at least two languages");
        assertFalse(LayerScores.isKey(2.0, 2.0));
        assertTrue(LayerScores.isKey(Math.nextUp(2.0), 2.0));
    }
}
