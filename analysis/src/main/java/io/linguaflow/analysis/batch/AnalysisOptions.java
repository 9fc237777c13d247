package io.linguaflow.analysis.batch;

import java.util.List;

/**
 * @param threshold       z-score threshold for key regions (strict &gt;; the paper uses 2)
 * @param lfCompat        reproduce the authors' released code (ε, double division, stride S+1 SADS)
 * @param lfLanguageOrder the authors' language-major row order for lf-compat; null = their Bible order
 */
public record AnalysisOptions(double threshold, boolean lfCompat, List<String> lfLanguageOrder) {

    public static final double DEFAULT_THRESHOLD = 2.0;

    public AnalysisOptions {
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be finite, got " + threshold);
        }
        lfLanguageOrder = lfLanguageOrder == null ? null : List.copyOf(lfLanguageOrder);
    }

    /** The corrected definitions at threshold 2. */
    public static AnalysisOptions defaults() {
        return new AnalysisOptions(DEFAULT_THRESHOLD, false, null);
    }
}
