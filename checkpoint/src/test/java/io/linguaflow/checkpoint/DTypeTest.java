package io.linguaflow.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class DTypeTest {

    private static float widen(DType t, int bits) {
        ByteBuffer src = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) bits);
        FloatBuffer dst = FloatBuffer.allocate(1);
        t.widen(src, dst, 1);
        return dst.get(0);
    }

    @Test
    void halfPrecisionWidensExactly() {
        assertEquals(1.0f, widen(DType.F16, 0x3c00));
        assertEquals(-2.0f, widen(DType.F16, 0xc000));
        assertEquals(65504f, widen(DType.F16, 0x7bff)); // largest normal
        assertEquals(0x1p-14f, widen(DType.F16, 0x0400)); // smallest normal
        assertEquals(0x1p-24f, widen(DType.F16, 0x0001)); // smallest subnormal
        assertEquals(0x3ffp-24f, widen(DType.F16, 0x03ff)); // largest subnormal
        assertEquals(Float.POSITIVE_INFINITY, widen(DType.F16, 0x7c00));
        assertTrue(Float.isNaN(widen(DType.F16, 0x7e00)));
        assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(widen(DType.F16, 0x8000)));
        assertEquals(0.333251953125f, widen(DType.F16, 0x3555)); // nearest half to 1/3
    }

    @Test
    void bfloat16IsTheUpperHalfOfFloat32() {
        assertEquals(1.0f, widen(DType.BF16, 0x3f80));
        assertEquals(-3.140625f, widen(DType.BF16, 0xc049));
        assertEquals(Float.intBitsToFloat(0x7f7f0000), widen(DType.BF16, 0x7f7f));
        assertEquals(Float.intBitsToFloat(0x00010000), widen(DType.BF16, 0x0001)); // subnormal
    }
}
