package io.linguaflow.schemas.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * Number arrays packed little-endian into Avro {@code bytes} fields ({@code ActivationRecord.values} float32,
 * {@code ActivationRecord.positiveCounts} int32, the streams' {@code LayerPartial.positiveCounts} int64): the one place
 * that knows that layout. Encoders return a buffer positioned at 0; decoders read the buffer's remaining bytes without
 * moving its position, and reject a length other than the expected count with a message naming the field.
 */
public final class LittleEndian {

    private LittleEndian() {
    }

    public static ByteBuffer float32s(float[] values) {
        ByteBuffer b = allocate(values.length, Float.BYTES);
        b.asFloatBuffer().put(values);
        return b;
    }

    public static ByteBuffer int32s(int[] values) {
        ByteBuffer b = allocate(values.length, Integer.BYTES);
        b.asIntBuffer().put(values);
        return b;
    }

    public static ByteBuffer int64s(long[] values) {
        ByteBuffer b = allocate(values.length, Long.BYTES);
        b.asLongBuffer().put(values);
        return b;
    }

    /** @throws IllegalArgumentException when {@code bytes} does not hold exactly {@code count} float32 */
    public static float[] float32s(String field, ByteBuffer bytes, int count) {
        float[] out = new float[count];
        read(field, bytes, count, Float.BYTES, false).asFloatBuffer().get(out);
        return out;
    }

    /** The float32 values widened to float64, without a float[] between. @see #float32s(String, ByteBuffer, int) */
    public static double[] float32sWidened(String field, ByteBuffer bytes, int count) {
        return float32sWidened(field, bytes, count, null);
    }

    /**
     * {@link #float32sWidened(String, ByteBuffer, int)} into {@code reuse} when it has {@code count} elements (a caller
     * that reads one record after another: no 8·count bytes of garbage each), else into a new array; allocated only once
     * the bytes are checked.
     */
    public static double[] float32sWidened(String field, ByteBuffer bytes, int count, double[] reuse) {
        ByteBuffer b = read(field, bytes, count, Float.BYTES, false);
        int at = b.position();
        double[] out = reuse != null && reuse.length == count ? reuse : new double[count];
        for (int k = 0; k < count; k++) {
            out[k] = b.getFloat(at + Float.BYTES * k);
        }
        return out;
    }

    /** @throws IllegalArgumentException when {@code bytes} does not hold exactly {@code count} int32 */
    public static int[] int32s(String field, ByteBuffer bytes, int count) {
        int[] out = new int[count];
        read(field, bytes, count, Integer.BYTES, false).asIntBuffer().get(out);
        return out;
    }

    /**
     * For a field that may be left empty: null when {@code bytes} is empty.
     *
     * @throws IllegalArgumentException when {@code bytes} holds neither nothing nor exactly {@code count} int32
     */
    public static int[] int32sOrNull(String field, ByteBuffer bytes, int count) {
        return int32sOrNull(field, bytes, count, null);
    }

    /** {@link #int32sOrNull(String, ByteBuffer, int)} into {@code reuse} when it has {@code count} elements, as for floats. */
    public static int[] int32sOrNull(String field, ByteBuffer bytes, int count, int[] reuse) {
        if (bytes != null && !bytes.hasRemaining()) {
            return null;
        }
        IntBuffer values = read(field, bytes, count, Integer.BYTES, true).asIntBuffer();
        int[] out = reuse != null && reuse.length == count ? reuse : new int[count];
        values.get(out);
        return out;
    }

    /** @throws IllegalArgumentException when {@code bytes} does not hold exactly {@code count} int64 */
    public static long[] int64s(String field, ByteBuffer bytes, int count) {
        long[] out = new long[count];
        read(field, bytes, count, Long.BYTES, false).asLongBuffer().get(out);
        return out;
    }

    private static ByteBuffer allocate(int count, int width) {
        return ByteBuffer.allocate(Math.multiplyExact(count, width)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A little-endian view of {@code bytes}' remaining bytes, checked to be {@code count} values of {@code width} bytes. */
    private static ByteBuffer read(String field, ByteBuffer bytes, int count, int width, boolean mayBeEmpty) {
        if (bytes == null) {
            throw new IllegalArgumentException(field + " is missing");
        }
        if (count < 0) {
            throw new IllegalArgumentException(field + ": count " + count + " < 0");
        }
        if (bytes.remaining() != (long) width * count) {
            throw new IllegalArgumentException(field + " hold " + bytes.remaining() + " bytes, expected "
                    + (mayBeEmpty ? "0 or " : "") + width + " x " + count);
        }
        return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
}
