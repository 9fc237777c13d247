package io.linguaflow.producers.corpus;

import java.util.List;

/**
 * A meaning without a text in every language of the corpus.
 *
 * @param meaningId the meaning
 * @param missing   the languages that lack it, in corpus language order
 * @param dropped   whether its rows were dropped ({@link IncompletePolicy#DROP}) or kept
 */
public record IncompleteMeaning(String meaningId, List<String> missing, boolean dropped) {

    public IncompleteMeaning {
        missing = List.copyOf(missing);
    }

    @Override
    public String toString() {
        return "meaning '" + meaningId + "' has no text in " + missing + (dropped ? "; dropped" : "; kept");
    }
}
