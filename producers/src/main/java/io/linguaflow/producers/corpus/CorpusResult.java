package io.linguaflow.producers.corpus;

import io.linguaflow.producers.Rejection;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.Sentence;
import java.util.List;

/**
 * A corpus read and validated: the records to publish in corpus order ({@code index} = 0..n-1,
 * {@code corpusSize} = n), the rejected rows, and the meanings missing in some language.
 *
 * @param corpus     the corpus name of every sentence
 * @param languages  the corpus languages, in corpus order
 * @param sentences  the records, in corpus order
 * @param rejected   rows that were not produced, each naming file and line
 * @param incomplete meanings without a text in every language (dropped or kept per {@link IncompletePolicy})
 */
public record CorpusResult(String corpus, List<String> languages, List<Sentence> sentences, List<Rejection> rejected,
                           List<IncompleteMeaning> incomplete) {

    public CorpusResult {
        languages = List.copyOf(languages);
        sentences = List.copyOf(sentences);
        rejected = List.copyOf(rejected);
        incomplete = List.copyOf(incomplete);
    }

    /** Key of a sentence on the compacted {@code sentences} topic: {@code <corpus>|<lang>|<meaningId>}. */
    public static String key(Sentence s) {
        return key(s.getCorpus(), s.getLang(), s.getMeaningId());
    }

    /** Key of the sentence (corpus, lang, meaningId); none of the parts may contain '|' (checked on reading). */
    public static String key(String corpus, String lang, String meaningId) {
        return Keys.sentence(corpus, lang, meaningId);
    }
}
