package io.linguaflow.producers.corpus;

import io.linguaflow.producers.Rejection;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.Sentence;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The validation every corpus format shares: turns parsed rows into {@link Sentence} records.
 *
 * <p>In this order: a row with a blank or '|'-containing id or code, or an unknown language code, is rejected; rows
 * of languages outside the requested subset are skipped; a row with an empty or oversize text, or a second row for
 * the same (meaning, language), is rejected; meanings missing in some corpus language are reported and dropped or kept
 * ({@link IncompletePolicy}); then, per language, only the first {@code limit} meanings remain. The survivors keep
 * their corpus order and are numbered 0..n-1 ({@code index}), each carrying {@code corpusSize} = n; the original
 * position stays in {@code source}.
 */
public final class CorpusAssembler {

    private CorpusAssembler() {
    }

    public static CorpusResult assemble(RawCorpus raw, CorpusOptions options) {
        String corpus = options.corpus() != null ? options.corpus() : defaultName(raw.defaultName(), options);
        List<Rejection> rejected = new ArrayList<>(raw.malformed());
        Map<String, String> firstSource = new HashMap<>(); // sample id -> source of its first row
        List<RawRow> valid = new ArrayList<>();
        Set<String> seenLanguages = new LinkedHashSet<>(); // languages with valid rows, wanted or not
        for (RawRow row : raw.rows()) {
            Problem problem = codeProblem(row, options);
            if (problem == null && !options.wants(row.lang())) {
                seenLanguages.add(row.lang());
                continue; // outside the requested subset: neither produced nor checked further
            }
            if (problem == null) {
                problem = textProblem(row, options);
            }
            if (problem == null) {
                String first = firstSource.putIfAbsent(Keys.sampleId(row.lang(), row.meaningId()), row.source());
                if (first != null) {
                    problem = new Problem("DuplicateMeaning", "duplicate (meaning '" + row.meaningId()
                            + "', language '" + row.lang() + "'): first given at " + first);
                }
            }
            if (problem != null) {
                rejected.add(reject(row, corpus, problem.errorClass(), problem.message()));
                continue;
            }
            seenLanguages.add(row.lang());
            valid.add(row);
        }

        List<String> languages = options.languages() != null ? options.languages() : List.copyOf(seenLanguages);
        List<String> absent = new ArrayList<>(languages);
        absent.removeAll(seenLanguages);
        if (!absent.isEmpty()) {
            throw new IllegalArgumentException("corpus '" + corpus + "' has no valid row in the requested language(s) "
                    + absent + " (it has " + seenLanguages + ")");
        }

        // Completeness: which languages each meaning has (meanings in order of first appearance).
        Map<String, Set<String>> langsOfMeaning = new LinkedHashMap<>();
        for (RawRow row : valid) {
            langsOfMeaning.computeIfAbsent(row.meaningId(), m -> new HashSet<>()).add(row.lang());
        }
        List<IncompleteMeaning> incomplete = new ArrayList<>();
        Set<String> dropped = new HashSet<>();
        boolean drop = options.incomplete() == IncompletePolicy.DROP;
        langsOfMeaning.forEach((meaning, present) -> {
            if (present.size() < languages.size()) {
                List<String> missing = languages.stream().filter(l -> !present.contains(l)).toList();
                incomplete.add(new IncompleteMeaning(meaning, missing, drop));
                if (drop) {
                    dropped.add(meaning);
                }
            }
        });

        // Limit per language, then number the survivors in corpus order.
        Map<String, Set<String>> keptMeanings = new HashMap<>();
        List<RawRow> kept = new ArrayList<>();
        for (RawRow row : valid) {
            if (dropped.contains(row.meaningId())) {
                continue;
            }
            Set<String> meanings = keptMeanings.computeIfAbsent(row.lang(), l -> new HashSet<>());
            if (options.limit() == null || meanings.size() < options.limit()) {
                meanings.add(row.meaningId());
                kept.add(row);
            }
        }
        List<Sentence> sentences = new ArrayList<>(kept.size());
        for (RawRow row : kept) {
            // all-args constructor: Avro's builder validates and copies every field, several times slower
            sentences.add(new Sentence(corpus, row.meaningId(), row.lang(), row.text(), sentences.size(), kept.size(),
                    row.source(), row.concepts()));
        }
        return new CorpusResult(corpus, languages, sentences, rejected, incomplete);
    }

    /**
     * The reader's name ({@code flores200-devtest}), plus the selection when there is one
     * ({@code flores200-devtest.en-zh.s60}): the {@code sentences} topic is compacted by corpus, language and
     * meaning, so two selections of one corpus under one name would overwrite each other's index and corpusSize.
     */
    static String defaultName(String readerName, CorpusOptions options) {
        return readerName + (options.languages() == null ? "" : "." + String.join("-", options.languages()))
                + (options.limit() == null ? "" : ".s" + options.limit());
    }

    private record Problem(String errorClass, String message) {
    }

    /** What is wrong with a row's meaning id or language code, or null. */
    private static Problem codeProblem(RawRow row, CorpusOptions options) {
        String id = row.meaningId();
        String lang = row.lang();
        if (id == null || id.isBlank() || id.contains("|")) {
            return new Problem("MalformedRow", "meaning id '" + id + "' must be non-blank without '|' (the record key separator)");
        }
        if (lang == null || lang.isBlank() || lang.contains("|")) {
            return new Problem("MalformedRow", "language code '" + lang + "' must be non-blank without '|'");
        }
        if (options.knownLanguages() != null ? !options.knownLanguages().contains(lang)
                : !Languages.CODE.matcher(lang).matches()) {
            return new Problem("UnknownLanguage", "unknown language code '" + lang + "' (" + (options.knownLanguages() != null
                    ? "known: " + new TreeSet<>(options.knownLanguages())
                    : "expected a code like en, eng_Latn or pt-BR") + ")");
        }
        return null;
    }

    /** What is wrong with a row's text, or null. */
    private static Problem textProblem(RawRow row, CorpusOptions options) {
        String id = row.meaningId();
        String lang = row.lang();
        if (row.text().isEmpty()) {
            return new Problem("EmptyText", "empty text for meaning '" + id + "', language '" + lang + "'");
        }
        int bytes = row.text().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > options.maxTextBytes()) {
            return new Problem("OversizeText", "text of meaning '" + id + "', language '" + lang + "' has " + bytes
                    + " UTF-8 bytes, more than the maximum " + options.maxTextBytes());
        }
        return null;
    }

    private static Rejection reject(RawRow row, String corpus, String errorClass, String message) {
        boolean keyable = row.meaningId() != null && row.lang() != null
                && !row.meaningId().contains("|") && !row.lang().contains("|");
        return new Rejection(row.source(), errorClass, row.source() + ": " + message,
                keyable ? CorpusResult.key(corpus, row.lang(), row.meaningId()) : null, row.raw());
    }
}
