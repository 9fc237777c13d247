package io.linguaflow.analysis.batch;

import io.linguaflow.analysis.compat.BlockLabels;
import io.linguaflow.analysis.compat.LfCompat;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.keyregions.KeyRegions;
import io.linguaflow.analysis.keyregions.LayerScores;
import io.linguaflow.analysis.metrics.PairClassSums;
import io.linguaflow.analysis.stats.LayerStatistics;
import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.analysis.stats.Normalisation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch analysis of a vector dump: the same sufficient statistics the streaming aggregators keep, fed
 * one layer at a time, so memory holds one layer's statistics (plus the [L][M·D] scores) and the input
 * is streamed. Two passes over the vectors: whole-model norms, then the layers.
 */
public final class Analyzer {

    private Analyzer() {
    }

    public static AnalysisResult analyze(VectorSource vectors, Corpus corpus, AnalysisOptions options) throws IOException {
        int n = vectors.samples();
        int layers = vectors.layers();
        int d = vectors.neuronsPerLayer();
        List<String> languages = corpus.languages();
        validate(vectors, corpus, options);

        double[] modelNorms = ModelNorms.of(vectors, corpus);
        CompatLabels compat = options.lfCompat() ? new CompatLabels(corpus, options.lfLanguageOrder()) : null;

        List<PairClassSums> modelParts = new ArrayList<>();
        List<PairClassSums> perLayer = new ArrayList<>();
        List<PairClassSums> releasedModelParts = new ArrayList<>();
        List<LfCompatResult.Layer> compatLayers = new ArrayList<>();
        double[][] scores = new double[languages.size()][layers * d];
        double[][] zScores = new double[languages.size()][layers * d];
        KeyRegions.Builder regions = new KeyRegions.Builder(languages, layers, d, options.threshold());

        for (int m = 0; m < layers; m++) {
            LayerStatistics stats = new LayerStatistics(d);
            LayerStatistics released = compat == null ? null : new LayerStatistics(d);
            LayerStatistics mainCall = compat == null ? null : new LayerStatistics(d);
            for (int i = 0; i < n; i++) {
                Corpus.Row row = corpus.row(i);
                LayerVector v;
                try {
                    v = LayerVector.of(vectors.slice(i, m), modelNorms[i]);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(ModelNorms.where(vectors, corpus, i) + ", layer " + m + ": " + e.getMessage(), e);
                }
                stats.add(row.lang(), row.id(), v);
                if (compat != null) {
                    compat.released.add(released, i, v);
                    compat.mainCall.add(mainCall, i, v);
                }
            }
            PairClassSums layerSums = stats.pairClassSums(Normalisation.LAYER);
            perLayer.add(layerSums);
            modelParts.add(stats.pairClassSums(Normalisation.MODEL));

            LayerScores layerScores = LayerScores.of(stats.languageGroups(languages), compat != null);
            for (int l = 0; l < languages.size(); l++) {
                System.arraycopy(layerScores.scores()[l], 0, scores[l], m * d, d);
                System.arraycopy(layerScores.z()[l], 0, zScores[l], m * d, d);
            }
            regions.addLayer(m, layerScores.z());

            if (compat != null) {
                releasedModelParts.add(released.pairClassSums(Normalisation.MODEL));
                compatLayers.add(new LfCompatResult.Layer(BlockScore.lrds(layerSums), BlockScore.sads(layerSums),
                        BlockScore.sads(released.pairClassSums(Normalisation.LAYER)),
                        BlockScore.sads(mainCall.pairClassSums(Normalisation.LAYER))));
            }
        }

        PairClassSums overall = PairClassSums.sumOverLayers(modelParts);
        KeyRegions keyRegions = regions.build();
        List<String> warnings = new ArrayList<>();
        if (keyRegions.warning() != null) {
            warnings.add(keyRegions.warning());
        }
        corpus.languagesPerMeaning().forEach((id, count) -> {
            if (count == 1) {
                warnings.add("meaning '" + id + "' occurs in one language only: its sample takes part in same-language and"
                        + " different-language pairs but in no same-meaning pair");
            }
        });

        double[] layerLrds = perLayer.stream().mapToDouble(PairClassSums::lrds).toArray();
        if (compat == null) {
            return new AnalysisResult(false, languages, corpus.meanings().size(), n, layers, d, overall.lrds(), overall.sads(),
                    layerLrds, perLayer.stream().mapToDouble(PairClassSums::sads).toArray(), overall, perLayer, scores, zScores,
                    keyRegions, null, List.copyOf(warnings));
        }
        BlockScore sadsReleased = BlockScore.sads(PairClassSums.sumOverLayers(releasedModelParts));
        LfCompatResult lf = new LfCompatResult(compat.order, BlockScore.lrds(overall), sadsReleased, BlockScore.sads(overall),
                compatLayers);
        return new AnalysisResult(true, languages, corpus.meanings().size(), n, layers, d, overall.lrds(), sadsReleased.score(),
                layerLrds, compatLayers.stream().mapToDouble(l -> l.sadsReleasedMainCall().score()).toArray(), overall, perLayer,
                scores, zScores, keyRegions, lf, List.copyOf(warnings));
    }

    private static void validate(VectorSource vectors, Corpus corpus, AnalysisOptions options) {
        if (vectors.samples() != corpus.size()) {
            throw new IllegalArgumentException(vectors.name() + " has " + vectors.samples() + " rows but " + corpus.source() + " has "
                    + corpus.size() + " samples; rows must be the corpus samples in corpus order");
        }
        Map<String, Integer> perLanguage = corpus.samplesPerLanguage();
        if (perLanguage.size() < 2) {
            throw new IllegalArgumentException(corpus.source() + ": " + perLanguage.size()
                    + " language(s); LRDS, SADS and z-scores compare at least 2 languages");
        }
        perLanguage.forEach((lang, count) -> {
            if (count < 2) {
                throw new IllegalArgumentException(corpus.source() + ": language '" + lang + "' has " + count
                        + " sample; its contribution scores need at least 2 samples (pairs) per language");
            }
        });
        if (corpus.languagesPerMeaning().values().stream().allMatch(c -> c == 1)) {
            throw new IllegalArgumentException(corpus.source() + ": no meaning id occurs in two languages, so there are no"
                    + " same-meaning pairs and SADS is undefined");
        }
        if (corpus.meanings().size() < 2) {
            throw new IllegalArgumentException(corpus.source() + ": a single meaning id; LRDS and SADS need pairs of different meanings");
        }
        if (options.lfCompat()) {
            int s = corpus.meanings().size();
            perLanguage.forEach((lang, count) -> {
                if (count != s) {
                    throw new IllegalArgumentException(corpus.source() + ": --lf-compat needs a complete parallel corpus (the authors' code"
                            + " cuts language-major rows into blocks of S = " + s + " meanings), but language '" + lang + "' has " + count
                            + " of the " + s + " meanings");
                }
            });
        }
    }

    /** lf-compat labels of each corpus row: language-major row index in the authors' order, then block labels. */
    private static final class CompatLabels {
        final List<String> order;
        final Grouping released;
        final Grouping mainCall;

        CompatLabels(Corpus corpus, List<String> explicitOrder) {
            order = LfCompat.languageOrder(corpus.languages(), explicitOrder);
            List<String> meanings = corpus.meanings();
            Map<String, Integer> meaningIndex = new HashMap<>();
            for (int s = 0; s < meanings.size(); s++) {
                meaningIndex.put(meanings.get(s), s);
            }
            int[] lfRow = new int[corpus.size()];
            for (int i = 0; i < corpus.size(); i++) {
                Corpus.Row r = corpus.row(i);
                lfRow[i] = order.indexOf(r.lang()) * meanings.size() + meaningIndex.get(r.id());
            }
            int rows = corpus.size();
            int blockSize = order.size();
            released = new Grouping(lfRow, new BlockLabels(rows, meanings.size() + 1, blockSize));
            mainCall = new Grouping(lfRow, new BlockLabels(rows, LfCompat.DEFAULT_SAMPLE_NUM + 1, blockSize));
        }
    }

    /** Feeds corpus row i into statistics labelled (pseudo-language = in-block position, pseudo-meaning = block). */
    private record Grouping(int[] lfRow, BlockLabels labels) {
        void add(LayerStatistics stats, int i, LayerVector v) {
            int r = lfRow[i];
            stats.add("position " + labels.inBlock(r), "block " + labels.block(r), v);
        }
    }
}
