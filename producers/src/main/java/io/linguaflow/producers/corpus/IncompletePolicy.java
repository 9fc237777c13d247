package io.linguaflow.producers.corpus;

/** What to do with a meaning that lacks a text in some of the corpus' languages. Either way it is reported. */
public enum IncompletePolicy {
    /**
     * Drop all its rows (the default): the metrics' pair classes assume a complete, balanced parallel corpus,
     * on which LRDS/SADS equal the authors' block-mean definitions (docs/math.md §2).
     */
    DROP,
    /** Keep its rows: for per-language evaluation text (perplexity) that need not be parallel, e.g. XL-Sum. */
    KEEP
}
