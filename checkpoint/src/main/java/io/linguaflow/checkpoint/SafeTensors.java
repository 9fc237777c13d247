package io.linguaflow.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.linguaflow.checkpoint.SafetensorsHeader.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tensors of a checkpoint directory: one {@code model.safetensors}, or else the shards that
 * {@code model.safetensors.index.json} lists (the order in which HF transformers looks for them). Opening reads and
 * checks every header ({@link SafetensorsHeader}) and, for an index, that each shard is a file in the directory
 * holding the tensors the index assigns to it. Tensor data is read only when a tensor is read, by positional reads
 * through one small reused buffer: the file's pages stay in the page cache, not in this process's resident set
 * (a memory-mapped window stays resident until the garbage collector unmaps it, a second copy of the weights).
 */
public final class SafeTensors implements AutoCloseable {

    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    /** Bytes read from the file at a time (multiple of every element size). */
    static final int CHUNK = 1 << 22;

    private final Path source;
    private final List<SafetensorsHeader> files;
    private final Map<String, Tensor> tensors;
    private final Map<Path, FileChannel> channels;
    /** The read buffer of {@link #readFloats} (allocated at the first read, {@link #CHUNK} bytes). */
    private ByteBuffer chunk;

    private SafeTensors(Path source, List<SafetensorsHeader> files, Map<String, Tensor> tensors,
                        Map<Path, FileChannel> channels) {
        this.source = source;
        this.files = files;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.channels = channels;
    }

    /** Opens the safetensors file(s) of a checkpoint directory; the exception names the first file at fault. */
    public static SafeTensors open(Path dir) throws CheckpointException {
        Path single = dir.resolve(SINGLE);
        Path index = dir.resolve(INDEX);
        Map<Path, SafetensorsHeader> headers = new TreeMap<>(); // file-name order
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Path source;
        if (Files.isRegularFile(single)) {
            source = single;
            SafetensorsHeader h = SafetensorsHeader.read(single);
            headers.put(single, h);
            tensors.putAll(h.tensors());
        } else if (Files.exists(index)) {
            source = index;
            for (Map.Entry<String, JsonNode> e : weightMap(index).properties()) {
                Path shard = shard(dir, e.getKey(), e.getValue());
                SafetensorsHeader h = headers.get(shard);
                if (h == null) {
                    h = SafetensorsHeader.read(shard);
                    headers.put(shard, h);
                }
                Tensor t = h.tensors().get(e.getKey());
                if (t == null) {
                    throw new CheckpointException(shard, "lacks tensor '" + e.getKey() + "' that " + INDEX
                            + " assigns to it");
                }
                tensors.put(e.getKey(), t);
            }
        } else {
            throw new CheckpointException(single, "missing: no " + SINGLE + " and no " + INDEX
                    + " (only safetensors checkpoints are supported)");
        }
        Map<Path, FileChannel> channels = new LinkedHashMap<>();
        try {
            for (Path f : headers.keySet()) {
                channels.put(f, FileChannel.open(f, StandardOpenOption.READ));
            }
        } catch (IOException e) {
            closeAll(channels);
            throw new CheckpointException(source, "unreadable: " + e, e);
        }
        return new SafeTensors(source, List.copyOf(headers.values()), tensors, channels);
    }

    /**
     * The shard file names that an index lists (each a plain file name), sorted; what a downloader fetches besides
     * the index. The exception names the index.
     */
    public static Set<String> shardNames(Path index) throws CheckpointException {
        Set<String> names = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : weightMap(index).properties()) {
            names.add(shardName(index, e.getKey(), e.getValue()));
        }
        return names;
    }

    private static JsonNode weightMap(Path index) throws CheckpointException {
        JsonNode map = JsonFiles.readObject(index).get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new CheckpointException(index, "has no weight_map object");
        }
        return map;
    }

    /** The shard file name the index assigns {@code tensor} to, checked to name a file beside the index. */
    private static String shardName(Path index, String tensor, JsonNode name) throws CheckpointException {
        String fileName = name.isTextual() ? name.asText() : "";
        Path relative = index.getFileSystem().getPath(fileName);
        if (fileName.isEmpty() || fileName.equals(".") || fileName.equals("..") || relative.isAbsolute()
                || relative.getNameCount() != 1) {
            throw new CheckpointException(index, "tensor '" + tensor + "' maps to " + name
                    + ", not a file name in the checkpoint directory");
        }
        return fileName;
    }

    /** The existing shard file that the index assigns {@code tensor} to; nothing outside {@code dir} is read. */
    private static Path shard(Path dir, String tensor, JsonNode name) throws CheckpointException {
        Path file = dir.resolve(shardName(dir.resolve(INDEX), tensor, name));
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "missing shard (listed in " + INDEX + " for tensor '" + tensor + "')");
        }
        return file;
    }

    /** {@code model.safetensors} or {@code model.safetensors.index.json}. */
    public Path source() {
        return source;
    }

    /** The headers of the weight files, in file-name order. */
    public List<SafetensorsHeader> files() {
        return files;
    }

    /** The checkpoint's tensor names: header order for one file, weight_map order for shards. */
    public Set<String> names() {
        return tensors.keySet();
    }

    public Optional<Tensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /**
     * Reads elements {@code [first, first + count)} of a tensor (row-major flat index), widened to float32,
     * into {@code dst}, {@link #CHUNK} bytes at a time.
     */
    public synchronized void readFloats(Tensor t, long first, int count, FloatBuffer dst) throws CheckpointException {
        DType dt = t.floatType();
        FileChannel ch = channels.get(t.file());
        if (chunk == null) {
            chunk = ByteBuffer.allocateDirect(CHUNK);
        }
        long pos = t.begin() + first * dt.bytes();
        long remaining = count;
        try {
            while (remaining > 0) {
                int n = (int) Math.min(remaining, CHUNK / dt.bytes());
                chunk.clear().limit(n * dt.bytes());
                while (chunk.hasRemaining()) {
                    if (ch.read(chunk, pos + chunk.position()) < 0) {
                        throw new IOException("end of file at byte " + (pos + chunk.position()));
                    }
                }
                dt.widen(chunk.flip(), dst, n);
                pos += (long) n * dt.bytes();
                remaining -= n;
            }
        } catch (IOException e) {
            throw new CheckpointException(t.file(), "tensor '" + t.name() + "': cannot read data: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeAll(channels);
        chunk = null;
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
