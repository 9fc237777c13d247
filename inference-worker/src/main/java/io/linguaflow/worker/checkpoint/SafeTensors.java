package io.linguaflow.worker.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tensors of a checkpoint directory: one {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json}. Only headers are read when opening; tensor data is memory-mapped
 * (read-only, in windows below 2 GiB) when a tensor is read.
 *
 * <p>File layout: 8-byte little-endian header length N, N bytes of JSON
 * ({@code name -> {dtype, shape, data_offsets:[begin,end]}}, offsets relative to the data section), raw data.
 */
public final class SafeTensors implements AutoCloseable {

    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    private static final long MAX_HEADER = 100L << 20;
    /** Mapping window when reading a tensor (multiple of every element size). */
    static final long WINDOW = 1L << 28;

    /** Where one tensor lives: absolute byte range {@code [begin, end)} in {@code file}. */
    public record TensorInfo(String name, String dtypeCode, long[] shape, Path file, long begin, long end) {

        public long numel() {
            return Arrays.stream(shape).reduce(1L, Math::multiplyExact);
        }

        /** The supported float format, or null (e.g. I64, F64). */
        public DType dtype() {
            return DType.fromCode(dtypeCode);
        }
    }

    private final Path source;
    private final Map<String, TensorInfo> tensors;
    private final Map<Path, FileChannel> channels;

    private SafeTensors(Path source, Map<String, TensorInfo> tensors, Map<Path, FileChannel> channels) {
        this.source = source;
        this.tensors = tensors;
        this.channels = channels;
    }

    /** Opens the safetensors file(s) of a checkpoint directory and validates every header. */
    public static SafeTensors open(Path dir) throws CheckpointException {
        Path index = dir.resolve(INDEX);
        Path single = dir.resolve(SINGLE);
        Map<String, TensorInfo> all = new LinkedHashMap<>();
        Map<Path, FileChannel> channels = new LinkedHashMap<>();
        try {
            if (Files.exists(single)) {
                readHeader(single, channels, all);
            } else if (Files.exists(index)) {
                JsonNode map = readJson(index).get("weight_map");
                if (map == null || !map.isObject() || map.size() == 0) {
                    throw new CheckpointException(index + ": no 'weight_map' object");
                }
                Map<String, TensorInfo> shardTensors = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : map.properties()) {
                    Path shard = dir.resolve(e.getValue().asText());
                    if (!channels.containsKey(shard)) {
                        if (!Files.exists(shard)) {
                            throw new CheckpointException(index + ": tensor '" + e.getKey() + "' is in shard " + shard
                                    + ", which is missing");
                        }
                        readHeader(shard, channels, shardTensors);
                    }
                    TensorInfo t = shardTensors.get(e.getKey());
                    if (t == null || !t.file().equals(shard)) {
                        throw new CheckpointException(index + ": tensor '" + e.getKey() + "' is not in shard " + shard);
                    }
                    all.put(e.getKey(), t);
                }
            } else {
                throw new CheckpointException(dir + ": no " + SINGLE + " and no " + INDEX);
            }
        } catch (CheckpointException | RuntimeException e) {
            closeAll(channels);
            throw e;
        }
        return new SafeTensors(Files.exists(single) ? single : index, all, channels);
    }

    private static JsonNode readJson(Path file) throws CheckpointException {
        try {
            return new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read JSON: " + e.getMessage(), e);
        }
    }

    private static void readHeader(Path file, Map<Path, FileChannel> channels, Map<String, TensorInfo> out)
            throws CheckpointException {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            channels.put(file, ch);
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file + ": truncated (" + size + " bytes, no safetensors header)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new CheckpointException(file + ": invalid or truncated safetensors header (header length "
                        + headerLen + ", file size " + size + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = new ObjectMapper().readTree(hb.array());
            } catch (IOException e) {
                throw new CheckpointException(file + ": safetensors header is not valid JSON: " + e.getMessage(), e);
            }
            long dataStart = 8 + headerLen;
            for (Map.Entry<String, JsonNode> e : header.properties()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode t = e.getValue();
                String where = file + ": tensor '" + e.getKey() + "'";
                JsonNode offs = t.get("data_offsets");
                JsonNode shapeNode = t.get("shape");
                if (offs == null || offs.size() != 2 || shapeNode == null || !shapeNode.isArray() || !t.has("dtype")) {
                    throw new CheckpointException(where + ": malformed header entry " + t);
                }
                long[] shape = new long[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong();
                }
                TensorInfo info = new TensorInfo(e.getKey(), t.get("dtype").asText(), shape, file,
                        dataStart + offs.get(0).asLong(), dataStart + offs.get(1).asLong());
                if (info.end() > size) {
                    throw new CheckpointException(where + ": data ends at byte " + info.end() + " but the file has "
                            + size + " bytes (truncated file)");
                }
                DType dt = info.dtype();
                if (dt != null && info.end() - info.begin() != info.numel() * dt.bytes()) {
                    throw new CheckpointException(where + ": " + (info.end() - info.begin()) + " data bytes for shape "
                            + Arrays.toString(shape) + " " + dt + " (expected " + info.numel() * dt.bytes() + ")");
                }
                out.put(e.getKey(), info);
            }
        } catch (IOException e) {
            throw e instanceof CheckpointException ce ? ce : new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + (pos + buf.position()));
            }
        }
        buf.flip();
    }

    /** {@code model.safetensors} or {@code model.safetensors.index.json}. */
    public Path source() {
        return source;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /**
     * Reads elements {@code [first, first + count)} of a tensor (row-major flat index), widened to float32,
     * into {@code dst}. The range is memory-mapped in windows of {@link #WINDOW} bytes.
     */
    public void readFloats(TensorInfo t, long first, int count, FloatBuffer dst) throws CheckpointException {
        DType dt = t.dtype();
        if (dt == null) {
            throw new CheckpointException(t.file() + ": tensor '" + t.name() + "' has unsupported dtype " + t.dtypeCode()
                    + " (supported: F32, F16, BF16)");
        }
        FileChannel ch = channels.get(t.file());
        long pos = t.begin() + first * dt.bytes();
        long remaining = count;
        try {
            while (remaining > 0) {
                int n = (int) Math.min(remaining, WINDOW / dt.bytes());
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, pos, (long) n * dt.bytes());
                dt.widen(map, dst, n);
                pos += (long) n * dt.bytes();
                remaining -= n;
            }
        } catch (IOException e) {
            throw new CheckpointException(t.file() + ": tensor '" + t.name() + "': cannot map data: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeAll(channels);
    }

    private static void closeAll(Map<Path, FileChannel> channels) {
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only channel: nothing to flush
            }
        }
    }
}
