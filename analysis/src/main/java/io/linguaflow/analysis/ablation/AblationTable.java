package io.linguaflow.analysis.ablation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Zeng et al. 2025 Table 1 for one model: the perplexity of each evaluated language with the full model, with each
 * language's key region deactivated, and with a random set of neurons of the same size deactivated, each cell also as
 * a % increase over the full model; below, the key-neuron count of each language and its share of all neurons
 * (docs/math.md §7). Built by {@link #of}, which checks that every cell is there; the batch {@code table1} command and
 * the streamed {@code ablation-tables} both build it, so they agree by construction.
 *
 * @param languages    the region languages = the evaluated languages, in corpus order (rows and columns)
 * @param totalNeurons L·D, all neurons the regions are drawn from
 * @param keyNeurons   region language → |region|
 * @param baseline     evaluated language → full-model perplexity
 * @param ablated      region language → evaluated language → perplexity with that region zeroed
 * @param random       region language → evaluated language → perplexity with |region| random neurons zeroed (empty
 *                     when no random baseline was computed)
 * @param randomSeed   seed of the random sets (null when there are none)
 * @param evalCorpus   the corpus the perplexities were computed on
 */
public record AblationTable(List<String> languages, long totalNeurons, Map<String, Integer> keyNeurons, Map<String, Double> baseline,
                           Map<String, Map<String, Double>> ablated, Map<String, Map<String, Double>> random, Long randomSeed,
                           String evalCorpus) {

    /** Seed of the random baselines when none is given (batch command and streams alike). */
    public static final long DEFAULT_RANDOM_SEED = 1L;

    /**
     * The table of the given perplexities, restricted to {@code languages} (an evaluation corpus may hold more).
     *
     * @throws IllegalArgumentException naming the corpus and language when the evaluation corpus lacks a region's
     *                                  language, or a perplexity is missing
     */
    public static AblationTable of(List<String> languages, long totalNeurons, Map<String, Integer> keyNeurons,
                                   Map<String, Double> baseline, Map<String, Map<String, Double>> ablated,
                                   Map<String, Map<String, Double>> random, Long randomSeed, String evalCorpus) {
        if (languages.isEmpty()) {
            throw new IllegalArgumentException("ablation table: no languages");
        }
        if (totalNeurons <= 0) {
            throw new IllegalArgumentException("ablation table: total neurons must be > 0, got " + totalNeurons);
        }
        for (String lang : languages) {
            if (!baseline.containsKey(lang)) {
                throw new IllegalArgumentException("evaluation corpus '" + evalCorpus + "' has no text in language '" + lang
                        + "' (it has " + baseline.keySet() + "), so its perplexities cannot be measured");
            }
            if (!keyNeurons.containsKey(lang)) {
                throw new IllegalArgumentException("ablation table: no key-neuron count of language '" + lang + "'");
            }
        }
        Map<String, Map<String, Double>> a = cells("ablated", languages, ablated, evalCorpus);
        Map<String, Map<String, Double>> r = random.isEmpty() ? Map.of() : cells("random", languages, random, evalCorpus);
        if (!r.isEmpty() && randomSeed == null) {
            throw new IllegalArgumentException("ablation table: random baselines without their seed");
        }
        return new AblationTable(List.copyOf(languages), totalNeurons, restrict(languages, keyNeurons), restrict(languages, baseline),
                a, r, randomSeed, evalCorpus);
    }

    private static Map<String, Map<String, Double>> cells(String what, List<String> languages, Map<String, Map<String, Double>> in,
                                                          String evalCorpus) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String region : languages) {
            Map<String, Double> row = in.get(region);
            if (row == null) {
                throw new IllegalArgumentException("ablation table: no " + what + " perplexities for the region of '" + region + "'");
            }
            for (String lang : languages) {
                if (!row.containsKey(lang)) {
                    throw new IllegalArgumentException("evaluation corpus '" + evalCorpus + "' has no " + what
                            + " perplexity of language '" + lang + "' (region '" + region + "')");
                }
            }
            out.put(region, restrict(languages, row));
        }
        return out;
    }

    private static <V> Map<String, V> restrict(List<String> languages, Map<String, V> in) {
        Map<String, V> out = new LinkedHashMap<>();
        languages.forEach(l -> out.put(l, in.get(l)));
        return out;
    }

    /** % increase of a perplexity over the full model's: 100·(PPL_ablated / PPL_full − 1) (Zeng et al. Table 1). */
    public static double increasePct(double ablatedPpl, double fullPpl) {
        return 100.0 * (ablatedPpl / fullPpl - 1.0);
    }

    /** Increase of {@code evalLang}'s perplexity with {@code region}'s key region zeroed. */
    public double increasePct(String region, String evalLang) {
        return increasePct(ablated.get(region).get(evalLang), baseline.get(evalLang));
    }

    /** Increase of {@code evalLang}'s perplexity with a random set of |region| neurons zeroed; NaN without random baselines. */
    public double randomIncreasePct(String region, String evalLang) {
        return random.isEmpty() ? Double.NaN : increasePct(random.get(region).get(evalLang), baseline.get(evalLang));
    }

    /** Share of all L·D neurons in the language's key region, in %: 100·|region| / (L·D). */
    public double keyNeuronsPct(String lang) {
        return 100.0 * keyNeurons.get(lang) / totalNeurons;
    }

    /** region → evaluated language → {@link #increasePct(String, String)}. */
    public Map<String, Map<String, Double>> increasePct() {
        return grid(this::increasePct);
    }

    /** region → evaluated language → {@link #randomIncreasePct(String, String)} (empty without random baselines). */
    public Map<String, Map<String, Double>> randomIncreasePct() {
        return random.isEmpty() ? Map.of() : grid(this::randomIncreasePct);
    }

    /** language → {@link #keyNeuronsPct(String)}. */
    public Map<String, Double> keyNeuronsPct() {
        Map<String, Double> out = new LinkedHashMap<>();
        languages.forEach(l -> out.put(l, keyNeuronsPct(l)));
        return out;
    }

    private Map<String, Map<String, Double>> grid(java.util.function.ToDoubleBiFunction<String, String> cell) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String region : languages) {
            Map<String, Double> row = new LinkedHashMap<>();
            languages.forEach(l -> row.put(l, cell.applyAsDouble(region, l)));
            out.put(region, row);
        }
        return out;
    }
}
