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
        List<String> lines = Utf8Lines.read(path);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(path + ": empty file, expected a header with columns id, lang, text");
        }
        String header = lines.get(0);
        List<String> columns = Arrays.asList(stripBom(header).split("\t", -1));
        int id = columns.indexOf("id");
        int lang = columns.indexOf("lang");
        int text = columns.indexOf("text");
        if (id < 0 || lang < 0) {
            throw new IllegalArgumentException(path + " line 1: header must name the columns id and lang (and text), got: " + header);
        }
        int needed = Math.max(id, Math.max(lang, text)) + 1;
        List<Corpus.Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length < needed) {
                throw new IllegalArgumentException(path + " line " + lineNo + ": " + f.length + " tab-separated fields, the header needs "
                        + needed);
            }
            rows.add(new Corpus.Row(lineNo, f[id].trim(), f[lang].trim(), text < 0 ? "" : f[text]));
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(path + ": no samples after the header");
        }
        return new Corpus(path.toString(), rows);
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
