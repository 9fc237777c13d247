package io.linguaflow.analysis.corpus;

import io.linguaflow.analysis.io.Utf8Lines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a corpus TSV: a header naming the columns {@code id}, {@code lang} and optionally {@code text}
 * (any order, other columns ignored), then one sample per line. Tabs separate fields; no quoting.
 * Blank lines are skipped. Errors name the file and line.
 */
public final class CorpusTsv {

    private CorpusTsv() {
    }

    public static Corpus read(Path path) throws IOException {
        List<Corpus.Row> rows = new ArrayList<>();
        parse(path, (columns, header) -> {
            int id = columns.indexOf("id");
            int lang = columns.indexOf("lang");
            int text = columns.indexOf("text");
            if (id < 0 || lang < 0) {
                throw new IllegalArgumentException(path + " line 1: header must name the columns id and lang (and text), got: " + header);
            }
            int needed = Math.max(id, Math.max(lang, text)) + 1;
            return (lineNo, f) -> {
                requireFields(path, lineNo, f, needed);
                rows.add(new Corpus.Row(lineNo, f[id].trim(), f[lang].trim(), text < 0 ? "" : f[text]));
            };
        });
        return new Corpus(path.toString(), rows);
    }

    /**
     * The values of column {@code column} (trimmed), one per sample in the order of {@link #read}: e.g. the
     * concept labels of the {@code experts} command.
     *
     * @throws IllegalArgumentException naming the file when the header has no such column
     */
    public static List<String> readColumn(Path path, String column) throws IOException {
        List<String> values = new ArrayList<>();
        parse(path, (columns, header) -> {
            int c = columns.indexOf(column);
            if (c < 0) {
                throw new IllegalArgumentException(path + " line 1: no column '" + column + "' in the header: " + header);
            }
            return (lineNo, f) -> {
                requireFields(path, lineNo, f, c + 1);
                values.add(f[c].trim());
            };
        });
        return values;
    }

    /** What to do with the rows, given the header. */
    private interface HeaderHandler {
        RowHandler onHeader(List<String> columns, String header);
    }

    private interface RowHandler {
        void onRow(int lineNo, String[] fields);
    }

    private static void parse(Path path, HeaderHandler handler) throws IOException {
        List<String> lines = Utf8Lines.read(path);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(path + ": empty file, expected a header with columns id, lang, text");
        }
        String header = lines.get(0);
        RowHandler rows = handler.onHeader(Arrays.asList(header.split("\t", -1)), header);
        int count = 0;
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            rows.onRow(i + 1, lines.get(i).split("\t", -1));
            count++;
        }
        if (count == 0) {
            throw new IllegalArgumentException(path + ": no samples after the header");
        }
    }

    private static void requireFields(Path path, int lineNo, String[] f, int needed) {
        if (f.length < needed) {
            throw new IllegalArgumentException(path + " line " + lineNo + ": " + f.length + " tab-separated fields, the header needs "
                    + needed);
        }
    }
}
