package io.linguaflow.producers.corpus;

import io.linguaflow.checkpoint.JsonErrors;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.producers.Rejection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * JSON Lines, one object per line (XL-Sum-style files). The meaning id, the language and the text come from
 * configurable fields; the text may be several fields joined by one space (XStoryCloze's four story sentences).
 * A file may instead carry one fixed language for all its lines (XL-Sum has one file per language, without a
 * language field). A line that is not a JSON object, or lacks a field, is rejected naming file and line. With a
 * {@link LabelColumn}, that field gives each line's concepts: a string (split at the separator) or an array of strings.
 */
public final class JsonlCorpusReader implements CorpusReader {

    /**
     * Which fields hold what.
     *
     * @param id         meaning-id field (a string or a number)
     * @param lang       language field, or null when every file has a fixed language
     * @param textFields text fields, joined by one space in this order
     * @param labels     the field of the concept labels, or null for a corpus read without them
     */
    public record Fields(String id, String lang, List<String> textFields, LabelColumn labels) {
        public Fields {
            Objects.requireNonNull(id, "id field");
            textFields = List.copyOf(textFields);
            if (textFields.isEmpty()) {
                throw new IllegalArgumentException("at least one text field is needed");
            }
        }

        /** Without concept labels. */
        public Fields(String id, String lang, List<String> textFields) {
            this(id, lang, textFields, null);
        }
    }

    /**
     * One input file.
     *
     * @param file the {@code .jsonl} file
     * @param lang the language of every line, or null to read it from {@link Fields#lang}
     */
    public record Source(Path file, String lang) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String defaultName;
    private final List<Source> sources;
    private final Fields fields;

    /**
     * @param defaultName corpus name when the options give none
     * @param sources     input files in corpus order
     * @param fields      which fields hold id, language and text
     */
    public JsonlCorpusReader(String defaultName, List<Source> sources, Fields fields) {
        this.defaultName = defaultName;
        this.sources = List.copyOf(sources);
        this.fields = fields;
        for (Source s : this.sources) {
            if (s.lang() == null && fields.lang() == null) {
                throw new IllegalArgumentException(s.file() + ": needs a fixed language or a language field");
            }
        }
    }

    @Override
    public RawCorpus parse(CorpusOptions options) throws IOException {
        List<RawRow> rows = new ArrayList<>();
        List<Rejection> malformed = new ArrayList<>();
        for (Source s : sources) {
            if (s.lang() != null && !options.wants(s.lang())) {
                continue;
            }
            List<String> lines = Texts.readLines(s.file());
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                String source = Texts.source(s.file(), i + 1);
                try {
                    rows.add(row(JSON.readTree(line), s.lang(), source, line));
                } catch (JsonProcessingException | IllegalArgumentException e) {
                    String why = e instanceof JsonProcessingException j ? "not a JSON object: " + JsonErrors.describe(j)
                            : e.getMessage();
                    malformed.add(new Rejection(source, "MalformedRow", source + ": " + why, null, line));
                }
            }
        }
        if (fields.labels() != null) {
            fields.labels().requireTwoConcepts(rows, String.join(", ", sources.stream().map(s -> s.file().toString()).toList()));
        }
        return new RawCorpus(defaultName, rows, malformed);
    }

    private RawRow row(JsonNode node, String fixedLang, String source, String line) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String id = scalar(node, fields.id());
        String lang = fixedLang != null ? fixedLang : scalar(node, fields.lang());
        List<String> parts = new ArrayList<>();
        for (String f : fields.textFields()) {
            parts.add(Texts.strip(scalar(node, f)));
        }
        return new RawRow(id, lang, Texts.strip(String.join(" ", parts)), source, line,
                fields.labels() == null ? null : concepts(node, fields.labels()));
    }

    /** A string cell parsed like a TSV one, or an array of strings (each parsed alone, so each may be split too). */
    private static List<String> concepts(JsonNode node, LabelColumn labels) {
        JsonNode v = node.get(labels.name());
        if (v == null || !v.isArray()) {
            return labels.concepts(scalar(node, labels.name()));
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : v) {
            if (!x.isTextual()) {
                throw new IllegalArgumentException("field '" + labels.name() + "' is not a string or an array of strings: " + v);
            }
            labels.concepts(x.asText()).stream().filter(c -> !out.contains(c)).forEach(out::add);
        }
        return out;
    }

    private static String scalar(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException("field '" + field + "' is not a string or number: " + v);
        }
        return v.asText();
    }
}
