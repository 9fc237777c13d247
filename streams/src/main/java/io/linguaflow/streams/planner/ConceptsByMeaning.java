package io.linguaflow.streams.planner;

import io.linguaflow.schemas.avro.Sentence;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan's concept labels ({@code CheckpointPlan.conceptsByMeaning}) from the corpus rows' {@code Sentence.concepts}.
 * Labels such as FLORES topics belong to a meaning, so the plan carries one list per meaning, and every task learns a
 * row's concepts from the plans global store without a join with the corpus partitions. The rows of a meaning should
 * agree (as sets); when they do not, the meaning's first row in corpus order wins and the disagreement is reported,
 * naming the rows: nothing is dropped, as one mislabelled translation should not stop a checkpoint's analysis.
 *
 * @param byMeaning     meaning id to concepts (an Avro map: no order); null when no row carries labels
 * @param disagreements one line per meaning whose rows disagree, naming the rows (sample id, corpus index) and labels
 */
record ConceptsByMeaning(Map<String, List<String>> byMeaning, List<String> disagreements) {

    /** How many disagreeing meanings a report names. */
    static final int REPORTED = 5;

    /** @param rows the corpus rows in corpus order; a row without labels counts as labelled with no concept */
    static ConceptsByMeaning of(List<Sentence> rows) {
        if (rows.stream().allMatch(r -> r.getConcepts() == null)) {
            return new ConceptsByMeaning(null, List.of());
        }
        Map<String, List<String>> byMeaning = new LinkedHashMap<>();
        Map<String, Sentence> first = new LinkedHashMap<>();
        Map<String, List<String>> conflicts = new LinkedHashMap<>();
        for (Sentence r : rows) {
            List<String> concepts = r.getConcepts() == null ? List.of() : List.copyOf(r.getConcepts());
            Sentence f = first.putIfAbsent(r.getMeaningId(), r);
            if (f == null) {
                byMeaning.put(r.getMeaningId(), concepts);
            } else if (!new HashSet<>(concepts).equals(new HashSet<>(byMeaning.get(r.getMeaningId())))) {
                conflicts.computeIfAbsent(r.getMeaningId(), m -> new ArrayList<>(List.of(describe(f, byMeaning.get(m)))))
                        .add(describe(r, concepts));
            }
        }
        List<String> disagreements = new ArrayList<>();
        conflicts.forEach((m, rowsSaid) -> disagreements.add("meaning '" + m + "': " + String.join(" vs ", rowsSaid)));
        return new ConceptsByMeaning(byMeaning, disagreements);
    }

    private static String describe(Sentence row, List<String> concepts) {
        return row.getLang() + "|" + row.getMeaningId() + " (index " + row.getIndex() + ") " + concepts;
    }

    /** The warning for the plan's progress message, naming the first {@link #REPORTED} meanings; null when none. */
    String warning() {
        if (disagreements.isEmpty()) {
            return null;
        }
        String named = String.join("; ", disagreements.subList(0, Math.min(REPORTED, disagreements.size())));
        int more = disagreements.size() - REPORTED;
        return "concept labels disagree within " + disagreements.size() + " meaning(s), the first row's are planned: "
                + named + (more > 0 ? "; and " + more + " more" : "");
    }
}
