package io.linguaflow.streams.aggregator;

import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.schemas.avro.ActivationRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One sample's pooled vector in one layer as the {@value AggregatorTopology#VECTORS_STORE} store keeps it, decoded: all
 * that the similarity map needs, and all that the layer's groups need to be rebuilt from it ({@link GroupsFromVectors})
 * but their activation counts, which the group store logs per language ({@link GroupSumsStore#hold}).
 * Encoding (little-endian), version 3: version byte, int32 corpus index, float64 layer norm ‖h̄ᵐ‖, float64 whole-model
 * norm ‖h̄‖, int32 token count, int32 D, a byte W (bytes per positive count), the record's D float32 values as 4 byte
 * planes (byte 0 of every value, then byte 1, …), then D positive counts as W byte planes. This build writes W = 0: one
 * byte per neuron and sample was 15 % of the changelog (ops/bench/README.md); older builds wrote 1, 2 or 4, the fewest
 * that hold the token count. The planes change nothing but the order of the bytes: they put the values' sign and
 * exponent bytes side by side, which the changelog's compression packs better than interleaved floats. Version 2 had
 * the same fields with each value's and count's bytes together; version 1 had neither the token count nor the positive
 * counts (21 + 4·D bytes). All are still read.
 *
 * @param index          the sample's row in the corpus (the map's order)
 * @param layerNorm      ‖h̄ᵐ‖ as the record carried it
 * @param modelNorm      ‖[h̄¹|…|h̄ᴹ]‖ as the record carried it
 * @param values         h̄ᵐ, widened from float32
 * @param positiveCounts tokens on which each neuron was positive, or null (W = 0, or a version 1 value)
 * @param tokenCount     the tokens those counts are over (0 without counts)
 */
public record StoredVector(int index, double layerNorm, double modelNorm, double[] values, int[] positiveCounts, long tokenCount) {

    private static final byte VERSION_1 = 1;
    private static final byte VERSION_2 = 2;
    private static final byte VERSION = 3;
    private static final int HEADER_1 = 1 + 4 + 8 + 8;
    private static final int HEADER = HEADER_1 + 4 + 4 + 1;

    /** The value for a record that {@link Activations#vector} accepted as {@code v}: its values and norms, no counts. */
    static byte[] encode(ActivationRecord a, LayerVector v) {
        ByteBuffer values = a.getValues();
        int d = v.dimension();
        byte[] out = new byte[HEADER + 4 * d];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).put(VERSION).putInt(a.getIndex()).putDouble(v.layerNorm())
                .putDouble(v.modelNorm()).putInt((int) v.tokenCount()).putInt(d).put((byte) 0);
        int from = values.position();
        for (int p = 0; p < 4; p++) {
            int plane = HEADER + p * d;
            for (int k = 0; k < d; k++) {
                out[plane + k] = values.get(from + 4 * k + p);
            }
        }
        return out;
    }

    /** @param key the store key, named in errors */
    public static StoredVector decode(String key, byte[] bytes) {
        if (bytes.length > 0 && bytes[0] == VERSION_1 && bytes.length >= HEADER_1 && (bytes.length - HEADER_1) % 4 == 0) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).position(1);
            return new StoredVector(b.getInt(), b.getDouble(), b.getDouble(), floats(bytes, HEADER_1, (bytes.length - HEADER_1) / 4, false),
                    null, 0);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int d = bytes.length >= HEADER ? b.getInt(HEADER - 5) : -1;
        int width = bytes.length >= HEADER ? bytes[HEADER - 1] : -1;
        if (bytes.length < HEADER || (bytes[0] != VERSION && bytes[0] != VERSION_2) || d < 1
                || !(width == 0 || width == 1 || width == 2 || width == 4) || bytes.length != HEADER + (4L + width) * d) {
            throw new IllegalStateException("stored vector '" + key + "' is malformed: " + bytes.length + " bytes, version "
                    + (bytes.length == 0 ? "none" : bytes[0]) + " (expected version " + VERSION + " or " + VERSION_2 + ": " + HEADER
                    + " + (4 + W) x D bytes, or version " + VERSION_1 + ": " + HEADER_1 + " + 4 x D bytes)");
        }
        boolean planes = bytes[0] == VERSION;
        b.position(1);
        int index = b.getInt();
        double layerNorm = b.getDouble();
        double modelNorm = b.getDouble();
        long tokenCount = b.getInt();
        double[] values = floats(bytes, HEADER, d, planes);
        int[] counts = width == 0 ? null : new int[d];
        for (int k = 0; counts != null && k < d; k++) {
            counts[k] = element(bytes, HEADER + 4 * d, d, width, k, planes);
        }
        return new StoredVector(index, layerNorm, modelNorm, values, counts, counts == null ? 0 : tokenCount);
    }

    /** The sample as the aggregator added it to its groups. */
    LayerVector layerVector() {
        return new LayerVector(values, layerNorm, modelNorm, positiveCounts, tokenCount);
    }

    private static double[] floats(byte[] bytes, int at, int d, boolean planes) {
        double[] values = new double[d];
        for (int k = 0; k < d; k++) {
            values[k] = Float.intBitsToFloat(element(bytes, at, d, 4, k, planes));
        }
        return values;
    }

    /**
     * Element k of D little-endian integers of {@code width} bytes from {@code at}: byte p in plane p (version 3), or the
     * element's bytes together (versions 1 and 2).
     */
    private static int element(byte[] bytes, int at, int d, int width, int k, boolean planes) {
        int v = 0;
        for (int p = 0; p < width; p++) {
            v |= Byte.toUnsignedInt(bytes[planes ? at + p * d + k : at + width * k + p]) << 8 * p;
        }
        return v;
    }
}
