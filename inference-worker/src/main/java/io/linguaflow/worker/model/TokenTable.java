package io.linguaflow.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.worker.model.Checkpoint.TensorSpec;
import java.util.List;

/**
 * A {@code [V, H]} per-token matrix: the token embedding, whose forward pass only gathers the rows of the batch's
 * ids, and the LM head, needed whole only for logits. Until something needs it whole ({@link #whole()}: logits,
 * training), the rows of each batch are read from the checkpoint file and widened to float32, so extracting
 * activations never holds the vocabulary in float32 (BLOOM's 250,880 rows: 1 GiB at 560m, 4 GiB at 7b1), where HF
 * and a model loaded whole do. The values are the same either way: both widen the same stored numbers.
 */
final class TokenTable implements AutoCloseable {

    private final Checkpoint file;
    private final TensorSpec spec;
    private final NDManager weights;
    private volatile NDArray whole;

    private TokenTable(Checkpoint file, TensorSpec spec, NDManager weights) {
        this.file = file;
        this.spec = spec;
        this.weights = weights;
    }

    /**
     * The table {@code spec} of a validated checkpoint, added to {@code opened} (which the caller closes if loading
     * fails later). The table opens the directory again and keeps that copy open until it is closed, so the caller
     * may close its own after loading.
     *
     * @param weights where the whole table goes when it is needed
     */
    static TokenTable open(Checkpoint checkpoint, TensorSpec spec, NDManager weights, List<TokenTable> opened)
            throws CheckpointException {
        TokenTable table = new TokenTable(Checkpoint.open(checkpoint.dir()), spec, weights);
        opened.add(table);
        return table;
    }

    /** The checkpoint tensor's name. */
    String name() {
        return spec.name();
    }

    /** Rows {@code ids} ({@code [N]} int64) as {@code [N, H]} float32 on the ids' manager. */
    NDArray rows(NDArray ids) {
        NDArray resident = whole;
        if (resident != null) {
            return resident.get(new NDIndex("{}", ids));
        }
        synchronized (this) {
            try {
                return file.loadRows(ids.getManager(), spec, ids.toLongArray());
            } catch (CheckpointException e) {
                // the files were validated and opened at load; they changed under the model since
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    /** The whole table on the weights' device, loaded on the first call. */
    synchronized NDArray whole() {
        if (whole == null) {
            try {
                NDArray loaded = file.load(weights, spec);
                NDScope.unregister(loaded); // lives with the weights, not with the batch scope that first needed it
                whole = loaded;
            } catch (CheckpointException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return whole;
    }

    /** Whether the whole table is in the engine. */
    boolean resident() {
        return whole != null;
    }

    /** Closes the file; the whole table, if loaded, goes with the weights' manager. */
    @Override
    public void close() {
        file.close();
    }
}
