package io.linguaflow.analysis.neurontypes;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The outcome of one classification: the selected neurons, the per-language masks (selected neurons with
 * p &gt; τ), and the ternary types of Zhang et al.: <b>specific</b> = a masked neuron with N = 1,
 * <b>related</b> = a masked neuron with 1 &lt; N &lt; K, <b>general</b> = N = K counted over <em>all</em> L*D
 * neurons with the same τ. The reference code never computes general neurons and its λ search guarantees
 * that no selected neuron has N = K, so "all neurons" is the only reading under which the class is non-empty
 * (an interpretation, IMPLEMENTATION-NOTES §5 item 14). Arrays returned are copies.
 */
public final class NeuronTypesResult {

    private final Method method;
    private final List<String> languages;
    private final int layers;
    private final int neuronsPerLayer;
    private final double topRate;
    private final double activationBarRatio;
    private final OptionalDouble lambda;
    private final int tauRank;
    private final float tau;
    private final int[] selected;
    private final float kthScore;
    private final float nextScore;
    private final int[][][] masks;
    private final int[] appear;
    private final int[] sizes;
    private final int[] specificPerLanguage;
    private final int[] specificPerLayer;
    private final int[] relatedPerLayer;
    private final int[] generalPerLayer;
    private final int[][] general;
    private final int[] languageCountHistogram;
    private final int selectedWithoutLanguage;
    private final LambdaSweep.Result sweep;

    private NeuronTypesResult(Method method, ActivationProbabilities p, double topRate, Threshold t,
            OptionalDouble lambda, Selection.Smallest sel, LambdaSweep.Result sweep) {
        this.method = method;
        this.languages = p.languages();
        this.layers = p.layers();
        this.neuronsPerLayer = p.neuronsPerLayer();
        this.topRate = topRate;
        this.activationBarRatio = t.ratio;
        this.lambda = lambda;
        this.tauRank = t.rank;
        this.tau = t.tau;
        this.selected = sel.indices();
        this.kthScore = sel.kthScore();
        this.nextScore = sel.nextScore();
        this.sweep = sweep;
        int kk = languages.size();
        int d = neuronsPerLayer;
        int[] n = t.languagesAbove;
        float[] v = p.values();

        appear = new int[kk + 1];
        sizes = new int[kk];
        specificPerLanguage = new int[kk];
        specificPerLayer = new int[layers];
        relatedPerLayer = new int[layers];
        int[][] maskSize = new int[kk][layers];
        int n0 = 0;
        for (int f : selected) {
            int c = n[f];
            int l = f / d;
            if (c == 0) {
                n0++; // no language above τ: in no mask, dropped (there is no pre-filter in Zhang et al.)
                continue;
            }
            appear[c]++; // appear[c] = neurons in exactly c language masks (analysis.py appear_distribution)
            if (c == 1) {
                specificPerLayer[l]++;
            } else if (c < kk) {
                relatedPerLayer[l]++;
            }
            for (int k = 0; k < kk; k++) {
                if (v[f * kk + k] > t.tau) { // identify.py l.47-62: p > τ (strict, float32) puts n in mask[k][l]
                    maskSize[k][l]++;
                    sizes[k]++;
                    if (c == 1) {
                        specificPerLanguage[k]++;
                    }
                }
            }
        }
        selectedWithoutLanguage = n0;
        masks = new int[kk][layers][];
        int[][] fill = new int[kk][layers];
        for (int k = 0; k < kk; k++) {
            for (int l = 0; l < layers; l++) {
                masks[k][l] = new int[maskSize[k][l]];
            }
        }
        for (int f : selected) { // ascending flat index, so each layer's ids come out sorted and unique
            for (int k = 0; k < kk; k++) {
                if (v[f * kk + k] > t.tau) {
                    int l = f / d;
                    masks[k][l][fill[k][l]++] = f % d;
                }
            }
        }
        generalPerLayer = new int[layers];
        languageCountHistogram = new int[kk + 1];
        for (int f = 0; f < n.length; f++) {
            languageCountHistogram[n[f]]++;
            if (n[f] == kk) {
                generalPerLayer[f / d]++;
            }
        }
        general = new int[layers][];
        int[] fillGeneral = new int[layers];
        for (int l = 0; l < layers; l++) {
            general[l] = new int[generalPerLayer[l]];
        }
        for (int f = 0; f < n.length; f++) {
            if (n[f] == kk) {
                general[f / d][fillGeneral[f / d]++] = f % d;
            }
        }
    }

    /** @param sweep the λ search that chose λ, or null */
    static NeuronTypesResult of(Method method, ActivationProbabilities p, double topRate, Threshold t,
            OptionalDouble lambda, Selection.Smallest sel, LambdaSweep.Result sweep) {
        return new NeuronTypesResult(method, p, topRate, t, lambda, sel, sweep);
    }

    public Method method() {
        return method;
    }

    public List<String> languages() {
        return languages;
    }

    public int layers() {
        return layers;
    }

    public int neuronsPerLayer() {
        return neuronsPerLayer;
    }

    public double topRate() {
        return topRate;
    }

    public double activationBarRatio() {
        return activationBarRatio;
    }

    /** λ of the Zhang score; empty for LAPE. */
    public OptionalDouble lambda() {
        return lambda;
    }

    /** The λ search, when λ was found by {@link LambdaSweep}. */
    public Optional<LambdaSweep.Result> sweep() {
        return Optional.ofNullable(sweep);
    }

    /** k = round(L*D*topRate) (Python round, halves to even), the number of selected neurons. */
    public int k() {
        return selected.length;
    }

    /** The 1-indexed rank of τ among all L*D*K probabilities. */
    public int tauRank() {
        return tauRank;
    }

    public float tau() {
        return tau;
    }

    /** The k selected neurons (before the τ filter) as ascending flat indices f = l*D + n. */
    public int[] selected() {
        return selected.clone();
    }

    /** The k-th smallest score (the last selected). */
    public float kthScore() {
        return kthScore;
    }

    /** The (k+1)-th smallest score (the first not selected); NaN when every neuron is selected. */
    public float nextScore() {
        return nextScore;
    }

    /** Neuron ids (ascending, unique) of language index k in layer l: selected with p[l,n,k] &gt; τ. */
    public int[] mask(int language, int layer) {
        return masks[language][layer].clone();
    }

    /** appear[c], c = 0..K: masked neurons that are in exactly c language masks (appear[0] is always 0). */
    public int[] appear() {
        return appear.clone();
    }

    /** Per language: the mask size summed over layers. */
    public int[] sizes() {
        return sizes.clone();
    }

    /** Per language: language-specific neurons (N = 1) summed over layers. */
    public int[] specificPerLanguage() {
        return specificPerLanguage.clone();
    }

    /** Per layer: language-specific neurons (masked, N = 1). */
    public int[] specificPerLayer() {
        return specificPerLayer.clone();
    }

    /** Per layer: language-related neurons (masked, 1 &lt; N &lt; K). */
    public int[] relatedPerLayer() {
        return relatedPerLayer.clone();
    }

    /** Per layer: general neurons (N = K, over all neurons of the layer). */
    public int[] generalPerLayer() {
        return generalPerLayer.clone();
    }

    /** Neuron ids (ascending) of the general neurons (N = K over all neurons) of layer l. */
    public int[] general(int layer) {
        return general[layer].clone();
    }

    public int specificTotal() {
        return sum(specificPerLayer);
    }

    public int relatedTotal() {
        return sum(relatedPerLayer);
    }

    public int generalTotal() {
        return sum(generalPerLayer);
    }

    /** Over all L*D neurons: how many have N = c, c = 0..K. */
    public int[] languageCountHistogram() {
        return languageCountHistogram.clone();
    }

    /** Selected neurons with no language above τ (N = 0), which therefore appear in no mask. */
    public int selectedWithoutLanguage() {
        return selectedWithoutLanguage;
    }

    private static int sum(int[] a) {
        int s = 0;
        for (int x : a) {
            s += x;
        }
        return s;
    }
}
