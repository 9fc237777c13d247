package io.linguaflow.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.ModelConfig;
import io.linguaflow.checkpoint.SafeTensors;
import io.linguaflow.checkpoint.SafetensorsHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A checkpoint directory opened for the runtime: its {@link ModelConfig} and {@link SafeTensors} (read by the
 * {@code checkpoint} module), loaded into DJL. An architecture lists the tensors it needs as {@link TensorSpec}s;
 * {@link #validate} checks all of them (presence, dtype, shape) before a single weight is loaded, so a bad
 * checkpoint fails before any inference starts.
 */
public final class Checkpoint implements AutoCloseable {

    /** A tensor an architecture needs, with its expected shape. */
    public record TensorSpec(String name, long... shape) {
    }

    /**
     * Upper bound on the float32 bytes widened in one piece while loading: large tensors load in row blocks, each
     * copied into its rows of the engine tensor, so the process never holds a tensor twice.
     */
    private static final long LOAD_BLOCK = 1L << 24;

    private final long loadBlock;
    private final Path dir;
    private final ModelConfig config;
    private final SafeTensors tensors;
    /**
     * Reused widening buffer (at most {@link #loadBlock} bytes): each block is copied into libtorch-owned memory
     * at once, so no direct buffer waits for the garbage collector (a 7B model would otherwise pile up gigabytes).
     */
    private ByteBuffer scratch;

    private Checkpoint(Path dir, ModelConfig config, SafeTensors tensors, long loadBlock) {
        this.dir = dir;
        this.config = config;
        this.tensors = tensors;
        this.loadBlock = loadBlock;
    }

    /** Reads {@code config.json} and the safetensors headers of {@code dir}. */
    public static Checkpoint open(Path dir) throws CheckpointException {
        return open(dir, LOAD_BLOCK);
    }

    /** The same, widening at most {@code loadBlock} bytes at a time (tests load the fixtures in many blocks). */
    static Checkpoint open(Path dir, long loadBlock) throws CheckpointException {
        return new Checkpoint(dir, ModelConfig.load(dir), SafeTensors.open(dir), loadBlock);
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public boolean has(String name) {
        return tensors.find(name).isPresent();
    }

    /** Checks every spec; the exception lists all missing, mis-typed and mis-shaped tensors, by file. */
    public void validate(List<TensorSpec> specs) throws CheckpointException {
        List<String> problems = new ArrayList<>();
        for (TensorSpec s : specs) {
            var t = tensors.find(s.name());
            if (t.isEmpty()) {
                problems.add("tensor '" + s.name() + "' is missing from " + tensors.source());
                continue;
            }
            SafetensorsHeader.Tensor info = t.get();
            try {
                info.floatType();
            } catch (CheckpointException unsupported) {
                problems.add(unsupported.getMessage());
                continue;
            }
            if (!Arrays.equals(info.shape(), s.shape())) {
                problems.add(info.file() + ": tensor '" + s.name() + "' has shape " + Arrays.toString(info.shape())
                        + ", expected " + Arrays.toString(s.shape()) + " for " + config.modelType() + " config");
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(dir, "checkpoint does not match its config.json:\n  "
                    + String.join("\n  ", problems));
        }
    }

    /**
     * Loads a validated tensor as float32 on the manager's device (F16/BF16 widened in Java). A tensor larger than
     * one block is allocated once in the engine and filled block by block (no concatenation of block copies).
     */
    public NDArray load(NDManager manager, TensorSpec spec) throws CheckpointException {
        SafetensorsHeader.Tensor t = tensor(spec);
        long[] shape = t.shape();
        long rows = shape.length == 0 ? 1 : shape[0];
        long rowLen = rows == 0 ? 0 : t.numel() / rows;
        long rowsPerBlock = Math.max(1, loadBlock / 4 / Math.max(1, rowLen));
        NDArray all = rows == 0 || rows > rowsPerBlock ? manager.create(new Shape(shape), DataType.FLOAT32) : null;
        try {
            for (long r0 = 0; r0 < rows; r0 += rowsPerBlock) {
                long n = Math.min(rowsPerBlock, rows - r0);
                int count = Math.toIntExact(n * rowLen);
                ByteBuffer buf = scratch(count * 4);
                tensors.readFloats(t, r0 * rowLen, count, buf.asFloatBuffer());
                long[] blockShape = shape.clone();
                if (blockShape.length > 0) {
                    blockShape[0] = n;
                }
                try (NDArray view = manager.create(buf, new Shape(blockShape), DataType.FLOAT32)) {
                    if (all == null) {
                        return view.duplicate(); // owns its memory; the scratch buffer is free again
                    }
                    all.set(new NDIndex().addSliceDim(r0, r0 + n), view); // copied into the engine's tensor
                }
            }
            return all;
        } catch (RuntimeException e) {
            if (all != null) {
                all.close();
            }
            throw e;
        }
    }

    /**
     * Rows {@code rows} of a validated 2-d tensor, in that order (repeats allowed), as a {@code [N, columns]} float32
     * tensor on the manager's device, widened as {@link #load} widens them.
     */
    public NDArray loadRows(NDManager manager, TensorSpec spec, long[] rows) throws CheckpointException {
        SafetensorsHeader.Tensor t = tensor(spec);
        long[] shape = t.shape();
        int columns = Math.toIntExact(shape[1]);
        ByteBuffer buf = scratch(Math.multiplyExact(rows.length, columns * 4));
        FloatBuffer dst = buf.asFloatBuffer();
        for (long r : rows) {
            if (r < 0 || r >= shape[0]) {
                throw new IndexOutOfBoundsException("row " + r + " of tensor '" + spec.name() + "' with " + shape[0] + " rows");
            }
            tensors.readFloats(t, r * columns, columns, dst);
        }
        try (NDArray view = manager.create(buf, new Shape(rows.length, columns), DataType.FLOAT32)) {
            return view.duplicate(); // owns its memory; the scratch buffer is free again
        }
    }

    private SafetensorsHeader.Tensor tensor(TensorSpec spec) throws CheckpointException {
        return tensors.find(spec.name())
                .orElseThrow(() -> new CheckpointException(tensors.source(), "tensor '" + spec.name() + "' is missing"));
    }

    private ByteBuffer scratch(int bytes) {
        if (scratch == null || scratch.capacity() < bytes) {
            scratch = ByteBuffer.allocateDirect(Math.max(bytes, 1 << 20)).order(ByteOrder.nativeOrder());
        }
        scratch.clear().limit(bytes);
        return scratch.slice().order(ByteOrder.nativeOrder());
    }

    @Override
    public void close() {
        tensors.close();
        scratch = null;
    }
}
