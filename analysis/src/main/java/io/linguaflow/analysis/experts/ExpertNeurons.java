package io.linguaflow.analysis.experts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Expert neurons of concepts, per language (Suau et al. 2020, "Finding experts in transformer models", as
 * used by Riemenschneider &amp; Frank 2025): for concept c and language ℓ, a neuron's expertise is the average
 * precision of its response (max-pooled over the sentence's tokens) at telling ℓ's rows labelled c
 * (positives) from ℓ's other rows (negatives); the experts are the top k neurons by AP, across all layers.
 */
public final class ExpertNeurons {

    /** Neurons read from the responses at a time. */
    private static final int BLOCK = 2048;

    /** The ranking order: AP descending, ties by ascending neuron id. */
    private static final Comparator<Expert> BEST_FIRST = Comparator.comparingDouble(Expert::ap).reversed()
            .thenComparingInt(Expert::neuron);

    private ExpertNeurons() {
    }

    /** One expert: flat neuron id and its AP. */
    public record Expert(int neuron, double ap) {
    }

    /** The experts of one (concept, language), in descending AP (ties: ascending neuron id). */
    public record Ranking(List<Expert> experts, int positives, int negatives) {
    }

    /** Expert-set overlap of two languages for one concept: |A∩B|/k and Jaccard |A∩B|/|A∪B|. */
    public record Overlap(String a, String b, int shared, double sharedOverK, double jaccard) {
    }

    /** A (concept, language) without a ranking: all or none of the language's rows carry the concept. */
    public record Skipped(String concept, String language, int positives, int negatives) {
    }

    /**
     * @param k          experts kept per (concept, language)
     * @param concepts   concept name to its rankings by language (languages in corpus order)
     * @param overlaps   concept name to the overlaps of every pair of languages that both have a ranking
     * @param skipped    pairs without a ranking
     */
    public record Result(int k, Map<String, Map<String, Ranking>> concepts, Map<String, List<Overlap>> overlaps,
                         List<Skipped> skipped) {
    }

    /**
     * Ranks the neurons of {@code responses} for every concept and language.
     *
     * @param languages per row, the row's language
     * @param concepts  per row, the concepts it is labelled with (possibly none)
     * @param k         experts per (concept, language), 1 ≤ k ≤ number of neurons
     * @param source    names the inputs in error messages
     */
    public static Result find(Responses responses, List<String> languages, List<Set<String>> concepts, int k,
                              String source) {
        int n = responses.rows();
        if (languages.size() != n || concepts.size() != n) {
            throw new IllegalArgumentException(source + ": " + n + " response rows but " + languages.size()
                    + " corpus rows (rows must be in corpus order)");
        }
        if (k < 1 || k > responses.neurons()) {
            throw new IllegalArgumentException(source + ": top-k " + k + " must be between 1 and the neuron count "
                    + responses.neurons());
        }
        Set<String> allConcepts = ConceptLabels.requireTwoConcepts(concepts, source);
        Map<String, List<Integer>> rowsByLang = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            rowsByLang.computeIfAbsent(languages.get(i), x -> new ArrayList<>()).add(i);
        }
        Map<String, Map<String, Ranking>> byConcept = new LinkedHashMap<>();
        allConcepts.forEach(c -> byConcept.put(c, new LinkedHashMap<>()));
        List<Skipped> skipped = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : rowsByLang.entrySet()) {
            int[] rows = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            List<String> ranked = new ArrayList<>();
            List<boolean[]> labels = new ArrayList<>();
            List<Integer> positives = new ArrayList<>();
            for (String c : allConcepts) {
                boolean[] y = new boolean[rows.length];
                int p = 0;
                for (int i = 0; i < rows.length; i++) {
                    y[i] = concepts.get(rows[i]).contains(c);
                    p += y[i] ? 1 : 0;
                }
                if (p == 0 || p == rows.length) {
                    skipped.add(new Skipped(c, e.getKey(), p, rows.length - p));
                } else {
                    ranked.add(c);
                    labels.add(y);
                    positives.add(p);
                }
            }
            List<List<Expert>> top = rank(responses, rows, labels, positives, k);
            for (int c = 0; c < ranked.size(); c++) {
                byConcept.get(ranked.get(c)).put(e.getKey(),
                        new Ranking(top.get(c), positives.get(c), rows.length - positives.get(c)));
            }
        }
        Map<String, List<Overlap>> overlaps = new LinkedHashMap<>();
        byConcept.forEach((c, rankings) -> overlaps.put(c, overlaps(rankings, k)));
        return new Result(k, byConcept, overlaps, skipped);
    }

    /**
     * The model-wide result from results over disjoint neuron ranges (e.g. one layer each, as the streams compute them
     * when a layer's samples are complete): part {@code i} ranked neurons {@code [0, n_i)} of the range starting at flat
     * id {@code firstNeuron[i]}, with top-k {@code min(k, n_i)}, on the same rows and labels. A neuron's AP depends on
     * its own responses only, and the order (AP descending, id ascending) is total, so the top k of the parts' top
     * lists, ids shifted, is exactly {@link #find}'s top k over all neurons.
     */
    public static Result merge(List<Result> parts, int[] firstNeuron, int k) {
        if (parts.isEmpty() || parts.size() != firstNeuron.length) {
            throw new IllegalArgumentException(parts.size() + " partial results for " + firstNeuron.length + " neuron ranges");
        }
        Result first = parts.get(0);
        Map<String, Map<String, Ranking>> byConcept = new LinkedHashMap<>();
        first.concepts().forEach((c, rankings) -> {
            Map<String, Ranking> merged = new LinkedHashMap<>();
            rankings.forEach((lang, r) -> {
                List<Expert> all = new ArrayList<>();
                for (int i = 0; i < parts.size(); i++) {
                    Ranking part = parts.get(i).concepts().getOrDefault(c, Map.of()).get(lang);
                    if (part == null || part.positives() != r.positives() || part.negatives() != r.negatives()) {
                        throw new IllegalArgumentException("partial result " + i + " ranks " + c + "/" + lang
                                + " on other rows than partial result 0");
                    }
                    int offset = firstNeuron[i];
                    part.experts().forEach(x -> all.add(new Expert(offset + x.neuron(), x.ap())));
                }
                all.sort(BEST_FIRST);
                merged.put(lang, new Ranking(List.copyOf(all.subList(0, Math.min(k, all.size()))), r.positives(), r.negatives()));
            });
            byConcept.put(c, merged);
        });
        Map<String, List<Overlap>> overlaps = new LinkedHashMap<>();
        byConcept.forEach((c, rankings) -> overlaps.put(c, overlaps(rankings, k)));
        return new Result(k, byConcept, overlaps, first.skipped());
    }

    /** Top-k experts of each label vector over {@code rows}: each neuron's scores are sorted once for all labels. */
    private static List<List<Expert>> rank(Responses responses, int[] rows, List<boolean[]> labels,
                                           List<Integer> positives, int k) {
        Comparator<Expert> worstFirst = BEST_FIRST.reversed();
        List<PriorityQueue<Expert>> heaps = new ArrayList<>();
        labels.forEach(x -> heaps.add(new PriorityQueue<>(worstFirst)));
        if (labels.isEmpty()) {
            return List.of();
        }
        int m = responses.neurons();
        float[] scores = new float[rows.length];
        for (int from = 0; from < m; from += BLOCK) {
            int count = Math.min(BLOCK, m - from);
            float[] block = responses.block(rows, from, count);
            for (int j = 0; j < count; j++) {
                System.arraycopy(block, j * rows.length, scores, 0, rows.length);
                int[] order;
                try {
                    order = AveragePrecision.descending(scores);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("neuron " + (from + j) + ": " + ex.getMessage(), ex);
                }
                for (int c = 0; c < labels.size(); c++) {
                    Expert x = new Expert(from + j, AveragePrecision.ofSorted(order, scores, labels.get(c),
                            positives.get(c)));
                    PriorityQueue<Expert> h = heaps.get(c);
                    if (h.size() < k) {
                        h.add(x);
                    } else if (worstFirst.compare(x, h.peek()) > 0) {
                        h.poll();
                        h.add(x);
                    }
                }
            }
        }
        List<List<Expert>> out = new ArrayList<>();
        for (PriorityQueue<Expert> h : heaps) {
            List<Expert> best = new ArrayList<>(h);
            best.sort(BEST_FIRST);
            out.add(List.copyOf(best));
        }
        return out;
    }

    /** Overlap of every pair of languages (in the rankings' order) that both rank the concept. */
    static List<Overlap> overlaps(Map<String, Ranking> rankings, int k) {
        List<String> langs = new ArrayList<>(rankings.keySet());
        List<Overlap> out = new ArrayList<>();
        for (int i = 0; i < langs.size(); i++) {
            Set<Integer> a = ids(rankings.get(langs.get(i)));
            for (int j = i + 1; j < langs.size(); j++) {
                Set<Integer> b = ids(rankings.get(langs.get(j)));
                int shared = 0;
                for (int x : a) {
                    shared += b.contains(x) ? 1 : 0;
                }
                int union = a.size() + b.size() - shared;
                out.add(new Overlap(langs.get(i), langs.get(j), shared, (double) shared / k, // |A∩B| / k
                        (double) shared / union)); // Jaccard |A∩B| / |A∪B|
            }
        }
        return out;
    }

    private static Set<Integer> ids(Ranking r) {
        Set<Integer> s = new java.util.HashSet<>();
        r.experts().forEach(x -> s.add(x.neuron()));
        return s;
    }
}
