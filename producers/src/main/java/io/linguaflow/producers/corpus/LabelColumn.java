package io.linguaflow.producers.corpus;

import io.linguaflow.analysis.experts.ConceptLabels;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Where a corpus keeps each row's concept labels ({@code Sentence.concepts}, which the expert neurons rank against
 * each other): a TSV column or a JSONL field. A cell is parsed as {@code linguaflow experts --labels-column} parses it
 * ({@link ConceptLabels#parse}); a JSONL field may also be an array of strings, one concept each.
 *
 * @param name      the TSV column / JSONL field
 * @param separator splits a cell into several concepts (e.g. ',' for FLORES topics); null: one concept per cell
 */
public record LabelColumn(String name, String separator) {

    public LabelColumn {
        Objects.requireNonNull(name, "label column name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("the label column name is blank");
        }
        if (separator != null && separator.isEmpty()) {
            throw new IllegalArgumentException("the label separator is empty");
        }
    }

    /** The concepts of one cell. */
    List<String> concepts(String cell) {
        return List.copyOf(ConceptLabels.parse(cell, separator));
    }

    /**
     * Rejects an input whose labels cannot rank experts: fewer than two concepts over its parsed rows (when it has
     * any; an input without rows is reported as such).
     *
     * @param input names the file(s) in the error
     */
    void requireTwoConcepts(List<RawRow> rows, String input) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        try {
            ConceptLabels.requireTwoConcepts(rows.stream().map(RawRow::concepts).toList(),
                    input + " label column '" + name + "'");
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
