package io.linguaflow.checkpoint.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.checkpoint.CheckpointInspector;
import io.linguaflow.checkpoint.HfConfig;
import io.linguaflow.checkpoint.SafeTensors;
import io.linguaflow.checkpoint.SafetensorsHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Writes small, real checkpoints for tests, and modified copies of fixture checkpoints. */
public final class TestCheckpoints {

    /** A tensor to write: safetensors dtype code, shape, raw little-endian bytes. */
    public record Tensor(String dtype, long[] shape, byte[] data) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestCheckpoints() {
    }

    /** A safetensors file: the tensors contiguous in map order, after a header with a {@code __metadata__} entry. */
    public static byte[] safetensors(Map<String, Tensor> tensors) {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype());
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(data.size()).add(data.size() + e.getValue().data().length);
            data.writeBytes(e.getValue().data());
        }
        byte[] h;
        try {
            h = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return ByteBuffer.allocate(8 + h.length + data.size()).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data.toByteArray()).array();
    }

    /** A safetensors file of F32 tensors (name → shape), contiguous in map order, values i * 0.5 over the file. */
    public static byte[] f32(Map<String, long[]> shapes) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            ByteBuffer b = ByteBuffer.wrap(zeros(e.getValue())).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                b.putFloat(i++ * 0.5f);
            }
            tensors.put(e.getKey(), new Tensor("F32", e.getValue(), b.array()));
        }
        return safetensors(tensors);
    }

    /** Writes one safetensors file. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        Files.write(file, safetensors(tensors));
    }

    /** All tensors of a checkpoint as float32, in {@link SafeTensors#names} order. */
    public static LinkedHashMap<String, Tensor> readF32(Path dir) throws IOException {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        try (SafeTensors st = SafeTensors.open(dir)) {
            for (String name : st.names()) {
                SafetensorsHeader.Tensor t = st.find(name).orElseThrow();
                ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.numel() * 4)).order(ByteOrder.LITTLE_ENDIAN);
                st.readFloats(t, 0, Math.toIntExact(t.numel()), b.asFloatBuffer());
                out.put(name, new Tensor("F32", t.shape(), b.array()));
            }
        }
        return out;
    }

    /**
     * Copies a fixture checkpoint directory to {@code target} with its config edited and its tensors replaced
     * by {@code tensors} (written as one {@code model.safetensors}; none when null).
     */
    public static Path copy(Path fixture, Path target, UnaryOperator<ObjectNode> config, Map<String, Tensor> tensors)
            throws IOException {
        Files.createDirectories(target);
        for (String f : new String[] {CheckpointInspector.TOKENIZER, "tokenizer_config.json", "special_tokens_map.json"}) {
            if (Files.exists(fixture.resolve(f))) {
                Files.copy(fixture.resolve(f), target.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        ObjectNode cfg = (ObjectNode) JSON.readTree(fixture.resolve(HfConfig.FILE).toFile());
        JSON.writeValue(target.resolve(HfConfig.FILE).toFile(), config.apply(cfg));
        if (tensors != null) {
            write(target.resolve(SafeTensors.SINGLE), tensors);
        }
        return target;
    }

    /** A complete single-file checkpoint: a LLaMA-style config (2 layers, MLP 8), a tokenizer, one weight file. */
    public static Path singleFile(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(HfConfig.FILE), "{\"model_type\":\"llama\",\"num_hidden_layers\":2,"
                + "\"hidden_size\":4,\"intermediate_size\":8}");
        Files.writeString(dir.resolve(CheckpointInspector.TOKENIZER), "{\"model\":{\"type\":\"BPE\"}}");
        Files.write(dir.resolve(SafeTensors.SINGLE), f32(Map.of("w", new long[] {2, 3})));
        return dir;
    }

    /** Zero bytes for a float32 tensor of {@code shape}. */
    public static byte[] zeros(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return new byte[Math.toIntExact(n * 4)];
    }

    /** Hex sha256 of the parts concatenated. */
    public static String sha256(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                sha.update(p);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
