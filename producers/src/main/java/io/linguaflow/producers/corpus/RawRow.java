package io.linguaflow.producers.corpus;

import java.util.List;

/**
 * One row as a format reader found it, before validation.
 *
 * @param meaningId id shared by all translations of one sentence
 * @param lang      language code as the corpus (or its mapping) gives it
 * @param text      the text, surrounding whitespace already removed ({@link Texts#strip})
 * @param source    where it came from, {@code file:line}
 * @param raw       the raw input line (for dead letters)
 * @param concepts  the row's concept labels ({@link LabelColumn}), possibly none; null when the corpus is read without
 *                  a label column
 */
public record RawRow(String meaningId, String lang, String text, String source, String raw, List<String> concepts) {

    public RawRow {
        concepts = concepts == null ? null : List.copyOf(concepts);
    }

    /** A row without concept labels. */
    public RawRow(String meaningId, String lang, String text, String source, String raw) {
        this(meaningId, lang, text, source, raw, null);
    }
}
