package io.linguaflow.analysis.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.metrics.PairClassSums;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The sums behind the published metrics are a function of the set of terms: the same values summed in shuffled orders
 * and random split/merge trees give the same bits, equal to the correctly rounded exact sum (BigDecimal), while plain
 * float64 summation of the same values gives several different results (docs/math.md §10).
 */
class OrderIndependentSumsTest {

    private static final int ORDERS = 40;

    /** Terms of mixed signs over eight decades, as normalised activations are. */
    private static double[] terms(Random rnd, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextGaussian() * Math.pow(10, -rnd.nextInt(8));
        }
        return x;
    }

    /** The exact sum rounded to nearest: BigDecimal sums exactly, and parseDouble rounds correctly. */
    private static double exact(double[] x) {
        BigDecimal s = BigDecimal.ZERO;
        for (double v : x) {
            s = s.add(new BigDecimal(v));
        }
        return Double.parseDouble(s.toString());
    }

    private static double[] shuffled(double[] x, Random rnd) {
        List<Double> l = new ArrayList<>();
        for (double v : x) {
            l.add(v);
        }
        Collections.shuffle(l, rnd);
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Sums x[from, to) as a random binary tree: each part summed on its own, then merged. */
    private static CompensatedSum tree(double[] x, int from, int to, Random rnd) {
        if (to - from <= 3) {
            CompensatedSum s = new CompensatedSum();
            for (int i = from; i < to; i++) {
                s.add(x[i]);
            }
            return s;
        }
        int cut = from + 1 + rnd.nextInt(to - from - 1);
        CompensatedSum left = tree(x, from, cut, rnd);
        CompensatedSum right = tree(x, cut, to, rnd);
        if (rnd.nextBoolean()) {
            left.add(right);
            return left;
        }
        right.add(left);
        return right;
    }

    @Test
    void compensatedSumsAreBitIdenticalInEveryOrderAndTreeWherePlainSumsAreNot() {
        Random rnd = new Random(11);
        int distinctPlainSets = 0;
        for (int set = 0; set < 20; set++) {
            double[] x = terms(rnd, 500);
            long expected = Double.doubleToLongBits(exact(x));
            Set<Long> plain = new HashSet<>();
            for (int o = 0; o < ORDERS; o++) {
                double[] y = shuffled(x, rnd);
                CompensatedSum s = new CompensatedSum();
                double p = 0;
                for (double v : y) {
                    s.add(v);
                    p += v;
                }
                plain.add(Double.doubleToLongBits(p));
                assertEquals(expected, Double.doubleToLongBits(s.value()), "set " + set + ", order " + o);
                assertEquals(expected, Double.doubleToLongBits(tree(y, 0, y.length, rnd).value()), "set " + set + ", tree " + o);
            }
            distinctPlainSets += plain.size() > 1 ? 1 : 0;
        }
        // the test data is such that plain float64 summation is order-dependent: otherwise this test proves nothing
        assertTrue(distinctPlainSets >= 15, "plain float64 sums differed between orders in only " + distinctPlainSets + " of 20 sets");
    }

    private static List<LayerVector> vectors(Random rnd, int n, int d) {
        List<LayerVector> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] v = new double[d];
            int[] pos = new int[d];
            for (int k = 0; k < d; k++) {
                v[k] = (float) (rnd.nextGaussian() * Math.pow(10, -rnd.nextInt(6))); // float32 activations, widened
                pos[k] = rnd.nextInt(50);
            }
            double layerNorm = LayerVector.norm(v);
            out.add(new LayerVector(v, layerNorm, layerNorm * (1 + 3 * rnd.nextDouble()), pos, 50));
        }
        return out;
    }

    /** Sums a group of the vectors in [from, to) as a random split/merge tree. */
    private static GroupSums groupTree(List<LayerVector> v, int from, int to, Random rnd) {
        if (to - from <= 2) {
            GroupSums g = GroupSums.withNeuronStatistics(v.get(0).dimension());
            v.subList(from, to).forEach(g::add);
            return g;
        }
        int cut = from + 1 + rnd.nextInt(to - from - 1);
        GroupSums left = groupTree(v, from, cut, rnd);
        GroupSums right = groupTree(v, cut, to, rnd);
        left.merge(right);
        return left;
    }

    @Test
    void groupSumsAreAFunctionOfTheSetOfSamples() {
        Random rnd = new Random(17);
        int d = 48;
        List<LayerVector> samples = vectors(rnd, 120, d);
        GroupSums reference = GroupSums.withNeuronStatistics(d);
        samples.forEach(reference::add);
        // independent check: every neuron's sum is the correctly rounded exact sum of the normalised values
        for (int k = 0; k < d; k++) {
            double[] xm = new double[samples.size()];
            double[] sq = new double[samples.size()];
            for (int i = 0; i < xm.length; i++) {
                LayerVector v = samples.get(i);
                xm[i] = v.values()[k] / v.modelNorm();
                sq[i] = xm[i] * xm[i];
            }
            assertEquals(exact(xm), reference.sum(Normalisation.MODEL)[k], 0, "neuron " + k);
            assertEquals(exact(sq), reference.squaresModel()[k], 0, "neuron " + k);
        }
        Set<Long> plainFirstNeuron = new HashSet<>();
        for (int o = 0; o < ORDERS; o++) {
            List<LayerVector> order = new ArrayList<>(samples);
            Collections.shuffle(order, rnd);
            GroupSums g = o % 2 == 0 ? GroupSums.withNeuronStatistics(d) : null;
            if (g != null) {
                order.forEach(g::add);
            } else {
                g = groupTree(order, 0, order.size(), rnd);
                // a restart: the state goes through its encoding half-way through a merge tree
                g = GroupSums.decode(g.encode());
            }
            assertSameVectorSums(reference, g, "order " + o);
            assertArrayEquals(reference.squaresModel(), g.squaresModel(), 0, "order " + o);
            assertArrayEquals(reference.positiveCounts(), g.positiveCounts());
            double plain = 0;
            for (LayerVector v : order) {
                plain += v.values()[0] / v.modelNorm();
            }
            plainFirstNeuron.add(Double.doubleToLongBits(plain));
        }
        assertTrue(plainFirstNeuron.size() > 1, "plain float64 summation of neuron 0 happened to be order-independent on this data");
    }

    @Test
    void theTotalMergedFromTheLanguageGroupsIsTheTotalAddedSampleBySample() {
        Random rnd = new Random(29);
        int d = 48;
        List<LayerVector> samples = vectors(rnd, 180, d);
        GroupSums added = GroupSums.vectorSums(d);
        samples.forEach(added::add);
        for (int o = 0; o < ORDERS; o++) {
            // 9 language groups of random sizes, each filled in its own order; merged in a random order of the languages
            List<GroupSums> languages = new ArrayList<>();
            for (int l = 0; l < 9; l++) {
                languages.add(GroupSums.withNeuronStatistics(d));
            }
            List<LayerVector> order = new ArrayList<>(samples);
            Collections.shuffle(order, rnd);
            order.forEach(v -> languages.get(rnd.nextInt(9)).add(v));
            Collections.shuffle(languages, rnd);
            GroupSums merged = GroupSums.vectorSums(d);
            languages.forEach(merged::merge);
            assertSameVectorSums(added, merged, "order " + o);
            assertNull(merged.positiveCounts(), "a vector-sums group keeps no activation counts");
        }
    }

    /** Σx in both normalisations bit for bit, and the scalars read from them. */
    private static void assertSameVectorSums(GroupSums expected, GroupSums actual, String where) {
        assertArrayEquals(expected.sum(Normalisation.MODEL), actual.sum(Normalisation.MODEL), 0, where);
        assertArrayEquals(expected.sum(Normalisation.LAYER), actual.sum(Normalisation.LAYER), 0, where);
        assertEquals(expected.scalars(Normalisation.MODEL), actual.scalars(Normalisation.MODEL), where);
        assertEquals(expected.scalars(Normalisation.LAYER), actual.scalars(Normalisation.LAYER), where);
    }

    @Test
    void pairClassSumsDoNotDependOnTheOrderOfTheGroups() {
        Random rnd = new Random(23);
        List<GroupScalars> meanings = new ArrayList<>();
        List<GroupScalars> languages = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            meanings.add(new GroupScalars(4, 4 * rnd.nextDouble() * Math.pow(10, -rnd.nextInt(4)), rnd.nextDouble()));
        }
        for (int i = 0; i < 4; i++) {
            languages.add(new GroupScalars(300, 300 * rnd.nextDouble(), 300 * rnd.nextDouble()));
        }
        GroupScalars total = new GroupScalars(1200, 2000 * rnd.nextDouble(), 1200 * rnd.nextDouble());
        PairClassSums reference = PairClassSums.of(total, languages, meanings);
        Set<Long> plain = new HashSet<>();
        for (int o = 0; o < ORDERS; o++) {
            Collections.shuffle(meanings, rnd);
            Collections.shuffle(languages, rnd);
            assertEquals(reference, PairClassSums.of(total, languages, meanings), "order " + o);
            double p = 0;
            for (GroupScalars g : meanings) {
                p += g.sumNormSquared();
            }
            plain.add(Double.doubleToLongBits(p));
        }
        assertTrue(plain.size() > 1, "plain float64 summation over the meanings happened to be order-independent on this data");
    }
}
