package io.linguaflow.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class LittleEndianTest {

    @Test
    void roundTrips() {
        float[] floats = {1.5f, -0f, Float.MIN_VALUE, Float.NaN, Float.POSITIVE_INFINITY};
        assertArrayEquals(floats, LittleEndian.float32s("values", LittleEndian.float32s(floats), floats.length));
        int[] ints = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE};
        assertArrayEquals(ints, LittleEndian.int32s("positiveCounts", LittleEndian.int32s(ints), ints.length));
        assertArrayEquals(ints, LittleEndian.int32sOrNull("positiveCounts", LittleEndian.int32s(ints), ints.length));
        long[] longs = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE};
        assertArrayEquals(longs, LittleEndian.int64s("positiveCounts", LittleEndian.int64s(longs), longs.length));
        assertArrayEquals(new float[0], LittleEndian.float32s("values", LittleEndian.float32s(new float[0]), 0));
    }

    @Test
    void readsIntoAnArrayOfTheRightLengthOnly() {
        double[] reuse = new double[2];
        assertSame(reuse, LittleEndian.float32sWidened("values", LittleEndian.float32s(new float[] {2f, -3f}), 2, reuse));
        assertArrayEquals(new double[] {2, -3}, reuse);
        double[] other = LittleEndian.float32sWidened("values", LittleEndian.float32s(new float[] {1f}), 1, reuse);
        assertNotSame(reuse, other);
        assertArrayEquals(new double[] {1}, other);
        assertArrayEquals(new double[] {2, -3}, reuse, "an array of another length is left alone");
        int[] counts = new int[2];
        assertSame(counts, LittleEndian.int32sOrNull("positiveCounts", LittleEndian.int32s(new int[] {4, 5}), 2, counts));
        assertArrayEquals(new int[] {4, 5}, counts);
        assertNull(LittleEndian.int32sOrNull("positiveCounts", ByteBuffer.allocate(0), 2, counts));
        assertThrows(IllegalArgumentException.class, () -> LittleEndian.float32sWidened("values", ByteBuffer.allocate(4), 2, reuse));
    }

    @Test
    void layoutIsLittleEndian() {
        assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0, (byte) 0x80, 0x3f}, LittleEndian.int32s(new int[] {1, 0x3f800000}).array());
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, LittleEndian.float32s(new float[] {1f}).array());
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0, 0, 0}, LittleEndian.int64s(new long[] {2}).array());
        assertEquals(0, LittleEndian.int64s(new long[] {2}).position());
    }

    @Test
    void decodingReadsTheRemainingBytesAndLeavesThePosition() {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.put(new byte[] {9, 9, 9, 9}).put(LittleEndian.float32s(new float[] {2f, 3f}));
        b.position(4);
        assertArrayEquals(new float[] {2f, 3f}, LittleEndian.float32s("values", b, 2));
        assertEquals(4, b.position());
    }

    @Test
    void widenedDecodingEqualsTheFloatsWidened() {
        float[] values = {0.1f, -3.5e-8f, Float.MAX_VALUE, -0f};
        ByteBuffer b = ByteBuffer.allocate(20);
        b.put(new byte[] {9, 9, 9, 9}).put(LittleEndian.float32s(values));
        b.position(4);
        double[] widened = LittleEndian.float32sWidened("values", b, 4);
        for (int k = 0; k < values.length; k++) {
            assertEquals(Double.doubleToRawLongBits(values[k]), Double.doubleToRawLongBits(widened[k]), "value " + k);
        }
        assertEquals(4, b.position());
        assertMessage(() -> LittleEndian.float32sWidened("values", ByteBuffer.allocate(7), 2), "values hold 7 bytes, expected 4 x 2");
    }

    @Test
    void emptyOptionalFieldIsNull() {
        assertNull(LittleEndian.int32sOrNull("positiveCounts", ByteBuffer.allocate(0), 3));
    }

    @Test
    void wrongLengthsAreRejectedNamingTheField() {
        assertMessage(() -> LittleEndian.float32s("values", ByteBuffer.allocate(7), 2), "values hold 7 bytes, expected 4 x 2");
        assertMessage(() -> LittleEndian.float32s("values", ByteBuffer.allocate(12), 256), "values hold 12 bytes, expected 4 x 256");
        assertMessage(() -> LittleEndian.int32s("positiveCounts", ByteBuffer.allocate(0), 2), "positiveCounts hold 0 bytes, expected 4 x 2");
        assertMessage(() -> LittleEndian.int32sOrNull("positiveCounts", ByteBuffer.allocate(4), 2),
                "positiveCounts hold 4 bytes, expected 0 or 4 x 2");
        assertMessage(() -> LittleEndian.int64s("positiveCounts", ByteBuffer.allocate(12), 2), "positiveCounts hold 12 bytes, expected 8 x 2");
        assertMessage(() -> LittleEndian.int64s("positiveCounts", null, 2), "positiveCounts is missing");
    }

    private static void assertMessage(Executable call, String expected) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}
