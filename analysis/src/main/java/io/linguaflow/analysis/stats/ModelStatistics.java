package io.linguaflow.analysis.stats;

import io.linguaflow.analysis.keyregions.KeyRegions;
import io.linguaflow.analysis.keyregions.LayerScores;
import io.linguaflow.analysis.metrics.PairClassSums;
import java.util.ArrayList;
import java.util.List;

/**
 * In-memory statistics of all layers of a model: one {@link LayerStatistics} per layer, fed either with
 * whole samples ({@link #addSample}) or with single layer records ({@link #add}), in any order, and
 * mergeable. Holds every layer at once, so it suits tests and small models; the batch {@code Analyzer}
 * streams one layer at a time instead.
 */
public final class ModelStatistics {

    private final List<LayerStatistics> layers = new ArrayList<>();
    private final int neuronsPerLayer;

    public ModelStatistics(int layers, int neuronsPerLayer) {
        for (int m = 0; m < layers; m++) {
            this.layers.add(new LayerStatistics(neuronsPerLayer));
        }
        this.neuronsPerLayer = neuronsPerLayer;
    }

    /** Adds one layer record of a sample. */
    public void add(String language, String meaning, int layer, LayerVector v) {
        layers.get(layer).add(language, meaning, v);
    }

    /** Adds a whole sample: raw layer-major concatenation [h̄¹|…|h̄ᴹ] of M·D values. */
    public void addSample(String language, String meaning, double[] concatenated) {
        if (concatenated.length != layers.size() * neuronsPerLayer) {
            throw new IllegalArgumentException("sample (" + language + ", " + meaning + ") has " + concatenated.length + " values, expected "
                    + layers.size() + " x " + neuronsPerLayer);
        }
        double modelNorm = LayerVector.norm(concatenated);
        for (int m = 0; m < layers.size(); m++) {
            double[] slice = new double[neuronsPerLayer];
            System.arraycopy(concatenated, m * neuronsPerLayer, slice, 0, neuronsPerLayer);
            add(language, meaning, m, LayerVector.of(slice, modelNorm));
        }
    }

    /** Adds the samples of {@code other} (disjoint cells in every layer). */
    public void merge(ModelStatistics other) {
        if (other.layers.size() != layers.size()) {
            throw new IllegalArgumentException("cannot merge models of " + other.layers.size() + " and " + layers.size() + " layers");
        }
        for (int m = 0; m < layers.size(); m++) {
            layers.get(m).merge(other.layers.get(m));
        }
    }

    public LayerStatistics layer(int m) {
        return layers.get(m);
    }

    public int layers() {
        return layers.size();
    }

    /** Whole-model pair-class sums: the sum of the per-layer partials in the whole-model normalisation. */
    public PairClassSums wholeModel() {
        return PairClassSums.sumOverLayers(layers.stream().map(l -> l.pairClassSums(Normalisation.MODEL)).toList());
    }

    /** Per-layer pair-class sums in the per-layer normalisation. */
    public List<PairClassSums> perLayer() {
        return layers.stream().map(l -> l.pairClassSums(Normalisation.LAYER)).toList();
    }

    /** Scores and z-scores of every layer, languages in the given order. */
    public List<LayerScores> layerScores(List<String> languages, boolean lfCompat) {
        return layers.stream().map(l -> LayerScores.of(l.languageGroups(languages), lfCompat)).toList();
    }

    /** Key regions at {@code threshold}, languages in the given order. */
    public KeyRegions keyRegions(List<String> languages, double threshold, boolean lfCompat) {
        KeyRegions.Builder b = new KeyRegions.Builder(languages, layers.size(), neuronsPerLayer, threshold);
        List<LayerScores> scores = layerScores(languages, lfCompat);
        for (int m = 0; m < scores.size(); m++) {
            b.addLayer(m, scores.get(m).z());
        }
        return b.build();
    }
}
