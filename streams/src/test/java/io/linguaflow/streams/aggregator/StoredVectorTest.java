package io.linguaflow.streams.aggregator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.schemas.avro.ActivationRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The similarity-vector encoding: the rebuild of the groups needs back exactly what the aggregator added. */
class StoredVectorTest {

    private static final float[] VALUES = {0.5f, -1.25f, 3e-7f, 2f};

    private static ActivationRecord record(int tokens, int[] counts) {
        ByteBuffer values = ByteBuffer.allocate(4 * VALUES.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : VALUES) {
            values.putFloat(v);
        }
        ByteBuffer positive = ByteBuffer.allocate(0); // none measured
        if (counts != null) {
            positive = ByteBuffer.allocate(4 * counts.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int c : counts) {
                positive.putInt(c);
            }
            positive.flip();
        }
        double norm = 0;
        for (float v : VALUES) {
            norm += (double) v * v;
        }
        return ActivationRecord.newBuilder().setCheckpointId("cp@0").setCorpus("c").setSampleId("en|s1").setIndex(7).setLang("en")
                .setMeaningId("s1").setLayer(0).setLayers(2).setNeuronsPerLayer(VALUES.length).setValues(values.flip())
                .setPositiveCounts(positive).setTokenCount(tokens).setLayerNorm(Math.sqrt(norm)).setWholeModelNorm(5.0).build();
    }

    /** The stored vector and the counts the group store logs give back the record's language group bit for bit. */
    @ParameterizedTest
    @ValueSource(ints = {200, 70000})
    void theGroupsOfTheDecodedVectorAndTheLoggedCountsEqualThoseOfTheRecordBitForBit(int tokens) {
        ActivationRecord a = record(tokens, new int[] {0, tokens, tokens / 3, tokens - 1});
        LayerVector v = Activations.vector(null, a);
        StoredVector stored = StoredVector.decode("k", StoredVector.encode(a, v));
        assertEquals(7, stored.index());
        assertArrayEquals(v.values(), stored.values());
        assertNull(stored.positiveCounts(), "the counts are logged per language, not per sample");
        GroupSums direct = GroupSums.withNeuronStatistics(VALUES.length);
        direct.add(v);
        GroupSums rebuilt = GroupSums.withNeuronStatistics(VALUES.length);
        rebuilt.add(stored.layerVector());
        rebuilt.restoreActivationCounts(direct.encodeActivationCounts());
        assertArrayEquals(direct.encode(), rebuilt.encode());
    }

    /** This build's values: the float32 bytes in planes, no counts; the counts of older builds' values still decode. */
    @Test
    void versionThreeKeepsTheBytesInPlanesAndOlderValuesWithCountsStillDecode() {
        int tokens = 300;
        int[] counts = {0, 300, 100, 299};
        ActivationRecord a = record(tokens, counts);
        LayerVector v = Activations.vector(null, a);
        byte[] encoded = StoredVector.encode(a, v);
        int d = VALUES.length;
        int header = 30;
        assertEquals(3, encoded[0]);
        assertEquals(0, encoded[header - 1], "W = 0: no counts");
        assertEquals(header + 4 * d, encoded.length);
        byte[] raw = new byte[4 * d];
        a.getValues().duplicate().get(raw);
        for (int k = 0; k < d; k++) {
            for (int p = 0; p < 4; p++) {
                assertEquals(raw[4 * k + p], encoded[header + p * d + k], "byte " + p + " of value " + k);
            }
        }
        ByteBuffer v3 = ByteBuffer.allocate(header + (4 + 2) * d).order(ByteOrder.LITTLE_ENDIAN); // an older build's, W = 2
        v3.put(Arrays.copyOf(encoded, encoded.length)).put(header - 1, (byte) 2);
        for (int p = 0; p < 2; p++) {
            for (int c : counts) {
                v3.put((byte) (c >>> 8 * p));
            }
        }
        ByteBuffer v2 = ByteBuffer.allocate(header + (4 + 2) * d).order(ByteOrder.LITTLE_ENDIAN);
        v2.put((byte) 2).putInt(7).putDouble(a.getLayerNorm()).putDouble(5.0).putInt(tokens).putInt(d).put((byte) 2)
                .put(a.getValues().duplicate());
        for (int c : counts) {
            v2.putShort((short) c);
        }
        for (byte[] older : List.of(v3.array(), v2.array())) {
            StoredVector old = StoredVector.decode("k", older);
            assertEquals(7, old.index());
            assertArrayEquals(v.values(), old.values());
            assertArrayEquals(counts, old.positiveCounts());
            assertEquals(tokens, old.tokenCount());
        }
    }

    @Test
    void aRecordWithoutCountsAndAnOlderVersionOneValueDecodeWithoutCounts() {
        ActivationRecord a = record(0, null);
        StoredVector stored = StoredVector.decode("k", StoredVector.encode(a, Activations.vector(null, a)));
        assertNull(stored.positiveCounts());
        assertEquals(0, stored.tokenCount());
        ByteBuffer v1 = ByteBuffer.allocate(21 + 4 * VALUES.length).order(ByteOrder.LITTLE_ENDIAN);
        v1.put((byte) 1).putInt(3).putDouble(a.getLayerNorm()).putDouble(5.0).put(a.getValues().duplicate());
        StoredVector old = StoredVector.decode("k", v1.array());
        assertEquals(3, old.index());
        assertEquals(0.5, old.values()[0]);
        assertNull(old.positiveCounts());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StoredVector.decode("cp@0|0|en|s1", new byte[] {2, 0, 0}));
        assertTrue(e.getMessage().startsWith("stored vector 'cp@0|0|en|s1' is malformed: 3 bytes, version 2"), e.getMessage());
    }
}
