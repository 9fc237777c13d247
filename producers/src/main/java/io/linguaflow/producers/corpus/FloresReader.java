package io.linguaflow.producers.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * FLORES-200: a directory of {@code <code>.<split>} files (e.g. {@code eng_Latn.devtest}), one sentence per line,
 * aligned by line: the meaning id is the 1-based line number (as in {@code analysis-corpus.tsv}). FLORES codes map
 * to short codes by {@link Languages#FLORES_CODES} plus an explicit mapping; an unmapped file keeps its FLORES code.
 * Rows are language-major (the requested order, else {@link Languages#defaultOrder}), then by line. The table form
 * {@code flores9.tsv} is read by {@link TsvCorpusReader}.
 */
public final class FloresReader implements CorpusReader {

    private final Path dir;
    private final String split;
    private final Map<String, String> mapping;

    /**
     * @param dir     the directory of {@code <code>.<split>} files
     * @param split   the file extension, {@code devtest} or {@code dev}
     * @param mapping extra or overriding FLORES code → language code entries (may be empty)
     */
    public FloresReader(Path dir, String split, Map<String, String> mapping) {
        this.dir = dir;
        this.split = split;
        this.mapping = new LinkedHashMap<>(Languages.FLORES_CODES);
        this.mapping.putAll(mapping);
    }

    /** The devtest split with the default code mapping. */
    public FloresReader(Path dir) {
        this(dir, "devtest", Map.of());
    }

    @Override
    public RawCorpus parse(CorpusOptions options) throws IOException {
        Map<String, Path> fileOfLang = new LinkedHashMap<>();
        String suffix = "." + split;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(suffix)) {
                    String code = name.substring(0, name.length() - suffix.length());
                    Path previous = fileOfLang.put(mapping.getOrDefault(code, code), f);
                    if (previous != null) {
                        throw new IOException(f + ": maps to the same language as " + previous);
                    }
                }
            }
        }
        if (fileOfLang.isEmpty()) {
            throw new IOException(dir + ": no *" + suffix + " files");
        }
        List<String> order = options.languages() != null ? options.languages() : Languages.defaultOrder(fileOfLang.keySet());
        List<RawRow> rows = new ArrayList<>();
        for (String lang : order) {
            Path f = fileOfLang.get(lang);
            if (f == null) {
                continue; // reported by the assembler as a requested language without rows
            }
            List<String> lines = Texts.readLines(f);
            for (int i = 0; i < lines.size(); i++) {
                rows.add(new RawRow(Integer.toString(i + 1), lang, Texts.strip(lines.get(i)), Texts.source(f, i + 1), lines.get(i)));
            }
        }
        return new RawCorpus(dir.toAbsolutePath().normalize().getFileName().toString(), rows, List.of());
    }
}
