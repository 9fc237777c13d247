package io.linguaflow.worker.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Token-weighted perplexity per group (e.g. per language), as in the Lingua Franca deactivation experiment:
 * PPL_g = exp(Σ token NLL / Σ predicted tokens) over the texts of group g. A text longer than the model's
 * context is scored in non-overlapping windows of the context length (stride = window, as in the paper); each
 * window predicts its tokens after the first, so a text of n tokens in w windows predicts n − w tokens.
 */
public final class Perplexity {

    private Perplexity() {
    }

    /** Running Σ NLL and predicted-token count of one group. */
    public record Totals(double nllSum, long predicted) {

        public double perplexity() {
            return Math.exp(nllSum / predicted);
        }
    }

    /** Non-overlapping windows {@code [0, w), [w, 2w), ...} of a token sequence (the last may be shorter). */
    public static List<long[]> windows(long[] ids, int window) {
        if (window < 2) {
            throw new IllegalArgumentException("perplexity window must be >= 2 tokens, got " + window);
        }
        List<long[]> out = new ArrayList<>();
        for (int start = 0; start < ids.length; start += window) {
            out.add(Arrays.copyOfRange(ids, start, Math.min(ids.length, start + window)));
        }
        return out;
    }

    /**
     * NLL totals per group, groups in first-appearance order.
     *
     * @param texts    one text per sample
     * @param groups   the group (language) of each sample
     * @param ablation neurons zeroed at every token
     */
    public static Map<String, Totals> totals(LanguageModel model, List<String> texts, List<String> groups,
                                             Ablation ablation) {
        if (texts.size() != groups.size()) {
            throw new IllegalArgumentException(texts.size() + " texts but " + groups.size() + " groups");
        }
        int window = model.config().contextLength();
        List<long[]> pieces = new ArrayList<>();
        List<String> pieceGroup = new ArrayList<>();
        List<long[]> encoded = model.encode(texts);
        for (int i = 0; i < encoded.size(); i++) {
            for (long[] w : windows(encoded.get(i), window)) {
                pieces.add(w);
                pieceGroup.add(groups.get(i));
            }
        }
        List<double[]> nll = model.tokenNll(pieces, ablation);
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (int i = 0; i < pieces.size(); i++) {
            double[] a = acc.computeIfAbsent(pieceGroup.get(i), g -> new double[2]);
            for (double x : nll.get(i)) {
                a[0] += x;
            }
            a[1] += nll.get(i).length;
        }
        Map<String, Totals> out = new LinkedHashMap<>();
        acc.forEach((g, a) -> out.put(g, new Totals(a[0], (long) a[1])));
        return out;
    }

    /** Perplexity per group, groups in first-appearance order. */
    public static Map<String, Double> perGroup(LanguageModel model, List<String> texts, List<String> groups,
                                               Ablation ablation) {
        Map<String, Double> out = new LinkedHashMap<>();
        totals(model, texts, groups, ablation).forEach((g, t) -> out.put(g, t.perplexity()));
        return out;
    }
}
