package io.linguaflow.worker.runtime;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * A set of (layer, neuron) pairs zeroed at every token of every sample (Lingua Franca "deactivation"):
 * BLOOM's GeLU output, LLaMA's SiLU(gate) (which zeroes SiLU(gate) * up). Flat ids are {@code k = layer * D + neuron}.
 */
public final class Ablation {

    private static final Ablation NONE = new Ablation(new int[0], 0, 0);

    private final int[] flatIds;
    private final int layers;
    private final int width;

    private Ablation(int[] flatIds, int layers, int width) {
        this.flatIds = flatIds;
        this.layers = layers;
        this.width = width;
    }

    /** No neuron zeroed. */
    public static Ablation none() {
        return NONE;
    }

    /**
     * The neurons with the given flat ids in a model of {@code layers} x {@code width} neurons.
     *
     * @throws IllegalArgumentException naming the first id outside {@code [0, layers * width)}
     */
    public static Ablation ofFlatIds(int[] flatIds, int layers, int width) {
        TreeSet<Integer> set = new TreeSet<>();
        for (int k : flatIds) {
            if (k < 0 || k >= layers * width) {
                throw new IllegalArgumentException("neuron id " + k + " is outside [0, " + layers * width
                        + ") for " + layers + " layers x " + width + " neurons");
            }
            set.add(k);
        }
        return new Ablation(set.stream().mapToInt(Integer::intValue).toArray(), layers, width);
    }

    public boolean isEmpty() {
        return flatIds.length == 0;
    }

    /** Sorted distinct flat ids. */
    public int[] flatIds() {
        return flatIds.clone();
    }

    public int size() {
        return flatIds.length;
    }

    /** Per-layer multiplier: 0 at ablated neurons, 1 elsewhere; null when the layer keeps every neuron. */
    float[] keepMask(int layer) {
        float[] keep = null;
        for (int k : flatIds) {
            if (k / width == layer) {
                if (keep == null) {
                    keep = new float[width];
                    Arrays.fill(keep, 1f);
                }
                keep[k % width] = 0f;
            }
        }
        return keep;
    }

    /** Checks that the ablation was built for a model of this shape. */
    void requireShape(int layers, int width) {
        if (!isEmpty() && (this.layers != layers || this.width != width)) {
            throw new IllegalArgumentException("ablation built for " + this.layers + " x " + this.width
                    + " neurons, model has " + layers + " x " + width);
        }
    }
}
