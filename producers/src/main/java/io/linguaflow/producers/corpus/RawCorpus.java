package io.linguaflow.producers.corpus;

import io.linguaflow.producers.Rejection;
import java.util.List;

/**
 * What a format reader parsed: rows in corpus order, and the rows it could not even parse (a tab inside a TSV
 * text, broken JSON, a verse without an id).
 *
 * @param defaultName corpus name when the options give none (a file stem or directory name)
 * @param rows        parsed rows, in corpus order
 * @param malformed   rows that could not be parsed, each naming file and line
 */
public record RawCorpus(String defaultName, List<RawRow> rows, List<Rejection> malformed) {

    public RawCorpus {
        rows = List.copyOf(rows);
        malformed = List.copyOf(malformed);
    }
}
