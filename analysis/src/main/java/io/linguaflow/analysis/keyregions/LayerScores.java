package io.linguaflow.analysis.keyregions;

import io.linguaflow.analysis.stats.GroupSums;
import java.util.List;

/**
 * Neuron scores and their z-scores for one layer, from the language groups of that layer (languages in a
 * fixed order). z is taken per neuron across languages, so layers are independent.
 *
 * @param scores [L][D] contribution scores (or the authors' score in lf-compat)
 * @param z      [L][D] z-scores
 */
public record LayerScores(double[][] scores, double[][] z) {

    public static LayerScores of(List<GroupSums> languageGroups, boolean lfCompat) {
        double[][] s = new double[languageGroups.size()][];
        for (int l = 0; l < s.length; l++) {
            GroupSums g = languageGroups.get(l);
            s[l] = lfCompat ? ContributionScores.lfCompat(g) : ContributionScores.meanOverPairs(g);
        }
        return new LayerScores(s, ZScores.of(s));
    }
}
