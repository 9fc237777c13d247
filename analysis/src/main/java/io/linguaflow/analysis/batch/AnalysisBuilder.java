package io.linguaflow.analysis.batch;

import io.linguaflow.analysis.keyregions.KeyRegions;
import io.linguaflow.analysis.keyregions.LayerScores;
import io.linguaflow.analysis.metrics.PairClassSums;
import io.linguaflow.analysis.stats.LayerGroups;
import io.linguaflow.analysis.stats.Normalisation;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the statistics of each layer, fed in layer order, into an {@link AnalysisResult}: per-layer and
 * whole-model LRDS/SADS, scores, z-scores and key regions. Used by the batch {@link Analyzer} and by any
 * caller that holds the groups elsewhere (a state store): only one layer's groups are needed at a time.
 */
public final class AnalysisBuilder {

    private final List<String> languages;
    private final int meanings;
    private final int samples;
    private final int layers;
    private final int neuronsPerLayer;
    private final List<String> lfLanguageOrder;
    private final List<PairClassSums> modelParts = new ArrayList<>();
    private final List<PairClassSums> perLayer = new ArrayList<>();
    private final List<PairClassSums> releasedModelParts = new ArrayList<>();
    private final List<LfCompatResult.Layer> compatLayers = new ArrayList<>();
    private final double[][] scores;
    private final double[][] zScores;
    private final KeyRegions.Builder regions;

    /**
     * @param languages       languages in result order (corpus order)
     * @param lfLanguageOrder the authors' row order when building an lf-compat result, else null
     */
    public AnalysisBuilder(List<String> languages, int meanings, int samples, int layers, int neuronsPerLayer, double threshold,
                           List<String> lfLanguageOrder) {
        this.languages = List.copyOf(languages);
        this.meanings = meanings;
        this.samples = samples;
        this.layers = layers;
        this.neuronsPerLayer = neuronsPerLayer;
        this.lfLanguageOrder = lfLanguageOrder == null ? null : List.copyOf(lfLanguageOrder);
        this.scores = new double[languages.size()][layers * neuronsPerLayer];
        this.zScores = new double[languages.size()][layers * neuronsPerLayer];
        this.regions = new KeyRegions.Builder(languages, layers, neuronsPerLayer, threshold);
    }

    private boolean lfCompat() {
        return lfLanguageOrder != null;
    }

    /** Adds layer m (layers in order) for a result with the corrected definitions. */
    public void addLayer(int m, LayerGroups groups) {
        if (lfCompat()) {
            throw new IllegalStateException("an lf-compat result needs the authors' block groupings of every layer");
        }
        add(m, groups);
    }

    /**
     * Adds layer m for an lf-compat result: {@code released} and {@code mainCall} are the same samples
     * grouped by {@link io.linguaflow.analysis.compat.BlockLabels} with stride S+1 and 100+1.
     */
    public void addLayer(int m, LayerGroups groups, LayerGroups released, LayerGroups mainCall) {
        if (!lfCompat()) {
            throw new IllegalStateException("block groupings are for lf-compat results only");
        }
        PairClassSums layerSums = add(m, groups);
        releasedModelParts.add(released.pairClassSums(Normalisation.MODEL));
        compatLayers.add(new LfCompatResult.Layer(BlockScore.lrds(layerSums), BlockScore.sads(layerSums),
                BlockScore.sads(released.pairClassSums(Normalisation.LAYER)), BlockScore.sads(mainCall.pairClassSums(Normalisation.LAYER))));
    }

    private PairClassSums add(int m, LayerGroups groups) {
        PairClassSums layerSums = groups.pairClassSums(Normalisation.LAYER);
        LayerScores layerScores = LayerScores.of(groups.languageGroups(languages), lfCompat());
        regions.addLayer(m, layerScores.z());
        perLayer.add(layerSums);
        modelParts.add(groups.pairClassSums(Normalisation.MODEL));
        for (int l = 0; l < languages.size(); l++) {
            System.arraycopy(layerScores.scores()[l], 0, scores[l], m * neuronsPerLayer, neuronsPerLayer);
            System.arraycopy(layerScores.z()[l], 0, zScores[l], m * neuronsPerLayer, neuronsPerLayer);
        }
        return layerSums;
    }

    /** The result; {@code dataWarnings} (e.g. about the corpus) come after the key-region warning. */
    public AnalysisResult build(List<String> dataWarnings) {
        PairClassSums overall = PairClassSums.sumOverLayers(modelParts);
        KeyRegions keyRegions = regions.build();
        List<String> warnings = new ArrayList<>();
        if (keyRegions.warning() != null) {
            warnings.add(keyRegions.warning());
        }
        warnings.addAll(dataWarnings);
        double[] layerLrds = perLayer.stream().mapToDouble(PairClassSums::lrds).toArray();
        if (!lfCompat()) {
            return new AnalysisResult(false, languages, meanings, samples, layers, neuronsPerLayer, overall.lrds(), overall.sads(),
                    layerLrds, perLayer.stream().mapToDouble(PairClassSums::sads).toArray(), overall, List.copyOf(perLayer), scores,
                    zScores, keyRegions, null, List.copyOf(warnings));
        }
        BlockScore sadsReleased = BlockScore.sads(PairClassSums.sumOverLayers(releasedModelParts));
        LfCompatResult lf = new LfCompatResult(lfLanguageOrder, BlockScore.lrds(overall), sadsReleased, BlockScore.sads(overall),
                List.copyOf(compatLayers));
        return new AnalysisResult(true, languages, meanings, samples, layers, neuronsPerLayer, overall.lrds(), sadsReleased.score(),
                layerLrds, compatLayers.stream().mapToDouble(l -> l.sadsReleasedMainCall().score()).toArray(), overall,
                List.copyOf(perLayer), scores, zScores, keyRegions, lf, List.copyOf(warnings));
    }
}
