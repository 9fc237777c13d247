package io.linguaflow.analysis.experts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CrossLanguageOverlapTest {

    @Test
    void meanOverPairsThenOverConceptsLeavingOutConceptsWithoutPairs() {
        Map<String, List<ExpertNeurons.Overlap>> overlaps = new LinkedHashMap<>();
        overlaps.put("food", List.of(new ExpertNeurons.Overlap("en", "fr", 1, 0.5, 1 / 3.0),
                new ExpertNeurons.Overlap("en", "zh", 2, 1.0, 1.0), new ExpertNeurons.Overlap("fr", "zh", 0, 0.0, 0.0)));
        overlaps.put("home", List.of(new ExpertNeurons.Overlap("en", "fr", 1, 0.5, 0.5)));
        overlaps.put("rare", List.of()); // ranked in one language only
        CrossLanguageOverlap o = CrossLanguageOverlap.of(overlaps);
        assertEquals(Map.of("food", (1 / 3.0 + 1.0 + 0.0) / 3, "home", 0.5), o.perConcept());
        assertEquals(((1 / 3.0 + 1.0) / 3 + 0.5) / 2, o.mean(), 1e-15);
        assertNull(CrossLanguageOverlap.of(Map.of("rare", List.of())).mean());
    }

    /** On a real ranking: the pairs' Jaccards as find computes them, recomputed from the expert sets by hand. */
    @Test
    void equalsTheExpertSetsJaccardOfFind() {
        float[][] responses = new float[12][6];
        for (int i = 0; i < 12; i++) {
            for (int n = 0; n < 6; n++) {
                responses[i][n] = (float) Math.sin(1.7 * i + 2.3 * n * n);
            }
        }
        List<String> langs = List.of("en", "en", "en", "en", "en", "en", "fr", "fr", "fr", "fr", "fr", "fr");
        List<Set<String>> labels = List.of(Set.of("a"), Set.of("b"), Set.of("a"),
                Set.of("b"), Set.of("a"), Set.of("b"), Set.of("a"), Set.of("b"),
                Set.of("a"), Set.of("b"), Set.of("a"), Set.of("b"));
        ExpertNeurons.Result r = ExpertNeurons.find(Responses.of(responses), langs, labels, 3, "synthetic");
        CrossLanguageOverlap o = CrossLanguageOverlap.of(r.overlaps());
        double sum = 0;
        for (String c : List.of("a", "b")) {
            Set<Integer> en = new HashSet<>();
            Set<Integer> fr = new HashSet<>();
            r.concepts().get(c).get("en").experts().forEach(x -> en.add(x.neuron()));
            r.concepts().get(c).get("fr").experts().forEach(x -> fr.add(x.neuron()));
            Set<Integer> both = new HashSet<>(en);
            both.retainAll(fr);
            Set<Integer> either = new HashSet<>(en);
            either.addAll(fr);
            double j = (double) both.size() / either.size();
            assertEquals(j, o.perConcept().get(c), 1e-15, c);
            sum += j;
        }
        assertEquals(sum / 2, o.mean(), 1e-15);
    }
}
