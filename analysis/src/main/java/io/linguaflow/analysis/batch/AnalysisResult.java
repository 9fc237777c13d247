package io.linguaflow.analysis.batch;

import io.linguaflow.analysis.keyregions.KeyRegions;
import io.linguaflow.analysis.metrics.PairClassSums;
import java.util.List;

/**
 * Everything the analysis reports for one model (or checkpoint).
 *
 * @param lfCompat        whether the headline numbers follow the authors' released code
 * @param languages       languages in corpus order (the row order of {@code scores} and {@code zScores})
 * @param lrds            headline LRDS (identical in both modes on a complete corpus)
 * @param sads            headline SADS (lf-compat: the released stride-S+1 grouping)
 * @param perLayerLrds    per-layer LRDS
 * @param perLayerSads    per-layer SADS (lf-compat: run.py l.622, stride 100+1)
 * @param overall         whole-model pair-class sums (corrected definitions)
 * @param perLayer        per-layer pair-class sums (per-layer normalisation)
 * @param scores          [L][M·D] neuron scores used for selection: C_l(k), or the authors' score in lf-compat
 * @param zScores         [L][M·D] z-scores of {@code scores}
 * @param keyRegions      the selected neurons
 * @param compat          all of the authors' variants (lf-compat only, else null)
 * @param warnings        conditions the user should know about (e.g. unreachable threshold)
 */
public record AnalysisResult(boolean lfCompat, List<String> languages, int meanings, int samples, int layers, int neuronsPerLayer,
                             double lrds, double sads, double[] perLayerLrds, double[] perLayerSads,
                             PairClassSums overall, List<PairClassSums> perLayer,
                             double[][] scores, double[][] zScores, KeyRegions keyRegions, LfCompatResult compat,
                             List<String> warnings) {
}
