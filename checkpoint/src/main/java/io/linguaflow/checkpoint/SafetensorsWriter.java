package io.linguaflow.checkpoint;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a float32 {@code .safetensors} file as PyTorch's {@code save_file} does: a {@code __metadata__}
 * {"format": "pt"} entry, the tensors contiguous in the given order, the header padded with spaces to a multiple of
 * 8 bytes (the spec's alignment rule, so the data buffer can be mapped as floats). The bytes depend only on the
 * tensors: same tensors, same file.
 */
public final class SafetensorsWriter {

    /** One tensor: its name, shape and row-major values. */
    public record Tensor(String name, long[] shape, float[] values) {
        public Tensor {
            long n = Arrays.stream(shape).reduce(1L, Math::multiplyExact);
            if (n != values.length) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " holds " + n + " values, got " + values.length);
            }
        }
    }

    private SafetensorsWriter() {
    }

    /** Writes {@code tensors} to {@code file} (replacing it). */
    public static void writeF32(Path file, List<Tensor> tensors) throws IOException {
        ObjectNode header = JsonFiles.JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Tensor t : tensors) {
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", "F32");
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long bytes = 4L * t.values().length;
            e.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JsonFiles.JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(head);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors) {
                for (float v : t.values()) {
                    if (!buf.hasRemaining()) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat(v);
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }
}
