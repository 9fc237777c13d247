package io.linguaflow.analysis.corpus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A parallel corpus: one row per sample, in sample order. A sample is identified by (language, meaning id);
 * the same id marks all translations of one meaning. Duplicate (id, lang) rows are rejected.
 *
 * @param source where the rows came from, for error messages
 */
public record Corpus(String source, List<Row> rows) {

    /** One sample; {@code line} is the 1-based source line (0 when built in memory). */
    public record Row(int line, String id, String lang, String text) {
    }

    public Corpus {
        rows = List.copyOf(rows);
        Map<List<String>, Row> seen = new HashMap<>();
        for (Row r : rows) {
            if (r.id().isEmpty() || r.lang().isEmpty()) {
                throw new IllegalArgumentException(source + " line " + r.line() + ": empty " + (r.id().isEmpty() ? "id" : "lang"));
            }
            Row before = seen.put(List.of(r.id(), r.lang()), r);
            if (before != null) {
                throw new IllegalArgumentException(source + " line " + r.line() + ": duplicate (id, lang) = (" + r.id() + ", " + r.lang()
                        + "), first at line " + before.line() + "; each translation of a meaning must occur once");
            }
        }
    }

    /** A corpus built in memory from parallel id and language lists (text empty). */
    public static Corpus of(List<String> ids, List<String> langs) {
        if (ids.size() != langs.size()) {
            throw new IllegalArgumentException(ids.size() + " ids for " + langs.size() + " languages");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            rows.add(new Row(0, ids.get(i), langs.get(i), ""));
        }
        return new Corpus("(in memory)", rows);
    }

    /** Meaning ids in sample order. */
    public List<String> ids() {
        return rows.stream().map(Row::id).toList();
    }

    /** Languages in sample order. */
    public List<String> langs() {
        return rows.stream().map(Row::lang).toList();
    }

    /** Texts in sample order (empty when the TSV has no text column). */
    public List<String> texts() {
        return rows.stream().map(Row::text).toList();
    }

    public int size() {
        return rows.size();
    }

    public Row row(int i) {
        return rows.get(i);
    }

    /** Languages in order of first appearance. */
    public List<String> languages() {
        LinkedHashSet<String> s = new LinkedHashSet<>();
        rows.forEach(r -> s.add(r.lang()));
        return List.copyOf(s);
    }

    /** Meaning ids in order of first appearance. */
    public List<String> meanings() {
        LinkedHashSet<String> s = new LinkedHashSet<>();
        rows.forEach(r -> s.add(r.id()));
        return List.copyOf(s);
    }

    /** Number of samples per language, languages in order of first appearance. */
    public Map<String, Integer> samplesPerLanguage() {
        Map<String, Integer> n = new LinkedHashMap<>();
        rows.forEach(r -> n.merge(r.lang(), 1, Integer::sum));
        return n;
    }

    /** Number of languages per meaning id, ids in order of first appearance. */
    public Map<String, Integer> languagesPerMeaning() {
        Map<String, Integer> n = new LinkedHashMap<>();
        rows.forEach(r -> n.merge(r.id(), 1, Integer::sum));
        return n;
    }
}
