package io.linguaflow.producers.corpus;

import java.io.IOException;

/**
 * A corpus format. {@link #read} parses the input into rows (a row it cannot parse is rejected, naming file and
 * line, and reading continues) and validates them with {@link CorpusAssembler}. An input that cannot be read at
 * all (missing file, invalid UTF-8, broken XML, a header without the needed columns) is an {@link IOException}
 * naming it.
 */
public interface CorpusReader {

    /** Parses the input; {@code options} may narrow what is parsed (e.g. which language files are opened). */
    RawCorpus parse(CorpusOptions options) throws IOException;

    /** Parses and validates: the records to publish, in corpus order, and what was rejected. */
    default CorpusResult read(CorpusOptions options) throws IOException {
        return CorpusAssembler.assemble(parse(options), options);
    }
}
