package io.linguaflow.worker.cli;

import io.linguaflow.analysis.corpus.CorpusTsv;
import java.io.IOException;
import java.nio.file.Path;

/** The corpus TSV of the batch commands: the analysis reader, plus a text for every row (the model reads it). */
final class Corpus {

    private Corpus() {
    }

    static io.linguaflow.analysis.corpus.Corpus read(Path file) throws IOException {
        io.linguaflow.analysis.corpus.Corpus c = CorpusTsv.read(file);
        for (io.linguaflow.analysis.corpus.Corpus.Row r : c.rows()) {
            if (r.text().isBlank()) {
                throw new IllegalArgumentException(file + " line " + r.line() + ": empty text (or no text column)");
            }
        }
        return c;
    }
}
