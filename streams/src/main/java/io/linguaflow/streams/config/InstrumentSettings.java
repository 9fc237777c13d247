package io.linguaflow.streams.config;

/**
 * The instruments of the companion papers computed per complete layer (docs/design.md §4c): language-identification
 * probes on the workers' sampled tokens and expert neurons on their maxima. They cost nothing while the activation
 * records carry no extension fields (worker {@code --emit-maxima}, {@code --emit-token-sample}).
 *
 * @param on         collect the extension fields and compute the instruments (the stores exist only when on; all
 *                   instances of one application must agree)
 * @param expertTopK experts kept per (concept, language), as {@code linguaflow experts --top-k}
 */
public record InstrumentSettings(boolean on, int expertTopK) {

    /** The batch command's default k (the paper's 500). */
    public static final int DEFAULT_EXPERT_TOP_K = 500;
    public static final InstrumentSettings DEFAULTS = new InstrumentSettings(true, DEFAULT_EXPERT_TOP_K);
    public static final InstrumentSettings OFF = new InstrumentSettings(false, DEFAULT_EXPERT_TOP_K);

    public InstrumentSettings {
        if (expertTopK < 1) {
            throw new IllegalArgumentException("expert top-k must be >= 1, got " + expertTopK);
        }
    }
}
