package io.linguaflow.worker.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A corpus TSV: UTF-8, header with columns {@code id}, {@code lang}, {@code text} (any order, extra columns
 * ignored), one sample per line, no quoting. Row order is sample order.
 */
public record Corpus(List<String> ids, List<String> langs, List<String> texts) {

    public int size() {
        return texts.size();
    }

    public static Corpus read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": corpus file not found", e);
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8", e);
        }
        if (lines.isEmpty()) {
            throw new IOException(file + ": empty (expected a header line: id<TAB>lang<TAB>text)");
        }
        List<String> header = Arrays.asList(lines.get(0).split("\t", -1));
        int id = header.indexOf("id");
        int lang = header.indexOf("lang");
        int text = header.indexOf("text");
        if (id < 0 || lang < 0 || text < 0) {
            throw new IOException(file + " line 1: header must name the columns id, lang and text, got " + header);
        }
        List<String> ids = new ArrayList<>();
        List<String> langs = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() && i == lines.size() - 1) {
                break;
            }
            String[] f = line.split("\t", -1);
            if (f.length != header.size()) {
                throw new IOException(file + " line " + (i + 1) + ": expected " + header.size()
                        + " tab-separated fields, got " + f.length);
            }
            if (f[text].isBlank()) {
                throw new IOException(file + " line " + (i + 1) + ": empty text");
            }
            ids.add(f[id]);
            langs.add(f[lang]);
            texts.add(f[text]);
        }
        if (texts.isEmpty()) {
            throw new IOException(file + ": no rows after the header");
        }
        return new Corpus(List.copyOf(ids), List.copyOf(langs), List.copyOf(texts));
    }
}
