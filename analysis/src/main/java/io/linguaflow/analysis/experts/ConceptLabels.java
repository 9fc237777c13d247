package io.linguaflow.analysis.experts;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Concept labels of corpus rows, read the same way wherever they enter: the batch {@code linguaflow experts}
 * (a TSV column or FLORES metadata) and the corpus producer ({@code produce-corpus --labels-column}, which puts them on
 * {@code Sentence.concepts} for streams).
 */
public final class ConceptLabels {

    private ConceptLabels() {
    }

    /**
     * The concepts of one label cell: split at {@code separator} (null: the whole cell is one concept), each part
     * trimmed, blank parts dropped, repeats kept once, in cell order. An empty cell has no concept (the row is a
     * negative of every concept).
     */
    public static Set<String> parse(String cell, String separator) {
        Set<String> out = new LinkedHashSet<>();
        for (String x : separator == null ? new String[] {cell} : cell.split(Pattern.quote(separator))) {
            if (!x.isBlank()) {
                out.add(x.trim());
            }
        }
        return out;
    }

    /** {@link #parse(String, String)} of every cell, in order. */
    public static List<Set<String>> parse(List<String> cells, String separator) {
        List<Set<String>> out = new ArrayList<>(cells.size());
        cells.forEach(c -> out.add(parse(c, separator)));
        return out;
    }

    /**
     * The concepts the rows name, in order of first appearance; at least two, since a concept's experts are ranked
     * by its rows against the others.
     *
     * @param source names the input in the error
     * @throws IllegalArgumentException naming {@code source} when fewer than two concepts are named
     */
    public static Set<String> requireTwoConcepts(Collection<? extends Collection<String>> rows, String source) {
        Set<String> all = new LinkedHashSet<>();
        rows.forEach(all::addAll);
        if (all.size() < 2) {
            throw new IllegalArgumentException(source + ": the labels name " + all.size()
                    + " concept(s) " + all + "; experts need at least 2 (positives against the rest)");
        }
        return all;
    }
}
