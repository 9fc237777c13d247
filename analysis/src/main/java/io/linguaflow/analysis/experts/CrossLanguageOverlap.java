package io.linguaflow.analysis.experts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much the languages share a concept's experts (Riemenschneider &amp; Frank 2025 track the overlap of the
 * per-language expert sets over training): per concept, the mean Jaccard |A∩B|/|A∪B| over its language pairs; for the
 * checkpoint, the mean of those over the concepts.
 *
 * @param perConcept concept to the mean Jaccard of its pairs (concepts ranked in fewer than two languages are left out)
 * @param mean       mean over {@code perConcept}; null when it is empty
 */
public record CrossLanguageOverlap(Map<String, Double> perConcept, Double mean) {

    /** @param overlaps per concept, each language pair once ({@link ExpertNeurons.Result#overlaps()}) */
    public static CrossLanguageOverlap of(Map<String, List<ExpertNeurons.Overlap>> overlaps) {
        Map<String, Double> perConcept = new LinkedHashMap<>();
        overlaps.forEach((concept, pairs) -> {
            if (!pairs.isEmpty()) {
                perConcept.put(concept, pairs.stream().mapToDouble(ExpertNeurons.Overlap::jaccard).average().orElseThrow());
            }
        });
        Double mean = perConcept.isEmpty() ? null : perConcept.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        return new CrossLanguageOverlap(perConcept, mean);
    }
}
