package io.linguaflow.analysis.keyregions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Key linguistic regions: for each language the neurons k with z_l(k) &gt; threshold (strict), as flat
 * indices k = layer·D + d in ascending order, with per-layer counts and SKLR = Σ_l |region_l|
 * (Zeng et al. 2025 §3.3 and §3.2; docs/math.md §4). Built layer by layer with {@link Builder}.
 *
 * @param threshold          the z threshold
 * @param thresholdReachable false when √(L−1) ≤ threshold: no neuron can pass (then none is selected,
 *                           not even one that passes by a rounding error)
 * @param warning            the explanation when the threshold is unreachable, else null
 */
public record KeyRegions(List<String> languages, int layers, int neuronsPerLayer, double threshold,
                         boolean thresholdReachable, String warning,
                         Map<String, long[]> neurons, Map<String, int[]> countsPerLayer) {

    /** |region_l|. */
    public int count(String language) {
        return neurons.get(language).length;
    }

    /** SKLR = Σ_l |region_l| (Zeng et al. 2025 §3.2). */
    public long sklr() {
        long s = 0;
        for (long[] r : neurons.values()) {
            s += r.length;
        }
        return s;
    }

    /** SKLR per layer: Σ_l |region_l ∩ layer m|. */
    public long[] sklrPerLayer() {
        long[] s = new long[layers];
        for (int[] c : countsPerLayer.values()) {
            for (int m = 0; m < layers; m++) {
                s[m] += c[m];
            }
        }
        return s;
    }

    /** SKLR as a fraction of all M·D neurons. */
    public double sklrFraction() {
        return (double) sklr() / ((double) layers * neuronsPerLayer);
    }

    /** Collects the selected neurons one layer at a time (layers in ascending order). */
    public static final class Builder {
        private final List<String> languages;
        private final int layers;
        private final int neuronsPerLayer;
        private final double threshold;
        private final List<List<Long>> selected = new ArrayList<>();
        private final int[][] counts;
        private final boolean reachable;
        private int nextLayer;

        public Builder(List<String> languages, int layers, int neuronsPerLayer, double threshold) {
            this.languages = List.copyOf(languages);
            this.reachable = ZScores.maxReachable(languages.size()) > threshold;
            this.layers = layers;
            this.neuronsPerLayer = neuronsPerLayer;
            this.threshold = threshold;
            this.counts = new int[languages.size()][layers];
            for (int l = 0; l < languages.size(); l++) {
                selected.add(new ArrayList<>());
            }
        }

        /** Selects z[l][d] &gt; threshold in {@code layer}; z has one row per language in builder order. */
        public Builder addLayer(int layer, double[][] z) {
            if (layer != nextLayer) {
                throw new IllegalArgumentException("layers must be added in order: expected " + nextLayer + ", got " + layer);
            }
            for (int l = 0; l < z.length && reachable; l++) {
                for (int d = 0; d < neuronsPerLayer; d++) {
                    if (LayerScores.isKey(z[l][d], threshold)) {
                        selected.get(l).add((long) layer * neuronsPerLayer + d);
                        counts[l][layer]++;
                    }
                }
            }
            nextLayer++;
            return this;
        }

        public KeyRegions build() {
            if (nextLayer != layers) {
                throw new IllegalStateException("only " + nextLayer + " of " + layers + " layers were added");
            }
            String warning = reachable ? null
                    : String.format("with %d languages the largest possible z-score (population sigma) is sqrt(L-1) = %.4f <= threshold %s:"
                            + " no neuron can be selected, the key regions are empty (use more languages or a lower threshold)",
                            languages.size(), ZScores.maxReachable(languages.size()), threshold);
            Map<String, long[]> neurons = new LinkedHashMap<>();
            Map<String, int[]> perLayer = new LinkedHashMap<>();
            for (int l = 0; l < languages.size(); l++) {
                neurons.put(languages.get(l), selected.get(l).stream().mapToLong(Long::longValue).toArray());
                perLayer.put(languages.get(l), Arrays.copyOf(counts[l], layers));
            }
            return new KeyRegions(languages, layers, neuronsPerLayer, threshold, reachable, warning, neurons, perLayer);
        }
    }
}
