package io.linguaflow.checkpoint;

import static io.linguaflow.checkpoint.ModelConfigTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.linguaflow.checkpoint.testkit.TestCheckpoints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path tmp;

    @Test
    void headerOffsetsMustMatchTheShape() throws IOException {
        LinkedHashMap<String, TestCheckpoints.Tensor> t = new LinkedHashMap<>();
        t.put("x", new TestCheckpoints.Tensor("F32", new long[] {3, 3}, new byte[32]));
        Path file = tmp.resolve("model.safetensors");
        TestCheckpoints.write(file, t);
        assertContains(assertThrows(CheckpointException.class, () -> SafeTensors.open(tmp)).getMessage(),
                "tensor 'x'", "32 data bytes", "expected 36");
        // and a readable file round-trips
        t.put("x", new TestCheckpoints.Tensor("F32", new long[] {2, 4},
                ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putFloat(28, 7.5f).array()));
        TestCheckpoints.write(file, t);
        try (SafeTensors st = SafeTensors.open(tmp)) {
            FloatBuffer f = FloatBuffer.allocate(8);
            st.readFloats(st.find("x").orElseThrow(), 0, 8, f);
            assertEquals(7.5f, f.get(7));
        }
    }

    @Test
    void readsRunAcrossTheReadBuffer() throws IOException {
        // F32 and F16 tensors of 1.5 read buffers each, read from an odd element across the buffer boundary
        int n32 = SafeTensors.CHUNK / 4 * 3 / 2;
        int n16 = SafeTensors.CHUNK / 2 * 3 / 2;
        ByteBuffer f32 = ByteBuffer.allocate(n32 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n32; i++) {
            f32.putFloat(i * 0.25f);
        }
        ByteBuffer f16 = ByteBuffer.allocate(n16 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n16; i++) {
            f16.putShort((short) (i % 1024 | 0x3c00)); // 1 + (i mod 1024) / 1024, exact in F16
        }
        LinkedHashMap<String, TestCheckpoints.Tensor> t = new LinkedHashMap<>();
        t.put("a", new TestCheckpoints.Tensor("F32", new long[] {n32}, f32.array()));
        t.put("b", new TestCheckpoints.Tensor("F16", new long[] {n16}, f16.array()));
        TestCheckpoints.write(tmp.resolve("model.safetensors"), t);
        try (SafeTensors st = SafeTensors.open(tmp)) {
            FloatBuffer a = FloatBuffer.allocate(n32 - 1);
            st.readFloats(st.find("a").orElseThrow(), 1, n32 - 1, a);
            for (int i = 0; i < n32 - 1; i++) {
                assertEquals((i + 1) * 0.25f, a.get(i), "F32 element " + (i + 1));
            }
            FloatBuffer b = FloatBuffer.allocate(n16 - 3);
            st.readFloats(st.find("b").orElseThrow(), 3, n16 - 3, b);
            for (int i = 0; i < n16 - 3; i++) {
                assertEquals(1 + ((i + 3) % 1024) / 1024f, b.get(i), "F16 element " + (i + 3));
            }
        }
    }

    @Test
    void shardsAreReadThroughTheIndexAndHalfPrecisionIsWidened() throws IOException {
        byte[] half = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3c00)
                .putShort((short) 0xc000).array(); // F16 1.0, -2.0
        TestCheckpoints.write(tmp.resolve("a.safetensors"), Map.of("h", new TestCheckpoints.Tensor("F16",
                new long[] {2}, half)));
        Files.write(tmp.resolve("b.safetensors"), TestCheckpoints.f32(Map.of("w", new long[] {3})));
        Files.writeString(tmp.resolve(SafeTensors.INDEX),
                "{\"weight_map\":{\"w\":\"b.safetensors\",\"h\":\"a.safetensors\"}}");
        try (SafeTensors st = SafeTensors.open(tmp)) {
            assertEquals(tmp.resolve(SafeTensors.INDEX), st.source());
            assertEquals(List.of("w", "h"), List.copyOf(st.names()));
            assertEquals(tmp.resolve("a.safetensors"), st.files().get(0).file()); // file-name order
            FloatBuffer f = FloatBuffer.allocate(2);
            st.readFloats(st.find("h").orElseThrow(), 0, 2, f);
            assertEquals(1.0f, f.get(0));
            assertEquals(-2.0f, f.get(1));
            FloatBuffer w = FloatBuffer.allocate(2);
            st.readFloats(st.find("w").orElseThrow(), 1, 2, w); // from the second element on
            assertEquals(0.5f, w.get(0));
            assertEquals(1.0f, w.get(1));
        }
        // a single model.safetensors is read in preference to an index, as HF transformers does
        Files.write(tmp.resolve(SafeTensors.SINGLE), TestCheckpoints.f32(Map.of("s", new long[] {1})));
        try (SafeTensors st = SafeTensors.open(tmp)) {
            assertEquals(Set.of("s"), st.names());
        }
    }

    @Test
    void theIndexNamesOnlyFilesInTheDirectory() throws IOException {
        Path sub = Files.createDirectories(tmp.resolve("sub"));
        Files.write(sub.resolve("a.safetensors"), TestCheckpoints.f32(Map.of("w", new long[] {1})));
        for (String name : List.of("sub/a.safetensors", sub.resolve("a.safetensors").toString(), "..", "")) {
            Files.writeString(tmp.resolve(SafeTensors.INDEX), "{\"weight_map\":{\"w\":\"" + name + "\"}}");
            CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.open(tmp), name);
            assertEquals(tmp.resolve(SafeTensors.INDEX), e.file());
            assertContains(e.getMessage(), "tensor 'w'", "not a file name in the checkpoint directory");
        }
    }

    @Test
    void unsupportedDtypeIsNamedWhenRead() throws IOException {
        TestCheckpoints.write(tmp.resolve(SafeTensors.SINGLE), Map.of("ids", new TestCheckpoints.Tensor("I64",
                new long[] {1}, new byte[8])));
        try (SafeTensors st = SafeTensors.open(tmp)) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> st.readFloats(st.find("ids").orElseThrow(), 0, 1, FloatBuffer.allocate(1)));
            assertEquals(tmp.resolve(SafeTensors.SINGLE), e.file());
            assertContains(e.getMessage(), "tensor 'ids'", "unsupported dtype I64");
        }
    }
}
