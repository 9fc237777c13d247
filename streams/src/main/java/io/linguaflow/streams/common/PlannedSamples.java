package io.linguaflow.streams.common;

import io.linguaflow.schemas.Keys;
import io.linguaflow.streams.avro.CheckpointPlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A plan's sample set: {@code languages × meaningIds} minus {@code absentSamples} of its {@link CheckpointPlan}. The
 * planner writes it from the corpus rows; the aggregators count only its samples, so a layer holding
 * {@code samplesExpected} distinct counted samples holds every planned one. For a balanced corpus it costs the two
 * lists and no absent sample.
 *
 * @param languages     in corpus order (first appearance)
 * @param meaningIds    in corpus order (first appearance)
 * @param absentSamples sample ids of the grid that the corpus lacks, in meaning then language order
 */
public record PlannedSamples(List<String> languages, List<String> meaningIds, List<String> absentSamples) {

    public PlannedSamples {
        languages = List.copyOf(languages);
        meaningIds = List.copyOf(meaningIds);
        absentSamples = List.copyOf(absentSamples);
    }

    /** The sample set of corpus rows given as parallel lists of language and meaning id, in corpus order. */
    public static PlannedSamples ofRows(List<String> langs, List<String> meaningIds) {
        Set<String> languages = new LinkedHashSet<>(langs);
        Set<String> meanings = new LinkedHashSet<>(meaningIds);
        Set<String> present = new HashSet<>();
        for (int i = 0; i < langs.size(); i++) {
            present.add(Keys.sampleId(langs.get(i), meaningIds.get(i)));
        }
        List<String> absent = new ArrayList<>();
        for (String meaning : meanings) {
            for (String lang : languages) {
                String sampleId = Keys.sampleId(lang, meaning);
                if (!present.contains(sampleId)) {
                    absent.add(sampleId);
                }
            }
        }
        return new PlannedSamples(List.copyOf(languages), List.copyOf(meanings), absent);
    }

    /** Sets the plan's languages, meaning ids and absent samples. */
    public CheckpointPlan.Builder writeTo(CheckpointPlan.Builder plan) {
        return plan.setLanguages(languages).setMeaningIds(meaningIds).setAbsentSamples(absentSamples);
    }

    /**
     * Why sample {@code sampleId} ({@code "<lang>|<meaningId>"}) is not in {@code plan}'s sample set, or null when it is.
     * A plan written before {@code meaningIds} existed checks the language only.
     */
    public static String whyNotPlanned(CheckpointPlan plan, String sampleId) {
        String lang = Keys.sampleLang(sampleId);
        String meaningId = sampleId.substring(lang.length() + 1);
        if (!plan.getLanguages().contains(lang)) {
            return "language '" + lang + "' is not one of the plan's languages " + plan.getLanguages();
        }
        if (plan.getMeaningIds() == null) {
            return null;
        }
        if (!plan.getMeaningIds().contains(meaningId)) {
            return "meaning '" + meaningId + "' is not one of the " + plan.getMeaningIds().size() + " meanings of corpus '"
                    + plan.getCorpus() + "' in the plan";
        }
        if (plan.getAbsentSamples().contains(sampleId)) {
            return "corpus '" + plan.getCorpus() + "' has no sample '" + sampleId + "' (the plan lists it as absent)";
        }
        return null;
    }
}
