package io.linguaflow.analysis.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GroupSumsTest {

    private static LayerVector vector(Random rnd, int d, boolean counts) {
        double[] v = new double[d];
        int[] pos = new int[d];
        for (int k = 0; k < d; k++) {
            v[k] = rnd.nextGaussian();
            pos[k] = rnd.nextInt(300);
        }
        double modelNorm = LayerVector.norm(v) * (1 + rnd.nextDouble());
        return counts ? new LayerVector(v, LayerVector.norm(v), modelNorm, pos, 300 + rnd.nextInt(5)) : LayerVector.of(v, modelNorm);
    }

    @Test
    void addKeepsExactSumsSquaresAndScalars() {
        GroupSums g = GroupSums.withNeuronStatistics(2);
        g.add(new LayerVector(new double[] {3, 4}, 5, 10, new int[] {1, 2}, 7));
        g.add(new LayerVector(new double[] {0, -2}, 2, 4, new int[] {0, 5}, 3));
        assertEquals(2, g.count());
        assertArrayEquals(new double[] {0.3, 0.4 - 0.5}, g.sum(Normalisation.MODEL), 1e-15);
        assertArrayEquals(new double[] {0.6, 0.8 - 1.0}, g.sum(Normalisation.LAYER), 1e-15);
        assertArrayEquals(new double[] {0.09, 0.16 + 0.25}, g.squaresModel(), 1e-15);
        GroupScalars m = g.scalars(Normalisation.MODEL);
        assertEquals(0.09 + 0.01, m.sumNormSquared(), 1e-15);
        assertEquals(0.25 + 0.25, m.normSquaredSum(), 1e-15);
        assertEquals(2 * (0.3 * 0 + 0.4 * -0.5), m.pairSum(), 1e-15);
        assertEquals(2, g.scalars(Normalisation.LAYER).normSquaredSum(), 1e-15);
        assertArrayEquals(new long[] {1, 7}, g.positiveCounts());
        assertEquals(10, g.tokenCount());
    }

    @Test
    void mergeEqualsAddingEverythingToOneGroup() {
        Random rnd = new Random(3);
        GroupSums all = GroupSums.withNeuronStatistics(16);
        GroupSums a = GroupSums.withNeuronStatistics(16);
        GroupSums b = GroupSums.withNeuronStatistics(16);
        for (int i = 0; i < 20; i++) {
            LayerVector v = vector(rnd, 16, true);
            all.add(v);
            (i % 3 == 0 ? a : b).add(v);
        }
        b.merge(a);
        assertEquals(all.count(), b.count());
        // order-independent sums: bit for bit, not just close (OrderIndependentSumsTest shuffles harder)
        assertArrayEquals(all.sum(Normalisation.MODEL), b.sum(Normalisation.MODEL), 0);
        assertArrayEquals(all.squaresModel(), b.squaresModel(), 0);
        assertArrayEquals(all.positiveCounts(), b.positiveCounts());
        assertEquals(all.tokenCount(), b.tokenCount());
        assertEquals(all.scalars(Normalisation.LAYER), b.scalars(Normalisation.LAYER));
        assertEquals(all.scalars(Normalisation.MODEL), b.scalars(Normalisation.MODEL));
    }

    /** A slice made once, in arrays reused for the next sample, adds to each group what adding the vector adds. */
    @Test
    void aSliceInReusedArraysAddsWhatTheVectorAdds() {
        Random rnd = new Random(5);
        GroupSums direct = GroupSums.withNeuronStatistics(12);
        GroupSums language = GroupSums.withNeuronStatistics(12);
        GroupSums total = GroupSums.vectorSums(12);
        GroupSums directTotal = GroupSums.vectorSums(12);
        double[] xm = new double[12];
        double[] xl = new double[12];
        for (int i = 0; i < 10; i++) {
            LayerVector v = vector(rnd, 12, true);
            direct.add(v);
            directTotal.add(v);
            GroupSums.Slice x = GroupSums.slice(v, xm, xl);
            assertEquals(v.values()[3] / v.modelNorm(), x.model()[3]);
            assertEquals(v.values()[3] / v.layerNorm(), x.layer()[3]);
            language.add(x);
            total.add(x);
        }
        assertArrayEquals(direct.encode(), language.encode());
        assertArrayEquals(directTotal.encode(), total.encode());
        assertNull(total.positiveCounts()); // counts go to language groups only
        assertThrows(IllegalArgumentException.class, () -> GroupSums.slice(vector(rnd, 12, false), new double[11], xl));
        assertThrows(IllegalArgumentException.class, () -> GroupSums.vectorSums(13).add(GroupSums.slice(vector(rnd, 12, false))));
    }

    /** A cleared group is a new one: filled again, it encodes to the same bytes as a group made for those samples alone. */
    @Test
    void aClearedGroupFilledAgainEqualsANewOneBitForBit() {
        Random rnd = new Random(21);
        for (boolean language : new boolean[] {false, true}) {
            GroupSums reused = language ? GroupSums.withNeuronStatistics(9) : GroupSums.vectorSums(9);
            for (int i = 0; i < 5; i++) {
                reused.add(vector(rnd, 9, true));
            }
            reused.encode(); // its squared sums computed, so a stale value would show
            GroupSums fresh = language ? GroupSums.withNeuronStatistics(9) : GroupSums.vectorSums(9);
            assertArrayEquals(fresh.encode(), reused.clear().encode(), "cleared, language group: " + language);
            for (int i = 0; i < 3; i++) {
                LayerVector v = vector(rnd, 9, i != 1);
                reused.add(v);
                fresh.add(v);
            }
            assertArrayEquals(fresh.encode(), reused.encode(), "refilled, language group: " + language);
        }
    }

    /** Version 1 values (plain float64 sums) from a store written by an older build are read with low parts 0. */
    @Test
    void version1ValuesAreReadWithZeroLowParts() {
        Random rnd = new Random(9);
        GroupSums g = GroupSums.withNeuronStatistics(5);
        for (int i = 0; i < 3; i++) {
            g.add(vector(rnd, 5, true));
        }
        byte[] v2 = g.encode();
        // the version 1 layout: the same header without the two low parts, the sums without theirs, the same varints
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(v2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.nio.ByteBuffer v1 = java.nio.ByteBuffer.allocate(v2.length - 16 - 3 * 8 * 5).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        v1.put((byte) 1).put(in.get(1)).putInt(in.getInt(2)).putLong(in.getLong(6)).putLong(in.getLong(14));
        v1.putDouble(in.getDouble(22)).putDouble(in.getDouble(30)).putDouble(in.getDouble(38)).putDouble(in.getDouble(54));
        int vectors = 70;
        for (int sum = 0; sum < 3; sum++) {
            for (int k = 0; k < 5; k++) {
                v1.putDouble(in.getDouble(vectors + 8 * (10 * sum + k)));
            }
        }
        v1.put(Arrays.copyOfRange(v2, vectors + 6 * 8 * 5, v2.length));
        GroupSums back = GroupSums.decode(v1.array());
        assertEquals(g.scalars(Normalisation.MODEL), back.scalars(Normalisation.MODEL));
        assertEquals(g.scalars(Normalisation.LAYER), back.scalars(Normalisation.LAYER));
        assertArrayEquals(g.sum(Normalisation.MODEL), back.sum(Normalisation.MODEL), 0);
        assertArrayEquals(g.sum(Normalisation.LAYER), back.sum(Normalisation.LAYER), 0);
        assertArrayEquals(g.squaresModel(), back.squaresModel(), 0);
        assertArrayEquals(g.positiveCounts(), back.positiveCounts());
        byte[] again = back.encode();
        assertEquals(GroupSums.ENCODING_VERSION, again[0], "re-encoded in the current version");
        assertEquals(0.0, java.nio.ByteBuffer.wrap(again).order(java.nio.ByteOrder.LITTLE_ENDIAN).getDouble(vectors + 8 * 5), "low parts 0");
    }

    @Test
    void encodingRoundTripsBitExactly() {
        Random rnd = new Random(5);
        for (boolean language : new boolean[] {false, true}) {
            for (boolean counts : new boolean[] {false, true}) {
                GroupSums g = language ? GroupSums.withNeuronStatistics(33) : GroupSums.vectorSums(33);
                for (int i = 0; i < 4; i++) {
                    g.add(vector(rnd, 33, counts));
                }
                byte[] bytes = g.encode();
                assertEquals(g.encodedSize(), bytes.length);
                GroupSums back = GroupSums.decode(bytes);
                assertArrayEquals(bytes, back.encode(), "re-encoding is identical");
                assertEquals(g.scalars(Normalisation.MODEL), back.scalars(Normalisation.MODEL));
                assertArrayEquals(g.sum(Normalisation.LAYER), back.sum(Normalisation.LAYER), 0);
                if (language && counts) {
                    assertArrayEquals(g.positiveCounts(), back.positiveCounts());
                    assertEquals(g.tokenCount(), back.tokenCount());
                    // positive counts are varints: far below 8 bytes each
                    assertTrue(bytes.length < 1 + 1 + 4 + 8 + 8 + 48 + 6 * 8 * 33 + 2 * 33 + 1);
                } else {
                    assertNull(back.positiveCounts());
                }
            }
        }
    }

    @Test
    void positiveCountsAreLeb128VarintsAtTheEnd() {
        GroupSums g = GroupSums.withNeuronStatistics(3);
        g.add(new LayerVector(new double[] {1, -2, 3}, Math.sqrt(14), 5, new int[] {0, 127, 300}, 300));
        g.add(new LayerVector(new double[] {1, 1, 1}, Math.sqrt(3), 4, new int[] {0, 1, 1_000_000}, 1_000_000));
        byte[] bytes = g.encode();
        int counts = 1 + 1 + 4 + 8 + 8 + 48 + 6 * 8 * 3;
        // 0 | 128 = 0x80 0x01 | 1,000,300 = 0xEC 0x86 0x3D (7 bits per byte, low group first, high bit = more)
        assertArrayEquals(new byte[] {0, (byte) 0x80, 0x01, (byte) 0xEC, (byte) 0x86, 0x3D}, Arrays.copyOfRange(bytes, counts, bytes.length));
        assertEquals(bytes.length, g.encodedSize());
        assertArrayEquals(new long[] {0, 128, 1_000_300}, GroupSums.decode(bytes).positiveCounts());
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 1); // inside the last varint
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GroupSums.decode(cut)).getMessage().contains("truncated"));
    }

    /** Sums built without the counts, given the counts logged apart, are the group built with them, byte for byte. */
    @Test
    void activationCountsRestoredApartGiveTheGroupBuiltWithThem() {
        Random rnd = new Random(12);
        GroupSums with = GroupSums.withNeuronStatistics(40);
        GroupSums without = GroupSums.withNeuronStatistics(40);
        for (int i = 0; i < 7; i++) {
            LayerVector v = vector(rnd, 40, true);
            with.add(v);
            without.add(new LayerVector(v.values(), v.layerNorm(), v.modelNorm(), null, 0));
        }
        byte[] counts = with.encodeActivationCounts();
        without.restoreActivationCounts(counts);
        assertArrayEquals(with.encode(), without.encode());
        assertNull(GroupSums.vectorSums(40).encodeActivationCounts(), "no counts, nothing to log");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GroupSums.withNeuronStatistics(41).restoreActivationCounts(counts))
                .getMessage().contains("do not fit language group of 41 neurons"));
        byte[] cut = Arrays.copyOf(counts, counts.length - 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> without.restoreActivationCounts(cut)).getMessage().contains("truncated"));
    }

    @Test
    void decodeRejectsForeignVersionsAndDamage() {
        GroupSums g = GroupSums.vectorSums(4);
        g.add(LayerVector.of(new double[] {1, 2, 3, 4}, 10));
        byte[] bytes = g.encode();
        byte[] foreign = bytes.clone();
        foreign[0] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GroupSums.decode(foreign)).getMessage().contains("version 9"));
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GroupSums.decode(truncated)).getMessage().contains("truncated"));
        byte[] hugeD = bytes.clone();
        hugeD[5] = 0x7f; // D = 0x7f000004: rejected before allocating
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GroupSums.decode(hugeD)).getMessage().contains("damaged"));
        byte[] flags = bytes.clone();
        flags[1] = 8;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GroupSums.decode(flags)).getMessage().contains("unknown flags"));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GroupSums.decode(longer)).getMessage().contains("trailing"));
    }

    @Test
    void badVectorsAreRejected() {
        GroupSums g = GroupSums.vectorSums(2);
        assertThrows(IllegalArgumentException.class, () -> g.add(LayerVector.of(new double[] {1, 2, 3}, 10)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerVector.of(new double[] {0, 0}, 1)).getMessage().contains("all-zero"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerVector.of(new double[] {Double.NaN, 1}, 1)).getMessage()
                .contains("non-finite"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerVector.of(new double[] {3, 4}, 4)).getMessage()
                .contains("whole-model norm"));
        // a language group cannot take a group without neuron statistics (a vector-sums group can take a language group)
        assertThrows(IllegalArgumentException.class, () -> GroupSums.withNeuronStatistics(2).merge(g));
        assertThrows(IllegalArgumentException.class, () -> g.merge(GroupSums.withNeuronStatistics(3)));
    }

    @Test
    void float32RecordsAreWidenedExactly() {
        LayerVector v = LayerVector.fromFloats(new float[] {0.1f, -2.5f}, 2.5019993f, 3f, new int[] {1, 0}, 4);
        assertArrayEquals(new double[] {0.1f, -2.5}, v.values(), 0);
        assertEquals(4, v.tokenCount());
        assertThrows(IllegalArgumentException.class, () -> LayerVector.fromFloats(new float[] {1}, 1, 1, null, 3));
    }

    @Test
    void layerStatisticsRejectDuplicateCells() {
        LayerStatistics s = new LayerStatistics(2);
        s.add("en", "s1", LayerVector.of(new double[] {1, 2}, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.add("en", "s1", LayerVector.of(new double[] {1, 2}, 3)));
        assertTrue(e.getMessage().contains("duplicate sample (language 'en', meaning 's1')"), e.getMessage());
        LayerStatistics other = new LayerStatistics(2);
        other.add("en", "s1", LayerVector.of(new double[] {2, 2}, 3));
        assertThrows(IllegalArgumentException.class, () -> s.merge(other));
    }
}
