package io.linguaflow.analysis.batch;

import io.linguaflow.analysis.metrics.PairClassSums;

/**
 * A score in the authors' form: mean of the diagonal block means minus mean of the off-diagonal ones
 * (run.py compare_similarity_diagnal), which equals a difference of pooled pair-class means.
 */
public record BlockScore(double diagonalMean, double offDiagonalMean) {

    public double score() {
        return diagonalMean - offDiagonalMean;
    }

    /** LRDS form: diagonal = SL pairs, off-diagonal = DD pairs. */
    public static BlockScore lrds(PairClassSums p) {
        return new BlockScore(p.meanSameLanguage(), p.meanDifferent());
    }

    /** SADS form: diagonal = SM pairs, off-diagonal = DD pairs. */
    public static BlockScore sads(PairClassSums p) {
        return new BlockScore(p.meanSameMeaning(), p.meanDifferent());
    }
}
