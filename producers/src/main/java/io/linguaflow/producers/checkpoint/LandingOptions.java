package io.linguaflow.producers.checkpoint;

/**
 * What a landed checkpoint should be analysed with, and naming overrides.
 *
 * @param corpus    corpus ({@code Sentence.corpus}) to analyse the checkpoint on
 * @param model     model (training run) name; null = derived from the directory ({@link CheckpointLander})
 * @param step      training step; null = derived from the directory name or trainer_state.json
 * @param threshold key-region z-score threshold (strict &gt;)
 * @param lfCompat  reproduce the Lingua Franca authors' released-code quirks
 */
public record LandingOptions(String corpus, String model, Long step, double threshold, boolean lfCompat) {

    /** The paper's key-region threshold. */
    public static final double DEFAULT_THRESHOLD = 2.0;

    public LandingOptions {
        if (corpus == null || corpus.isBlank()) {
            throw new IllegalArgumentException("a corpus to analyse the checkpoints on is required");
        }
        if (model != null && (model.isBlank() || model.contains("@"))) {
            throw new IllegalArgumentException("model name must be non-blank without '@': '" + model + "'");
        }
        if (step != null && step < 0) {
            throw new IllegalArgumentException("step must be non-negative: " + step);
        }
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be finite: " + threshold);
        }
    }

    /** Corpus given, everything else derived or default. */
    public static LandingOptions forCorpus(String corpus) {
        return new LandingOptions(corpus, null, null, DEFAULT_THRESHOLD, false);
    }

    public LandingOptions withModel(String name) {
        return new LandingOptions(corpus, name, step, threshold, lfCompat);
    }

    public LandingOptions withStep(Long s) {
        return new LandingOptions(corpus, model, s, threshold, lfCompat);
    }

    public LandingOptions withThreshold(double z) {
        return new LandingOptions(corpus, model, step, z, lfCompat);
    }

    public LandingOptions withLfCompat(boolean on) {
        return new LandingOptions(corpus, model, step, threshold, on);
    }
}
