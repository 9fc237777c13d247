package io.linguaflow.analysis.keyregions;

import io.linguaflow.analysis.stats.GroupSums;
import java.util.List;

/**
 * Neuron scores and their z-scores for one layer, from the language groups of that layer (languages in a
 * fixed order). z is taken per neuron across languages, so layers are independent (docs/math.md §4).
 *
 * @param scores [L][D] contribution scores (or the authors' score in lf-compat)
 * @param z      [L][D] z-scores
 */
public record LayerScores(double[][] scores, double[][] z) {

    /** C_l(k) averages over the n_l(n_l−1) ordered pairs of language l: it needs at least two samples (docs/math.md §4). */
    public static final int MIN_SAMPLES = 2;

    /**
     * One neuron d of the layer, per language in the layer's order (docs/math.md §4).
     *
     * @param contributions C_l(d)
     * @param z             z_l(d)
     * @param key           z_l(d) &gt; threshold (strict): d is in language l's key region
     */
    public record Neuron(double[] contributions, double[] z, boolean[] key) {
    }

    public static LayerScores of(List<GroupSums> languageGroups, boolean lfCompat) {
        double[][] s = new double[languageGroups.size()][];
        for (int l = 0; l < s.length; l++) {
            GroupSums g = languageGroups.get(l);
            s[l] = lfCompat ? ContributionScores.lfCompat(g) : ContributionScores.meanOverPairs(g);
        }
        return new LayerScores(s, ZScores.of(s));
    }

    /** True when a language with {@code samples} samples has pairs, so a contribution score. */
    public static boolean hasPairs(long samples) {
        return samples >= MIN_SAMPLES;
    }

    /**
     * True when the layer's key regions can be selected: at least two languages (z compares languages) and every one
     * with pairs. A layer that is not scorable selects no key neuron at all; the per-neuron view ({@link #neuron})
     * is taken over the languages that have pairs.
     */
    public static boolean scorable(long[] samplesPerLanguage) {
        if (samplesPerLanguage.length < 2) {
            return false;
        }
        for (long n : samplesPerLanguage) {
            if (!hasPairs(n)) {
                return false;
            }
        }
        return true;
    }

    /** Key-region membership: z_l(k) &gt; threshold, strictly (docs/math.md §4). */
    public static boolean isKey(double z, double threshold) {
        return z > threshold;
    }

    /** The view of neuron d: C_l(d), z_l(d) and the key flag for every language of the layer. */
    public Neuron neuron(int d, double threshold) {
        int languages = scores.length;
        double[] c = new double[languages];
        double[] zd = new double[languages];
        boolean[] key = new boolean[languages];
        for (int l = 0; l < languages; l++) {
            c[l] = scores[l][d];
            zd[l] = z[l][d];
            key[l] = isKey(zd[l], threshold);
        }
        return new Neuron(c, zd, key);
    }
}
