package io.linguaflow.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir
    Path tmp;

    @Test
    void writesAnAlignedFileThatReadsBack() throws Exception {
        float[] a = {1f, -2.5f, 3f, 0f, 1e-7f, Float.MAX_VALUE};
        float[] b = {42f};
        SafetensorsWriter.writeF32(tmp.resolve(SafeTensors.SINGLE), List.of(
                new SafetensorsWriter.Tensor("transformer.a", new long[] {2, 3}, a),
                new SafetensorsWriter.Tensor("b", new long[] {1}, b)));
        try (SafeTensors st = SafeTensors.open(tmp)) {
            SafetensorsHeader h = st.files().get(0);
            assertEquals(0, h.headerSize() % 8, "header padded to 8 bytes");
            assertEquals(List.of("transformer.a", "b"), List.copyOf(h.tensors().keySet()));
            assertArrayEquals(a, read(st, "transformer.a", 6));
            assertArrayEquals(b, read(st, "b", 1));
        }
    }

    @Test
    void refusesValuesThatDoNotFillTheShape() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new SafetensorsWriter.Tensor("w", new long[] {2, 2}, new float[3]));
        assertEquals("tensor 'w': shape [2, 2] holds 4 values, got 3", e.getMessage());
    }

    private static float[] read(SafeTensors st, String name, int n) throws CheckpointException {
        FloatBuffer out = FloatBuffer.allocate(n);
        st.readFloats(st.find(name).orElseThrow(), 0, n, out);
        return out.array();
    }
}
