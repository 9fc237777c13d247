package io.linguaflow.streams.aggregator;

import io.linguaflow.schemas.avro.ActivationRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One sample's pooled vector in one layer as the {@value AggregatorTopology#VECTORS_STORE} store keeps it, decoded.
 * Encoding (little-endian, 21 + 4·D bytes): version byte 1, int32 corpus index, float64 layer norm ‖h̄ᵐ‖, float64
 * whole-model norm ‖h̄‖, then the record's D float32 values as they came.
 *
 * @param index     the sample's row in the corpus (the map's order)
 * @param layerNorm ‖h̄ᵐ‖ as the record carried it
 * @param modelNorm ‖[h̄¹|…|h̄ᴹ]‖ as the record carried it
 * @param values    h̄ᵐ, widened from float32
 */
public record StoredVector(int index, double layerNorm, double modelNorm, double[] values) {

    private static final byte VERSION = 1;
    private static final int HEADER = 1 + 4 + 8 + 8;

    /** The value for a record that {@link Activations#vector} accepted. */
    static byte[] encode(ActivationRecord a) {
        ByteBuffer values = a.getValues().duplicate();
        ByteBuffer b = ByteBuffer.allocate(HEADER + values.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(VERSION).putInt(a.getIndex()).putDouble(a.getLayerNorm()).putDouble(a.getWholeModelNorm()).put(values);
        return b.array();
    }

    /** @param key the store key, named in errors */
    public static StoredVector decode(String key, byte[] bytes) {
        if (bytes.length < HEADER || (bytes.length - HEADER) % 4 != 0 || bytes[0] != VERSION) {
            throw new IllegalStateException("stored vector '" + key + "' is malformed: " + bytes.length + " bytes, version "
                    + (bytes.length == 0 ? "none" : bytes[0]) + " (expected version " + VERSION + ", " + HEADER + " + 4 x D bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.get();
        int index = b.getInt();
        double layerNorm = b.getDouble();
        double modelNorm = b.getDouble();
        double[] values = new double[b.remaining() / 4];
        for (int k = 0; k < values.length; k++) {
            values[k] = b.getFloat();
        }
        return new StoredVector(index, layerNorm, modelNorm, values);
    }
}
