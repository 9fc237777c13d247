package io.linguaflow.analysis.keyregions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeyRegionsTest {

    @Test
    void zUsesPopulationSigmaAndZeroSigmaIsNeverSelected() {
        // neuron 0: one language stands out -> z = sqrt(L-1) for it; neuron 1: all equal -> sigma 0 -> z 0
        double[][] c = new double[9][2];
        c[4][0] = 5;
        for (double[] row : c) {
            row[1] = 0.25;
        }
        double[][] z = ZScores.of(c);
        assertEquals(Math.sqrt(8), z[4][0], 1e-12);
        assertEquals(-1 / Math.sqrt(8), z[0][0], 1e-12);
        for (double[] row : z) {
            assertEquals(0, row[1]);
        }
        assertEquals(Math.sqrt(8), ZScores.maxReachable(9), 0);
    }

    @Test
    void regionsAreStrictAscendingFlatIndicesWithPerLayerCountsAndSklr() {
        List<String> langs = List.of("a", "b", "c", "d", "e", "f");
        KeyRegions.Builder b = new KeyRegions.Builder(langs, 2, 3, 2.0);
        double[][] z0 = new double[6][3];
        z0[0][2] = 2.0000001;
        z0[1][0] = 2.0; // not strictly above
        double[][] z1 = new double[6][3];
        z1[0][0] = 2.1;
        z1[5][1] = 2.2;
        z1[5][2] = 3;
        KeyRegions r = b.addLayer(0, z0).addLayer(1, z1).build();
        assertArrayEquals(new long[] {2, 3}, r.neurons().get("a"));
        assertArrayEquals(new long[0], r.neurons().get("b"));
        assertArrayEquals(new long[] {4, 5}, r.neurons().get("f"));
        assertArrayEquals(new int[] {1, 1}, r.countsPerLayer().get("a"));
        assertArrayEquals(new int[] {0, 2}, r.countsPerLayer().get("f"));
        assertEquals(4, r.sklr());
        assertArrayEquals(new long[] {1, 3}, r.sklrPerLayer());
        assertEquals(4 / 6.0, r.sklrFraction(), 1e-15);
        assertEquals(null, r.warning());
    }

    @Test
    void layersMustComeInOrderAndAll() {
        KeyRegions.Builder b = new KeyRegions.Builder(List.of("a", "b"), 2, 1, 0.5);
        assertThrows(IllegalArgumentException.class, () -> b.addLayer(1, new double[2][1]));
        b.addLayer(0, new double[2][1]);
        assertThrows(IllegalStateException.class, b::build);
    }
}
