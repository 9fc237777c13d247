package io.linguaflow.analysis.keyregions;

import io.linguaflow.analysis.stats.GroupSums;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

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
     * @param languages     indices (into the layer's language groups) of the languages with pairs, which are scored
     * @param contributions C_l(d)
     * @param z             z_l(d)
     * @param key           d is in language l's key region: z_l(d) &gt; threshold (strict) in a {@link #scorable} layer
     */
    public record Neuron(int[] languages, double[] contributions, double[] z, boolean[] key) {
    }

    /**
     * The view of neuron d from all language groups present in the layer: C_l(d) and z_l(d) over the languages with
     * pairs, and key flags that agree with the layer's key regions (none while the layer is not {@link #scorable}).
     */
    public static Neuron neuron(List<GroupSums> languageGroups, boolean lfCompat, int d, double threshold) {
        long[] samples = languageGroups.stream().mapToLong(GroupSums::count).toArray();
        int[] withPairs = IntStream.range(0, samples.length).filter(l -> hasPairs(samples[l])).toArray();
        LayerScores scores = of(Arrays.stream(withPairs).mapToObj(languageGroups::get).toList(), lfCompat);
        boolean selectable = scorable(samples);
        double[] c = new double[withPairs.length];
        double[] z = new double[withPairs.length];
        boolean[] key = new boolean[withPairs.length];
        for (int l = 0; l < withPairs.length; l++) {
            c[l] = scores.scores[l][d];
            z[l] = scores.z[l][d];
            key[l] = selectable && isKey(z[l], threshold);
        }
        return new Neuron(withPairs, c, z, key);
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
     * with pairs. A layer that is not scorable selects no key neuron at all; the per-neuron view
     * ({@link #neuron(List, boolean, int, double)}) is taken over the languages that have pairs.
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
}
