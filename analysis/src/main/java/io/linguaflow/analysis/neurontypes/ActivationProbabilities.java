package io.linguaflow.analysis.neurontypes;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Per-language activation probabilities p[l, n, k]: the fraction of language k's tokens on which FFN neuron n of
 * layer l is active (BLOOM: GeLU output &gt; 0; LLaMA/Mistral: SiLU(gate) &gt; 0). Layout as the reference tensor
 * {@code [L, D, K]} in C order: value (l, n, k) at {@code (l*D + n)*K + k}; the flat neuron index is
 * {@code f = l*D + n}. Values are float32 exactly as the reference builds them.
 *
 * <p>Invariants (checked on construction): every value is finite and &ge; 0 (p may exceed 1: the NJUNLP
 * response-only variant can), languages are distinct and K = languages.size().
 */
public final class ActivationProbabilities {

    private final List<String> languages;
    private final int layers;
    private final int neuronsPerLayer;
    private final float[] values;

    private ActivationProbabilities(List<String> languages, int layers, int neuronsPerLayer, float[] values) {
        this.languages = languages;
        this.layers = layers;
        this.neuronsPerLayer = neuronsPerLayer;
        this.values = values;
    }

    /**
     * Wraps probabilities in the {@code [L, D, K]} layout. The array is used as is, not copied (only a
     * {@code -0.0} in it is rewritten as {@code +0.0}).
     *
     * @param source names the input in error messages (a file, a topic, ...)
     */
    public static ActivationProbabilities of(String source, List<String> languages, int layers, int neuronsPerLayer,
            float[] values) {
        List<String> langs = checkShape(source, languages, layers, neuronsPerLayer);
        long expected = (long) layers * neuronsPerLayer * langs.size();
        if (values.length != expected) {
            throw new IllegalArgumentException(source + ": " + values.length + " probabilities, expected L*D*K = "
                    + layers + "*" + neuronsPerLayer + "*" + langs.size() + " = " + expected);
        }
        int k = langs.size();
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!(v >= 0f) || v == Float.POSITIVE_INFINITY) {
                int f = i / k;
                throw new IllegalArgumentException(source + ": activation probability " + v + " at layer "
                        + f / neuronsPerLayer + ", neuron " + f % neuronsPerLayer + ", language " + langs.get(i % k)
                        + " (must be finite and >= 0)");
            }
            if (v == 0f) {
                values[i] = 0f; // -0.0 -> +0.0 so that bit order equals value order in the selections
            }
        }
        return new ActivationProbabilities(langs, layers, neuronsPerLayer, values);
    }

    /**
     * p over all tokens, as our pipeline counts them: {@code p = (float) positive / (float) tokens}
     * (LAPE {@code activation_probs = over_zero / n}; the same float32 division as the reference).
     *
     * @param positive per language k, the positive-activation counts in layout {@code [L, D]} (f = l*D + n)
     * @param tokens   per language k, the number of tokens counted
     */
    public static ActivationProbabilities fromCounts(String source, List<String> languages, int layers,
            int neuronsPerLayer, long[][] positive, long[] tokens) {
        Builder b = builder(source, languages, layers, neuronsPerLayer);
        checkPerLanguage(source, languages, positive.length, tokens.length);
        for (int k = 0; k < positive.length; k++) {
            checkCountLength(source, languages.get(k), positive[k].length, (long) layers * neuronsPerLayer);
            for (int l = 0; l < layers; l++) {
                b.putLayer(l, k, positive[k], l * neuronsPerLayer, tokens[k]);
            }
        }
        return b.build();
    }

    /**
     * NJUNLP response-only probabilities (Zhang et al. {@code analysis.py} l.86-102): the counts of a
     * "prefix" run (instruction only) are subtracted from a "full" run (instruction + answer):
     * {@code p = (float) max(full - prefix, 0) / (float) max(tokFull - tokPrefix, 1)}.
     * The clamp matters (the prefix count can exceed the full count) and p can exceed 1.
     */
    public static ActivationProbabilities fromResponseCounts(String source, List<String> languages, int layers,
            int neuronsPerLayer, long[][] full, long[][] prefix, long[] tokensFull, long[] tokensPrefix) {
        List<String> langs = checkShape(source, languages, layers, neuronsPerLayer);
        checkPerLanguage(source, langs, full.length, tokensFull.length);
        checkPerLanguage(source, langs, prefix.length, tokensPrefix.length);
        int kk = langs.size();
        int m = layers * neuronsPerLayer;
        float[] p = new float[m * kk];
        for (int k = 0; k < kk; k++) {
            String lang = langs.get(k);
            checkCountLength(source, lang + " full", full[k].length, m);
            checkCountLength(source, lang + " prefix", prefix[k].length, m);
            float dTok = (float) Math.max(tokensFull[k] - tokensPrefix[k], 1); // d_tok = max(total_full - total_prefix, 1)
            for (int f = 0; f < m; f++) {
                long a = full[k][f];
                long c = prefix[k][f];
                if (a < 0 || c < 0) {
                    throw new IllegalArgumentException(source + ": negative count (full " + a + ", prefix " + c
                            + ") for language " + lang + " at layer " + f / neuronsPerLayer + ", neuron "
                            + f % neuronsPerLayer);
                }
                p[f * kk + k] = (float) Math.max(a - c, 0) / dTok; // d_oz = clamp_min(full - prefix, 0)
            }
        }
        return of(source, langs, layers, neuronsPerLayer, p);
    }

    /**
     * A builder filled layer by layer, language by language (e.g. from per-checkpoint aggregates of
     * positive-activation counts and token counts), giving the same values as {@link #fromCounts}.
     */
    public static Builder builder(String source, List<String> languages, int layers, int neuronsPerLayer) {
        return new Builder(source, checkShape(source, languages, layers, neuronsPerLayer), layers, neuronsPerLayer);
    }

    /** Fills p[l, ·, k] from positive-activation counts over all tokens; every (layer, language) exactly once. */
    public static final class Builder {
        private final String source;
        private final List<String> languages;
        private final int layers;
        private final int neuronsPerLayer;
        private final float[] values;
        private final boolean[] filled;

        private Builder(String source, List<String> languages, int layers, int neuronsPerLayer) {
            this.source = source;
            this.languages = languages;
            this.layers = layers;
            this.neuronsPerLayer = neuronsPerLayer;
            this.values = new float[layers * neuronsPerLayer * languages.size()];
            this.filled = new boolean[layers * languages.size()];
        }

        /** Sets layer {@code layer} of language index {@code language} from {@code positive[0..D)} and a token count. */
        public Builder putLayer(int layer, int language, long[] positive, long tokens) {
            if (positive.length != neuronsPerLayer) {
                throw new IllegalArgumentException(source + ": " + positive.length + " counts for layer " + layer
                        + ", expected " + neuronsPerLayer + " neurons");
            }
            return putLayer(layer, language, positive, 0, tokens);
        }

        private Builder putLayer(int layer, int language, long[] positive, int offset, long tokens) {
            if (layer < 0 || layer >= layers || language < 0 || language >= languages.size()) {
                throw new IndexOutOfBoundsException(source + ": layer " + layer + " / language index " + language
                        + " outside [0, " + layers + ") x [0, " + languages.size() + ")");
            }
            String lang = languages.get(language);
            if (filled[layer * languages.size() + language]) {
                throw new IllegalStateException(source + ": layer " + layer + " of language " + lang + " given twice");
            }
            if (tokens <= 0) {
                throw new IllegalArgumentException(source + ": token count " + tokens + " for language " + lang
                        + " (must be > 0)");
            }
            int kk = languages.size();
            float n = (float) tokens;
            for (int i = 0; i < neuronsPerLayer; i++) {
                long c = positive[offset + i];
                if (c < 0 || c > tokens) {
                    throw new IllegalArgumentException(source + ": positive count " + c + " for language " + lang
                            + " at layer " + layer + ", neuron " + i + " outside [0, " + tokens + " tokens]");
                }
                values[((layer * neuronsPerLayer) + i) * kk + language] = (float) c / n;
            }
            filled[layer * languages.size() + language] = true;
            return this;
        }

        public ActivationProbabilities build() {
            for (int i = 0; i < filled.length; i++) {
                if (!filled[i]) {
                    throw new IllegalStateException(source + ": no counts for layer " + i / languages.size()
                            + " of language " + languages.get(i % languages.size()));
                }
            }
            return of(source, languages, layers, neuronsPerLayer, values);
        }
    }

    private static List<String> checkShape(String source, List<String> languages, int layers, int neuronsPerLayer) {
        if (languages.size() < 2) {
            throw new IllegalArgumentException(source + ": need at least 2 languages, got " + languages);
        }
        Set<String> seen = new HashSet<>();
        for (String l : languages) {
            if (l == null || l.isBlank() || !seen.add(l)) {
                throw new IllegalArgumentException(source + ": language names must be distinct and non-empty: "
                        + languages);
            }
        }
        if (layers <= 0 || neuronsPerLayer <= 0
                || (long) layers * neuronsPerLayer * languages.size() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(source + ": unsupported shape L=" + layers + ", D=" + neuronsPerLayer
                    + ", K=" + languages.size());
        }
        return List.copyOf(languages);
    }

    private static void checkPerLanguage(String source, List<String> languages, int counts, int tokens) {
        if (counts != languages.size() || tokens != languages.size()) {
            throw new IllegalArgumentException(source + ": " + counts + " count arrays and " + tokens
                    + " token counts for " + languages.size() + " languages " + languages);
        }
    }

    private static void checkCountLength(String source, String what, int length, long expected) {
        if (length != expected) {
            throw new IllegalArgumentException(source + ": " + length + " counts for " + what + ", expected L*D = "
                    + expected);
        }
    }

    public List<String> languages() {
        return languages;
    }

    /** K, the number of languages. */
    public int languageCount() {
        return languages.size();
    }

    public int layers() {
        return layers;
    }

    public int neuronsPerLayer() {
        return neuronsPerLayer;
    }

    /** L*D, the number of neurons. */
    public int neuronCount() {
        return layers * neuronsPerLayer;
    }

    /** p for flat neuron {@code f = l*D + n} and language index k. */
    public float get(int f, int k) {
        return values[f * languages.size() + k];
    }

    /** A copy of all values in the {@code [L, D, K]} layout. */
    public float[] toArray() {
        return values.clone();
    }

    /** The backing array, for the classifiers of this package (never modified). */
    float[] values() {
        return values;
    }
}
