package io.linguaflow.analysis.probes;

import java.util.List;

/**
 * The layer whose probe tells the languages apart best, the summary of Riemenschneider &amp; Frank's per-layer accuracy
 * curves that a trend over checkpoints follows: the highest mean cross-validated accuracy, ties to the lower layer.
 */
public record BestLayer(int layer, double accuracyMean) {

    /** The best of {@code layers} (layers with a NaN accuracy are passed over); null when none has an accuracy. */
    public static BestLayer of(List<LanguageProbe.LayerResult> layers) {
        BestLayer best = null;
        for (LanguageProbe.LayerResult r : layers) {
            if (!Double.isNaN(r.accuracyMean()) && (best == null || r.accuracyMean() > best.accuracyMean()
                    || r.accuracyMean() == best.accuracyMean() && r.layer() < best.layer())) {
                best = new BestLayer(r.layer(), r.accuracyMean());
            }
        }
        return best;
    }
}
