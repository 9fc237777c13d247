package io.linguaflow.worker.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Builds modified copies of fixture checkpoints (renamed, re-shaped, dropped or sharded tensors). */
public final class TestCheckpoints {

    /** A tensor to write: safetensors dtype code, shape, raw little-endian bytes. */
    public record Tensor(String dtype, long[] shape, byte[] data) {
    }

    private TestCheckpoints() {
    }

    /** All tensors of a fixture checkpoint as float32, in file order. */
    public static LinkedHashMap<String, Tensor> readF32(Path dir) throws IOException {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        try (SafeTensors st = SafeTensors.open(dir)) {
            for (String name : st.names()) {
                SafeTensors.TensorInfo t = st.find(name).orElseThrow();
                ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.numel() * 4)).order(ByteOrder.LITTLE_ENDIAN);
                st.readFloats(t, 0, Math.toIntExact(t.numel()), b.asFloatBuffer());
                out.put(name, new Tensor("F32", t.shape(), b.array()));
            }
        }
        return out;
    }

    /** Writes one safetensors file. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype());
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + e.getValue().data().length);
            offset += e.getValue().data().length;
        }
        byte[] h = json.writeValueAsBytes(header);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            out.write(h);
            for (Tensor t : tensors.values()) {
                out.write(t.data());
            }
        }
    }

    /**
     * Copies a fixture checkpoint directory to {@code target} with its config edited and its tensors replaced
     * by {@code tensors} (written as one {@code model.safetensors}).
     */
    public static Path copy(Path fixture, Path target, UnaryOperator<ObjectNode> config, Map<String, Tensor> tensors)
            throws IOException {
        Files.createDirectories(target);
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}) {
            if (Files.exists(fixture.resolve(f))) {
                Files.copy(fixture.resolve(f), target.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(fixture.resolve("config.json").toFile());
        json.writeValue(target.resolve("config.json").toFile(), config.apply(cfg));
        if (tensors != null) {
            write(target.resolve(SafeTensors.SINGLE), tensors);
        }
        return target;
    }

    public static byte[] zeros(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return new byte[Math.toIntExact(n * 4)];
    }
}
