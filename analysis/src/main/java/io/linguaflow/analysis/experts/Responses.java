package io.linguaflow.analysis.experts;

import io.linguaflow.analysis.io.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Per-sample responses of every neuron (e.g. the max-pooled activations of {@code max_vectors.npy}):
 * {@code rows} samples by {@code neurons} flat neurons f = layer * D + d, read a block of neurons at a time.
 */
public interface Responses {

    int rows();

    int neurons();

    /**
     * Responses of the given samples for neurons {@code [from, from + count)}, neuron-major:
     * value of sample {@code rows[i]} and neuron {@code from + j} at {@code j * rows.length + i}.
     */
    float[] block(int[] rows, int from, int count);

    /** In-memory responses, row-major {@code [rows][neurons]}. */
    static Responses of(float[][] values) {
        int n = values.length;
        int m = n == 0 ? 0 : values[0].length;
        return new Responses() {
            @Override
            public int rows() {
                return n;
            }

            @Override
            public int neurons() {
                return m;
            }

            @Override
            public float[] block(int[] rows, int from, int count) {
                float[] out = new float[rows.length * count];
                for (int i = 0; i < rows.length; i++) {
                    for (int j = 0; j < count; j++) {
                        out[j * rows.length + i] = values[rows[i]][from + j];
                    }
                }
                return out;
            }
        };
    }

    /**
     * A float32 .npy of shape {@code [N, M*D]} or {@code [N, M, D]} (rows in corpus order), read lazily.
     * The caller closes the returned file.
     */
    static NpyResponses npy(Path file) throws IOException {
        return new NpyResponses(file);
    }

    /** {@link Responses} over a .npy file. */
    final class NpyResponses implements Responses, AutoCloseable {
        private final Npy npy;
        private final int rows;
        private final int neurons;

        private NpyResponses(Path file) throws IOException {
            this.npy = Npy.open(file);
            long[] shape = npy.shape();
            if (!npy.dtype().equals("<f4") || shape.length < 2 || shape.length > 3) {
                npy.close();
                throw new IOException(file + ": expected float32 (<f4) responses of shape [N, M*D] or [N, M, D], got "
                        + npy.dtype() + " " + Arrays.toString(shape));
            }
            this.rows = Math.toIntExact(npy.rows());
            this.neurons = Math.toIntExact(npy.rowLength());
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int neurons() {
            return neurons;
        }

        @Override
        public float[] block(int[] sel, int from, int count) {
            float[] out = new float[sel.length * count];
            try {
                for (int i = 0; i < sel.length; i++) {
                    float[] r = npy.readFloats((long) sel[i] * neurons + from, count);
                    for (int j = 0; j < count; j++) {
                        out[j * sel.length + i] = r[j];
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }

        @Override
        public void close() throws IOException {
            npy.close();
        }
    }
}
