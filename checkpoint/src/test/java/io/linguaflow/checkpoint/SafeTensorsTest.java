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
