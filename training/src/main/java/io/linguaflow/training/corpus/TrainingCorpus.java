package io.linguaflow.training.corpus;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parallel corpus to train on: TSV with header {@code id, lang, [topic,] text} (columns found by name), one row per
 * translation, the {@code id} shared by the translations of one meaning. Every meaning must have a text in every
 * language of the file: cross-lingual pairs are drawn from them, and the analysis compares the same meanings across
 * languages.
 *
 * @param source    where it was read from (for messages)
 * @param languages in order of first appearance
 * @param meanings  in order of first appearance
 */
public record TrainingCorpus(String source, List<String> languages, List<Meaning> meanings) {

    /** The corpus shipped with the module: 120 everyday meanings in 9 languages. */
    public static final String BUNDLED = "/io/linguaflow/training/corpus/everyday9.tsv";

    /**
     * One meaning in every language.
     *
     * @param texts language → text, in {@link #languages} order
     */
    public record Meaning(String id, String topic, Map<String, String> texts) {
    }

    /** Every text, meaning by meaning, in language order. */
    public List<String> texts() {
        return meanings.stream().flatMap(m -> m.texts().values().stream()).toList();
    }

    public static TrainingCorpus read(Path file) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file.toString(), in);
        }
    }

    /** The {@link #BUNDLED} corpus. */
    public static TrainingCorpus bundled() throws IOException {
        InputStream s = TrainingCorpus.class.getResourceAsStream(BUNDLED);
        if (s == null) {
            throw new IOException("bundled corpus " + BUNDLED + " is not on the classpath");
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8))) {
            return parse("classpath:" + BUNDLED, in);
        }
    }

    static TrainingCorpus parse(String source, BufferedReader in) throws IOException {
        String header = in.readLine();
        if (header == null) {
            throw new IllegalArgumentException(source + ": empty file (expected header id, lang, [topic,] text)");
        }
        List<String> cols = Arrays.asList(strip(header).split("\t", -1));
        int id = column(source, cols, "id");
        int lang = column(source, cols, "lang");
        int text = column(source, cols, "text");
        int topic = cols.indexOf("topic");

        Set<String> languages = new LinkedHashSet<>();
        Map<String, Map<String, String>> texts = new LinkedHashMap<>();
        Map<String, String> topics = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new LinkedHashMap<>();
        String line;
        int n = 1;
        while ((line = in.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != cols.size()) {
                throw new IllegalArgumentException(source + " line " + n + ": " + f.length + " columns, header has "
                        + cols.size());
            }
            String t = f[text].strip();
            if (t.isEmpty()) {
                throw new IllegalArgumentException(source + " line " + n + ": empty text");
            }
            languages.add(f[lang]);
            firstLine.putIfAbsent(f[id], n);
            topics.putIfAbsent(f[id], topic >= 0 ? f[topic] : "");
            if (texts.computeIfAbsent(f[id], k -> new LinkedHashMap<>()).put(f[lang], t) != null) {
                throw new IllegalArgumentException(source + " line " + n + ": meaning '" + f[id] + "' has a second "
                        + f[lang] + " text");
            }
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(source + ": no rows");
        }
        List<String> langs = List.copyOf(languages);
        List<Meaning> meanings = new ArrayList<>();
        for (var e : texts.entrySet()) {
            List<String> missing = langs.stream().filter(l -> !e.getValue().containsKey(l)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(source + " line " + firstLine.get(e.getKey()) + ": meaning '"
                        + e.getKey() + "' has no translation in " + String.join(", ", missing)
                        + " (every meaning needs all " + langs.size() + " languages: " + String.join(" ", langs) + ")");
            }
            Map<String, String> ordered = new LinkedHashMap<>();
            langs.forEach(l -> ordered.put(l, e.getValue().get(l)));
            meanings.add(new Meaning(e.getKey(), topics.get(e.getKey()), ordered));
        }
        return new TrainingCorpus(source, langs, List.copyOf(meanings));
    }

    /**
     * Writes the corpus as TSV {@code id, lang, topic, text}, language by language: the analysis keeps file order, and
     * the similarity map reads as the paper's, one block per language.
     */
    public void write(Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("id\tlang\ttopic\ttext\n");
            for (String lang : languages) {
                for (Meaning m : meanings) {
                    w.write(m.id() + "\t" + lang + "\t" + m.topic() + "\t" + m.texts().get(lang) + "\n");
                }
            }
        }
    }

    private static String strip(String header) {
        return header.startsWith("\uFEFF") ? header.substring(1) : header;
    }

    private static int column(String source, List<String> cols, String name) {
        int i = cols.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(source + ": header " + cols + " lacks column '" + name
                    + "' (expected id, lang, [topic,] text)");
        }
        return i;
    }
}
