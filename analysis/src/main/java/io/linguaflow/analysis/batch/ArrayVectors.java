package io.linguaflow.analysis.batch;

/** A {@link VectorSource} over an in-memory array [N][M·D] (layer-major rows). */
public final class ArrayVectors implements VectorSource {

    private final double[][] rows;
    private final int layers;
    private final int neuronsPerLayer;

    public ArrayVectors(double[][] rows, int layers) {
        if (rows.length == 0 || layers <= 0 || rows[0].length % layers != 0) {
            throw new IllegalArgumentException("rows of length " + (rows.length == 0 ? 0 : rows[0].length)
                    + " do not split into " + layers + " layers");
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != rows[0].length) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + rows[0].length);
            }
        }
        this.rows = rows;
        this.layers = layers;
        this.neuronsPerLayer = rows[0].length / layers;
    }

    @Override
    public int samples() {
        return rows.length;
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
    public double[] slice(int sample, int layer) {
        double[] out = new double[neuronsPerLayer];
        System.arraycopy(rows[sample], layer * neuronsPerLayer, out, 0, neuronsPerLayer);
        return out;
    }

    @Override
    public String name() {
        return "(in-memory vectors)";
    }
}
