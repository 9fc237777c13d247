package io.linguaflow.producers.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/** Writes small, real checkpoint files for tests. */
final class TestCheckpoints {

    private TestCheckpoints() {
    }

    /** A safetensors file of F32 tensors (name → shape), contiguous in the given order, values i * 0.5. */
    static byte[] safetensors(Map<String, long[]> tensors) {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Map.Entry<String, long[]> t : tensors.entrySet()) {
            long n = 1;
            StringBuilder shape = new StringBuilder();
            for (long d : t.getValue()) {
                n *= d;
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            header.append(",\"").append(t.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":[").append(shape)
                    .append("],\"data_offsets\":[").append(offset).append(',').append(offset + 4 * n).append("]}");
            offset += 4 * n;
        }
        byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json);
        for (int i = 0; buf.hasRemaining(); i++) {
            buf.putFloat(i * 0.5f);
        }
        return buf.array();
    }

    /** A complete single-file checkpoint: a LLaMA-style config (2 layers, MLP 8), a tokenizer, one weight file. */
    static Path singleFile(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\",\"num_hidden_layers\":2,"
                + "\"hidden_size\":4,\"intermediate_size\":8}");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\":{\"type\":\"BPE\"}}");
        Files.write(dir.resolve("model.safetensors"), safetensors(Map.of("w", new long[] {2, 3})));
        return dir;
    }

    static String sha256(byte[]... parts) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            sha.update(p);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
