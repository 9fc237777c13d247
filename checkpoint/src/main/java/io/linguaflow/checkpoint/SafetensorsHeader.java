package io.linguaflow.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a {@code .safetensors} file, read and checked against the file size without loading any weights.
 * Format: 8-byte little-endian header length N, N bytes of JSON {@code {name: {dtype, shape, data_offsets: [begin,
 * end]}, "__metadata__": {...}}}, then the data buffer; offsets are relative to the buffer, which every tensor's
 * bytes must cover exactly (no holes, no overlaps, nothing after the last tensor).
 *
 * @param file       the file
 * @param headerSize N
 * @param tensors    tensor name → entry, in header order
 * @param dataSize   the data buffer's size the header declares (the largest end offset)
 */
public record SafetensorsHeader(Path file, long headerSize, Map<String, Tensor> tensors, long dataSize) {

    /**
     * One tensor's entry.
     *
     * @param file  the file holding it
     * @param dtype the safetensors dtype code as written (F32, BF16, I64, ...)
     * @param begin first byte of its data, counted from the start of {@code file}
     * @param end   byte after its data, counted from the start of {@code file}
     */
    public record Tensor(Path file, String name, String dtype, long[] shape, long begin, long end) {

        public long numel() {
            return Arrays.stream(shape).reduce(1L, Math::multiplyExact);
        }

        /** The float format {@link SafeTensors#readFloats} widens; the exception names an unsupported one (I64, ...). */
        public DType floatType() throws CheckpointException {
            DType t = DType.fromCode(dtype);
            if (t == null) {
                throw new CheckpointException(file, "tensor '" + name + "' has unsupported dtype " + dtype
                        + " (supported: F32, F16, BF16)");
            }
            return t;
        }
    }

    /** Bytes per element of the safetensors dtypes. */
    public static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E4M3", 1),
            Map.entry("F8_E5M2", 1), Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2),
            Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("I64", 8), Map.entry("U64", 8), Map.entry("F64", 8));

    /** Headers above this size are refused (the format's reference implementation caps them at 100 MB). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** Where the data buffer starts in the file. */
    public long dataStart() {
        return 8 + headerSize;
    }

    /** Reads the header of {@code file} and checks it against the file's size. */
    public static SafetensorsHeader read(Path file) throws CheckpointException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file, "truncated: " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long n = len.flip().getLong();
            if (n <= 0 || n > MAX_HEADER_BYTES || 8 + n > size) {
                throw new CheckpointException(file, "header length " + n + " is impossible for a file of " + size
                        + " bytes (truncated or not a safetensors file)");
            }
            ByteBuffer json = ByteBuffer.allocate((int) n);
            readFully(ch, json, 8);
            SafetensorsHeader h = parse(file, n, new String(json.array(), StandardCharsets.UTF_8));
            long expected = h.dataStart() + h.dataSize();
            if (size < expected) {
                Tensor cut = h.tensors().values().stream().filter(t -> t.end() > size)
                        .min(Comparator.comparingLong(Tensor::begin)).orElseThrow();
                throw new CheckpointException(file, "tensor '" + cut.name() + "' ends at byte " + cut.end()
                        + " (truncated file); truncated: the header declares " + h.dataSize() + " data bytes ("
                        + expected + " bytes in all) but the file has " + size);
            }
            if (size > expected) {
                throw new CheckpointException(file, "has " + (size - expected) + " bytes after the last tensor (file "
                        + size + " bytes, header declares " + expected + ")");
            }
            return h;
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "unreadable: " + e, e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }

    private static SafetensorsHeader parse(Path file, long n, String text) throws CheckpointException {
        JsonNode root;
        try {
            root = JsonFiles.JSON.readTree(text);
        } catch (IOException e) {
            throw new CheckpointException(file, "header is not valid JSON: " + JsonErrors.describe(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file, "header is not a JSON object");
        }
        long dataStart = 8 + n;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!e.getKey().equals("__metadata__")) {
                tensors.put(e.getKey(), tensor(file, dataStart, e.getKey(), e.getValue()));
            }
        }
        List<Tensor> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(Tensor::begin).thenComparingLong(Tensor::end));
        long covered = 0;
        for (Tensor t : byOffset) {
            if (t.begin() - dataStart != covered) {
                throw new CheckpointException(file, "tensor '" + t.name() + "' starts at data offset "
                        + (t.begin() - dataStart) + " but the previous tensors end at " + covered + " (overlap or hole)");
            }
            covered = t.end() - dataStart;
        }
        return new SafetensorsHeader(file, n, tensors, covered);
    }

    private static Tensor tensor(Path file, long dataStart, String name, JsonNode node) throws CheckpointException {
        String where = "tensor '" + name + "': ";
        JsonNode dtype = node.get("dtype");
        JsonNode shape = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtype == null || !dtype.isTextual() || !DTYPE_BYTES.containsKey(dtype.asText())) {
            throw new CheckpointException(file, where + "unknown dtype " + dtype);
        }
        if (shape == null || !shape.isArray() || offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new CheckpointException(file, where + "needs a shape array and data_offsets [begin, end]");
        }
        long[] dims = new long[shape.size()];
        long bytes = DTYPE_BYTES.get(dtype.asText());
        for (int i = 0; i < dims.length; i++) {
            if (!shape.get(i).canConvertToLong() || !shape.get(i).isIntegralNumber() || shape.get(i).asLong() < 0) {
                throw new CheckpointException(file, where + "bad shape " + shape);
            }
            dims[i] = shape.get(i).asLong();
            try {
                bytes = Math.multiplyExact(bytes, dims[i]);
            } catch (ArithmeticException overflow) {
                throw new CheckpointException(file, where + "shape " + shape + " is too large");
            }
        }
        if (!offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new CheckpointException(file, where + "bad data_offsets " + offsets);
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end - begin != bytes) {
            throw new CheckpointException(file, where + "data_offsets " + offsets + " do not hold " + dtype.asText()
                    + " " + shape + " (" + bytes + " bytes): " + (end - begin) + " data bytes, expected " + bytes);
        }
        return new Tensor(file, name, dtype.asText(), dims, dataStart + begin, dataStart + end);
    }
}
