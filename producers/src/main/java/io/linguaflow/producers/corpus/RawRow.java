package io.linguaflow.producers.corpus;

/**
 * One row as a format reader found it, before validation.
 *
 * @param meaningId id shared by all translations of one sentence
 * @param lang      language code as the corpus (or its mapping) gives it
 * @param text      the text, surrounding whitespace already removed ({@link Texts#strip})
 * @param source    where it came from, {@code file:line}
 * @param raw       the raw input line (for dead letters)
 */
public record RawRow(String meaningId, String lang, String text, String source, String raw) {
}
