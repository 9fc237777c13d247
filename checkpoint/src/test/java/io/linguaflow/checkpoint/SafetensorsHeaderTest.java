package io.linguaflow.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.checkpoint.testkit.TestCheckpoints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsHeaderTest {

    @TempDir
    Path tmp;

    @Test
    void readsTheTrainingCheckpointHeader() throws Exception {
        Path f = SharedData.fixtures().resolve("checkpoints/bloom-tiny-train/step-200/model.safetensors");
        SafetensorsHeader h = SafetensorsHeader.read(f);
        assertEquals(Files.size(f), 8 + h.headerSize() + h.dataSize());
        // BLOOM, 4 layers: word embeddings + their layernorm (3) + 12 tensors per layer + final layernorm (2)
        assertEquals(3 + 4 * 12 + 2, h.tensors().size());
        SafetensorsHeader.Tensor emb = h.tensors().get("transformer.word_embeddings.weight");
        assertEquals("F32", emb.dtype());
        assertArrayEquals(new long[] {4000, 128}, emb.shape());
        assertArrayEquals(new long[] {512, 128}, h.tensors().get("transformer.h.0.mlp.dense_h_to_4h.weight").shape());
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(tmp.resolve("w.safetensors"), bytes);
    }

    private static byte[] raw(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).array();
    }

    private String error(byte[] bytes) throws IOException {
        Path f = write(bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsHeader.read(f));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void sizeMustAgreeWithTheHeader() throws Exception {
        Map<String, long[]> tensors = new LinkedHashMap<>();
        tensors.put("a", new long[] {4, 4});
        tensors.put("b", new long[] {3});
        byte[] ok = TestCheckpoints.f32(tensors);
        assertEquals(76, SafetensorsHeader.read(write(ok)).dataSize());

        assertTrue(error(Arrays.copyOf(ok, ok.length - 1)).contains("truncated: the header declares 76 data bytes"));
        assertTrue(error(Arrays.copyOf(ok, ok.length + 3)).contains("has 3 bytes after the last tensor"));
        assertTrue(error(Arrays.copyOf(ok, 5)).contains("shorter than the 8-byte header length"));
        assertTrue(error(Arrays.copyOf(ok, 40)).contains("impossible for a file of 40 bytes"));
    }

    @Test
    void headerContentIsChecked() throws Exception {
        assertTrue(error(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4))
                .contains("tensor 'a': data_offsets [0,4] do not hold F32 [2] (8 bytes)"));
        assertTrue(error(raw("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4))
                .contains("unknown dtype"));
        assertTrue(error(raw("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[2,6]}}", 6)).contains("overlap or hole"));
        assertTrue(error(raw("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,8]}}", 8))
                .contains("starts at data offset 4"));
        assertTrue(error(raw("not json", 0)).contains("header is not valid JSON"));
        assertTrue(error(raw("[1]", 0)).contains("header is not a JSON object"));
    }
}
