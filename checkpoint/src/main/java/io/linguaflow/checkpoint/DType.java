package io.linguaflow.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The floating-point formats of safetensors tensors that {@link SafeTensors#readFloats} widens to float32 in Java:
 * DJL's BF16 path aborts the JVM, and the references compute in float32 anyway (HF's default). The constant names
 * are the safetensors dtype codes.
 */
public enum DType {
    F32, F16, BF16;

    /** Bytes per stored element. */
    public int bytes() {
        return SafetensorsHeader.DTYPE_BYTES.get(name());
    }

    /** The format of a safetensors dtype code, or null when it is not a supported float format (I64, F64, ...). */
    static DType fromCode(String code) {
        for (DType t : values()) {
            if (t.name().equals(code)) {
                return t;
            }
        }
        return null;
    }

    /** Exact float32 value of every IEEE half-precision bit pattern. */
    private static final float[] HALF = new float[1 << 16];

    static {
        for (int h = 0; h < HALF.length; h++) {
            HALF[h] = halfToFloat(h);
        }
    }

    private static float halfToFloat(int h) {
        int sign = (h >>> 15) & 1;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        float v;
        if (exp == 0) {
            v = mant * 0x1p-24f; // subnormal: mant * 2^-14 * 2^-10
        } else if (exp == 0x1f) {
            v = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            v = Float.intBitsToFloat(((exp - 15 + 127) << 23) | (mant << 13));
        }
        return sign == 1 ? -v : v;
    }

    /** Widens {@code count} little-endian values from {@code src} (at its position) into {@code dst}. */
    void widen(ByteBuffer src, FloatBuffer dst, int count) {
        ByteBuffer s = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (this) {
            case F32 -> {
                FloatBuffer f = s.asFloatBuffer();
                f.limit(count);
                dst.put(f);
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst.put(HALF[s.getShort() & 0xffff]);
                }
            }
            case BF16 -> {
                // bfloat16 is the upper half of a float32: widening is a 16-bit shift, exact.
                for (int i = 0; i < count; i++) {
                    dst.put(Float.intBitsToFloat((s.getShort() & 0xffff) << 16));
                }
            }
        }
    }
}
