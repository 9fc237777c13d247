package io.linguaflow.streams.instruments;

import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.codec.LittleEndian;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One sample's instrument inputs in one layer as {@value InstrumentTopology#SAMPLES_STORE} keeps them: the worker's
 * optional {@code maxValues} (expert neurons) and sampled tokens (language probes), with the corpus index that orders
 * the rows as the batch commands order them. Encoding (little-endian): version byte 1, int32 corpus index, flags byte
 * (1 = maxima, 2 = tokens); with maxima int32 D and D float32; with tokens the source byte ({@link #SOURCES} index),
 * int32 P, int32 W, P int32 positions and P·W float32 vectors (position-major), as the record carried them.
 *
 * @param index        the sample's row in the corpus
 * @param maxima       per neuron of the layer, the activation maximised over the sample's tokens; null when not captured
 * @param source       which vector the tokens hold ({@code block_output} or {@code mlp_activation}); null without tokens
 * @param positions    ascending sampled token positions; null without tokens
 * @param tokenVectors {@code positions.length × width} float32, position-major; null without tokens
 * @param width        features per token (0 without tokens or with none sampled)
 */
public record InstrumentSample(int index, float[] maxima, String source, int[] positions, float[] tokenVectors, int width) {

    /** The {@code sampledTokenSource} values a worker writes. */
    public static final List<String> SOURCES = List.of("block_output", "mlp_activation");
    private static final byte VERSION = 1;
    private static final byte MAXIMA = 1;
    private static final byte TOKENS = 2;

    public boolean hasMaxima() {
        return maxima != null;
    }

    public boolean hasTokens() {
        return positions != null;
    }

    /**
     * The store value of a record's extension fields, checked; null when it carries none (then nothing is stored: the
     * mean-vector path costs nothing more).
     *
     * @param where names the record in errors
     * @throws IllegalArgumentException naming the record and the defect
     */
    public static byte[] encode(ActivationRecord a, String where) {
        boolean tokens = a.getSampledTokenPositions() != null || a.getSampledTokenVectors() != null || a.getSampledTokenSource() != null;
        if (a.getMaxValues() == null && !tokens) {
            return null;
        }
        float[] maxima = null;
        if (a.getMaxValues() != null) {
            try {
                maxima = LittleEndian.float32s("maxValues", a.getMaxValues(), a.getNeuronsPerLayer());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            finite(where, "maxValues", maxima);
        }
        int[] positions = null;
        float[] vectors = null;
        int width = 0;
        int source = -1;
        if (tokens) {
            if (a.getSampledTokenPositions() == null || a.getSampledTokenVectors() == null || a.getSampledTokenSource() == null) {
                throw new IllegalArgumentException(where + ": sampledTokenPositions, sampledTokenVectors and sampledTokenSource"
                        + " come together (one is missing)");
            }
            source = SOURCES.indexOf(a.getSampledTokenSource());
            if (source < 0) {
                throw new IllegalArgumentException(where + ": sampledTokenSource '" + a.getSampledTokenSource() + "' is not one of " + SOURCES);
            }
            int positionBytes = a.getSampledTokenPositions().remaining();
            if (positionBytes % Integer.BYTES != 0) {
                throw new IllegalArgumentException(where + ": sampledTokenPositions has " + positionBytes + " bytes, not a multiple of 4");
            }
            int p = positionBytes / Integer.BYTES;
            positions = LittleEndian.int32s("sampledTokenPositions", a.getSampledTokenPositions(), p);
            for (int i = 0; i < p; i++) {
                if (positions[i] < 0 || positions[i] >= a.getTokenCount() || (i > 0 && positions[i] <= positions[i - 1])) {
                    throw new IllegalArgumentException(where + ": sampledTokenPositions must ascend within [0, tokenCount "
                            + a.getTokenCount() + "), got " + java.util.Arrays.toString(positions));
                }
            }
            int vectorBytes = a.getSampledTokenVectors().remaining();
            if (p == 0 ? vectorBytes != 0 : vectorBytes == 0 || vectorBytes % (p * Float.BYTES) != 0) {
                throw new IllegalArgumentException(where + ": sampledTokenVectors has " + vectorBytes + " bytes, not "
                        + p + " positions x W float32");
            }
            width = p == 0 ? 0 : vectorBytes / (p * Float.BYTES);
            vectors = finite(where, "sampledTokenVectors", LittleEndian.float32s("sampledTokenVectors", a.getSampledTokenVectors(), p * width));
        }
        int size = 1 + 4 + 1 + (maxima == null ? 0 : 4 + 4 * maxima.length)
                + (positions == null ? 0 : 1 + 4 + 4 + 4 * positions.length + 4 * vectors.length);
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(VERSION).putInt(a.getIndex()).put((byte) ((maxima == null ? 0 : MAXIMA) | (positions == null ? 0 : TOKENS)));
        if (maxima != null) {
            b.putInt(maxima.length);
            b.asFloatBuffer().put(maxima);
            b.position(b.position() + 4 * maxima.length);
        }
        if (positions != null) {
            b.put((byte) source).putInt(positions.length).putInt(width);
            b.asIntBuffer().put(positions);
            b.position(b.position() + 4 * positions.length);
            b.asFloatBuffer().put(vectors);
        }
        return b.array();
    }

    /** @param key the store key, named in errors */
    public static InstrumentSample decode(String key, byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (b.get() != VERSION) {
                throw new IllegalStateException("version " + bytes[0] + ", expected " + VERSION);
            }
            int index = b.getInt();
            byte flags = b.get();
            float[] maxima = null;
            if ((flags & MAXIMA) != 0) {
                maxima = new float[b.getInt()];
                b.asFloatBuffer().get(maxima);
                b.position(b.position() + 4 * maxima.length);
            }
            String source = null;
            int[] positions = null;
            float[] vectors = null;
            int width = 0;
            if ((flags & TOKENS) != 0) {
                source = SOURCES.get(b.get());
                positions = new int[b.getInt()];
                width = b.getInt();
                b.asIntBuffer().get(positions);
                b.position(b.position() + 4 * positions.length);
                vectors = new float[positions.length * width];
                b.asFloatBuffer().get(vectors);
                b.position(b.position() + 4 * vectors.length);
            }
            if (b.hasRemaining()) {
                throw new IllegalStateException(b.remaining() + " bytes left over");
            }
            return new InstrumentSample(index, maxima, source, positions, vectors, width);
        } catch (RuntimeException e) {
            throw new IllegalStateException("instrument sample '" + key + "' is malformed (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
    }

    /** The vector of the sampled token at {@code p} (0-based among the sampled positions). */
    public float[] token(int p) {
        return java.util.Arrays.copyOfRange(tokenVectors, p * width, (p + 1) * width);
    }

    private static float[] finite(String where, String field, float[] values) {
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                throw new IllegalArgumentException(where + ": " + field + "[" + k + "] is " + values[k]);
            }
        }
        return values;
    }
}
