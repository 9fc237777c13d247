package io.linguaflow.streams.config;

import io.linguaflow.analysis.ablation.AblationTable;
import java.util.List;

/**
 * What the evaluation topology asks for each checkpoint once its key regions are final (docs/design.md §4b).
 *
 * @param evalCorpus      corpus (as on the {@code sentences} topic) Table 1's perplexities are measured on; null: no table
 * @param ablationTable   Table 1 on (only with an {@code evalCorpus}: with none there is nothing to measure on)
 * @param randomSeed      seed of the random baselines, recorded in the table
 * @param storyCloze      XStoryCloze languages, monolingual and cross-lingual (empty: no XStoryCloze)
 * @param storyLimit      at most this many stories per language (null: all)
 * @param storyClozeAblated also each variant with each language's key region ablated (one request per region)
 */
public record EvaluationSettings(String evalCorpus, boolean ablationTable, long randomSeed, List<String> storyCloze,
                                 Integer storyLimit, boolean storyClozeAblated) {

    public EvaluationSettings {
        storyCloze = List.copyOf(storyCloze);
        if (evalCorpus != null && evalCorpus.isBlank()) {
            throw new IllegalArgumentException("evaluation corpus name is blank");
        }
        if (storyLimit != null && storyLimit < 1) {
            throw new IllegalArgumentException("story limit must be >= 1, got " + storyLimit);
        }
    }

    /** Nothing issued: no evaluation corpus, no XStoryCloze languages. */
    public static EvaluationSettings off() {
        return new EvaluationSettings(null, true, AblationTable.DEFAULT_RANDOM_SEED, List.of(), null, false);
    }

    /** Table 1 on {@code corpus}, with the default seed. */
    public EvaluationSettings withEvalCorpus(String corpus) {
        return new EvaluationSettings(corpus, ablationTable, randomSeed, storyCloze, storyLimit, storyClozeAblated);
    }

    public EvaluationSettings withAblationTable(boolean on) {
        return new EvaluationSettings(evalCorpus, on, randomSeed, storyCloze, storyLimit, storyClozeAblated);
    }

    public EvaluationSettings withRandomSeed(long seed) {
        return new EvaluationSettings(evalCorpus, ablationTable, seed, storyCloze, storyLimit, storyClozeAblated);
    }

    public EvaluationSettings withStoryCloze(List<String> languages, Integer limit, boolean ablated) {
        return new EvaluationSettings(evalCorpus, ablationTable, randomSeed, languages, limit, ablated);
    }

    /** Table 1 is issued: switched on and an evaluation corpus named. */
    public boolean tableOn() {
        return ablationTable && evalCorpus != null;
    }

    public boolean storyClozeOn() {
        return !storyCloze.isEmpty();
    }

    /** Anything to issue at all. */
    public boolean any() {
        return tableOn() || storyClozeOn();
    }
}
