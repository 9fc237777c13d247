package io.linguaflow.producers.corpus;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How to read a corpus. Build from {@link #defaults()} with the {@code with...} methods.
 *
 * @param corpus         corpus name ({@code Sentence.corpus}); null = the reader's default (file stem or directory
 *                       name) with the selection appended, e.g. {@code flores200-devtest.en-zh.s60}
 * @param languages      languages to produce, in this order; null = all languages of the corpus
 * @param knownLanguages valid language codes; a row in any other is rejected. null = any well-formed code
 *                       ({@link Languages#CODE})
 * @param limit          per language, only the first {@code limit} meanings in corpus order; null = all
 * @param maxTextBytes   a text longer than this many UTF-8 bytes is rejected (records stay far below Kafka's 1 MB)
 * @param incomplete     what happens to a meaning missing in some language
 */
public record CorpusOptions(String corpus, List<String> languages, Set<String> knownLanguages, Integer limit,
                            int maxTextBytes, IncompletePolicy incomplete) {

    /** Default {@link #maxTextBytes}: 64 KiB, far above any sentence or story, far below Kafka's 1 MB. */
    public static final int DEFAULT_MAX_TEXT_BYTES = 64 * 1024;

    public CorpusOptions {
        if (corpus != null && (corpus.isBlank() || corpus.contains("|"))) {
            throw new IllegalArgumentException("corpus name must be non-blank without '|': '" + corpus + "'");
        }
        if (languages != null) {
            languages = List.copyOf(languages);
            if (languages.isEmpty() || new HashSet<>(languages).size() != languages.size()) {
                throw new IllegalArgumentException("languages must be a non-empty list without repeats: " + languages);
            }
        }
        if (knownLanguages != null) {
            knownLanguages = Set.copyOf(knownLanguages);
            if (languages != null && !knownLanguages.containsAll(languages)) {
                throw new IllegalArgumentException("languages " + languages + " are not all known " + knownLanguages);
            }
        }
        if (limit != null && limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        if (maxTextBytes <= 0) {
            throw new IllegalArgumentException("maxTextBytes must be positive: " + maxTextBytes);
        }
        if (incomplete == null) {
            throw new IllegalArgumentException("incomplete policy must be given");
        }
    }

    /** All languages, all meanings, any well-formed code, 64 KiB texts, incomplete meanings dropped. */
    public static CorpusOptions defaults() {
        return new CorpusOptions(null, null, null, null, DEFAULT_MAX_TEXT_BYTES, IncompletePolicy.DROP);
    }

    public CorpusOptions withCorpus(String name) {
        return new CorpusOptions(name, languages, knownLanguages, limit, maxTextBytes, incomplete);
    }

    public CorpusOptions withLanguages(List<String> langs) {
        return new CorpusOptions(corpus, langs, knownLanguages, limit, maxTextBytes, incomplete);
    }

    public CorpusOptions withKnownLanguages(Set<String> known) {
        return new CorpusOptions(corpus, languages, known, limit, maxTextBytes, incomplete);
    }

    public CorpusOptions withLimit(Integer meanings) {
        return new CorpusOptions(corpus, languages, knownLanguages, meanings, maxTextBytes, incomplete);
    }

    public CorpusOptions withMaxTextBytes(int bytes) {
        return new CorpusOptions(corpus, languages, knownLanguages, limit, bytes, incomplete);
    }

    public CorpusOptions withIncomplete(IncompletePolicy policy) {
        return new CorpusOptions(corpus, languages, knownLanguages, limit, maxTextBytes, policy);
    }

    /** Whether rows of {@code lang} are produced (the subset filter). */
    boolean wants(String lang) {
        return languages == null || languages.contains(lang);
    }
}
