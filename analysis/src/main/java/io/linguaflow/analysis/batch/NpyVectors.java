package io.linguaflow.analysis.batch;

import io.linguaflow.analysis.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A {@link VectorSource} over a float32 or float64 {@code .npy} file, either [N, M·D] (layer-major
 * concatenation; M must be given) or [N, M, D]. Slices are read from disk on demand.
 */
public final class NpyVectors implements VectorSource, AutoCloseable {

    private final Npy npy;
    private final int samples;
    private final int layers;
    private final int neuronsPerLayer;

    private NpyVectors(Npy npy, int samples, int layers, int neuronsPerLayer) {
        this.npy = npy;
        this.samples = samples;
        this.layers = layers;
        this.neuronsPerLayer = neuronsPerLayer;
    }

    /**
     * Opens {@code path}. {@code layers} may be null for a 3-D array; for a 2-D array it is required and
     * must divide the row length.
     */
    public static NpyVectors open(Path path, Integer layers) throws IOException {
        Npy npy = Npy.open(path);
        try {
            if (!npy.dtype().equals("<f4") && !npy.dtype().equals("<f8")) {
                throw new IllegalArgumentException(path + ": dtype " + npy.dtype() + ", expected float32 (<f4) or float64 (<f8)");
            }
            long[] shape = npy.shape();
            int m;
            long d;
            if (shape.length == 3) {
                m = Math.toIntExact(shape[1]);
                d = shape[2];
                if (layers != null && layers != m) {
                    throw new IllegalArgumentException(path + ": shape " + Arrays.toString(shape) + " has " + m + " layers, --layers says " + layers);
                }
            } else if (shape.length == 2) {
                if (layers == null) {
                    throw new IllegalArgumentException(path + ": shape " + Arrays.toString(shape)
                            + " is [N, M*D]; give the number of layers M (--layers) so that it can be split");
                }
                if (layers <= 0 || shape[1] % layers != 0) {
                    throw new IllegalArgumentException(path + ": row length " + shape[1] + " is not a multiple of " + layers + " layers");
                }
                m = layers;
                d = shape[1] / layers;
            } else {
                throw new IllegalArgumentException(path + ": shape " + Arrays.toString(shape) + ", expected [N, M*D] or [N, M, D]");
            }
            if (shape[0] == 0 || d == 0) {
                throw new IllegalArgumentException(path + ": empty array " + Arrays.toString(shape));
            }
            return new NpyVectors(npy, Math.toIntExact(shape[0]), m, Math.toIntExact(d));
        } catch (RuntimeException e) {
            npy.close();
            throw e;
        }
    }

    @Override
    public int samples() {
        return samples;
    }

    @Override
    public int layers() {
        return layers;
    }

    @Override
    public int neuronsPerLayer() {
        return neuronsPerLayer;
    }

    @Override
    public double[] slice(int sample, int layer) throws IOException {
        return npy.readDoubles(((long) sample * layers + layer) * neuronsPerLayer, neuronsPerLayer);
    }

    @Override
    public String name() {
        return npy.path().toString();
    }

    @Override
    public void close() throws IOException {
        npy.close();
    }
}
