package io.linguaflow.producers.corpus;

import io.linguaflow.producers.Rejection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tab-separated corpus with a header naming the meaning-id, language and text columns ({@code id lang text} as in
 * the reference kit; FLORES' {@code flores9.tsv} says {@code sentence_id}). No quoting (Python's QUOTE_NONE): a
 * row is split on tabs only, so quotes are ordinary text and a row with a tab inside its text (more fields than the
 * header) is malformed. Empty lines are ignored. With a {@link LabelColumn}, that column gives each row's concepts.
 */
public final class TsvCorpusReader implements CorpusReader {

    /** Header names accepted for the meaning-id column, in order of preference. */
    public static final List<String> ID_COLUMNS = List.of("id", "sentence_id", "meaning_id");

    private final Path file;
    private final LabelColumn labels;

    public TsvCorpusReader(Path file) {
        this(file, null);
    }

    /** @param labels the column of the rows' concept labels, or null for a corpus read without them */
    public TsvCorpusReader(Path file, LabelColumn labels) {
        this.file = file;
        this.labels = labels;
    }

    @Override
    public RawCorpus parse(CorpusOptions options) throws IOException {
        List<String> lines = Texts.readLines(file);
        if (lines.isEmpty()) {
            throw new IOException(file + ": empty file, expected a header 'id<TAB>lang<TAB>text'");
        }
        List<String> header = Arrays.asList(lines.get(0).split("\t", -1));
        int idCol = ID_COLUMNS.stream().mapToInt(header::indexOf).filter(i -> i >= 0).findFirst().orElse(-1);
        int langCol = header.indexOf("lang");
        int textCol = header.indexOf("text");
        if (idCol < 0 || langCol < 0 || textCol < 0) {
            throw new IOException(file + ":1: header " + header + " must name the columns "
                    + String.join("|", ID_COLUMNS) + ", lang and text");
        }
        int labelCol = labels == null ? -1 : header.indexOf(labels.name());
        if (labels != null && labelCol < 0) {
            throw new IOException(file + ":1: no label column '" + labels.name() + "' in the header " + header);
        }
        List<RawRow> rows = new ArrayList<>();
        List<Rejection> malformed = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                continue;
            }
            String source = Texts.source(file, i + 1);
            String[] fields = line.split("\t", -1);
            if (fields.length != header.size()) {
                malformed.add(new Rejection(source, "MalformedRow", source + ": expected " + header.size()
                        + " tab-separated fields " + header + ", found " + fields.length
                        + (fields.length > header.size() ? " (a tab inside the text?)" : ""), null, line));
                continue;
            }
            rows.add(new RawRow(fields[idCol].strip(), fields[langCol].strip(), Texts.strip(fields[textCol]), source, line,
                    labels == null ? null : labels.concepts(fields[labelCol])));
        }
        if (labels != null) {
            labels.requireTwoConcepts(rows, file.toString());
        }
        return new RawCorpus(Texts.stem(file), rows, malformed);
    }
}
