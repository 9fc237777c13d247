package io.linguaflow.analysis.batch;

import java.util.List;

/**
 * Every number of the authors' released metric code (lf_reference.json layout), computed exactly from
 * sufficient statistics.
 *
 * @param languageOrder the language-major row order used (the authors' order)
 * @param lrds          whole-model LRDS, block size S
 * @param sadsReleased  whole-model SADS as released: stride S+1
 * @param sadsIntended  whole-model SADS with stride S (each block = one meaning)
 * @param perLayer      the per-layer variants
 */
public record LfCompatResult(List<String> languageOrder, BlockScore lrds, BlockScore sadsReleased, BlockScore sadsIntended,
                             List<Layer> perLayer) {

    /**
     * @param sadsReleased         stride S+1 on this layer
     * @param sadsReleasedMainCall what run.py l.622 computes: stride 100+1 whatever S is
     */
    public record Layer(BlockScore lrds, BlockScore sadsIntended, BlockScore sadsReleased, BlockScore sadsReleasedMainCall) {
    }
}
