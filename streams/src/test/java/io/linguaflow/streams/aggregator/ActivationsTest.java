package io.linguaflow.streams.aggregator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.schemas.avro.ActivationRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Reading activation records: exact values, and every defect named with the record it is in. */
class ActivationsTest {

    private static ActivationRecord record(float[] values, int[] positive, int tokens, double layerNorm, double modelNorm) {
        ByteBuffer v = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : values) {
            v.putFloat(x);
        }
        ByteBuffer p = ByteBuffer.allocate(positive == null ? 0 : 4 * positive.length).order(ByteOrder.LITTLE_ENDIAN);
        if (positive != null) {
            for (int c : positive) {
                p.putInt(c);
            }
        }
        return ActivationRecord.newBuilder().setCheckpointId("m@1").setCorpus("c").setSampleId("en|s1").setIndex(0).setLang("en")
                .setMeaningId("s1").setLayer(1).setLayers(2).setNeuronsPerLayer(values.length).setValues(v.flip())
                .setPositiveCounts(p.flip()).setTokenCount(tokens).setLayerNorm(layerNorm).setWholeModelNorm(modelNorm).build();
    }

    @Test
    void readsValuesCountsAndNorms() {
        LayerVector v = Activations.vector("m@1|1", record(new float[] {3f, -4f}, new int[] {2, 0}, 3, 5.0, 13.0));
        assertArrayEquals(new double[] {3, -4}, v.values());
        assertArrayEquals(new int[] {2, 0}, v.positiveCounts());
        assertEquals(3, v.tokenCount());
        assertEquals(5.0, v.layerNorm());
        assertEquals(13.0, v.modelNorm());
        LayerVector withoutCounts = Activations.vector(null, record(new float[] {3f, -4f}, null, 3, 5.0, 13.0));
        assertEquals(null, withoutCounts.positiveCounts());
        assertEquals(0, withoutCounts.tokenCount());
    }

    @Test
    void rejectsDefectsNamingTheRecord() {
        assertMessage(() -> Activations.vector("m@1|1", record(new float[] {3f, -4f}, new int[] {4, 0}, 3, 5.0, 13.0)),
                "positive count 4 of neuron 0 outside [0, tokenCount 3]");
        assertMessage(() -> Activations.vector("m@1|1", record(new float[] {3f, -4f}, new int[] {1}, 3, 5.0, 13.0)),
                "positiveCounts hold 4 bytes, expected 0 or 4 x 2");
        assertMessage(() -> Activations.vector("m@1|1", record(new float[] {3f, -4f}, null, 3, 5.0, 4.0)),
                "whole-model norm 4.0 must be finite and at least the layer norm 5.0");
        assertMessage(() -> Activations.vector("m@1|1", record(new float[] {0f, 0f}, null, 3, 0.0, 1.0)),
                "layer norm must be finite and > 0");
        assertMessage(() -> Activations.vector("m@1|1", ActivationRecord.newBuilder(record(new float[] {3f, -4f}, null, 3, 5.0, 13.0))
                .setSampleId("en|s2").build()), "sampleId must be '<lang>|<meaningId>' = 'en|s1'");
        assertMessage(() -> Activations.vector("m@1|1", ActivationRecord.newBuilder(record(new float[] {3f, -4f}, null, 3, 5.0, 13.0))
                .setLayer(2).build()), "layer 2 outside [0, 2)");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith("activation record (checkpoint 'm@1', sample '"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
