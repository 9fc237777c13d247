package io.linguaflow.worker.runtime;

/**
 * What a forward pass captures besides the mean-pooled activations and positive counts. Everything here is off
 * by default ({@link #NONE}): then the pass computes, transfers and emits exactly the mean-vector statistics.
 *
 * @param maxima           per layer, the maximum of each neuron's activation over the sample's real tokens (the
 *                         max-pooled responses of expert neurons, Suau et al.)
 * @param tokensPerSample  most token positions per sample whose vectors are kept for language probes (0 = none)
 * @param tokenSeed        seed of the position sample ({@link TokenSample#positions})
 * @param tokenSource      which vector of a sampled token is kept
 */
public record Capture(boolean maxima, int tokensPerSample, long tokenSeed, TokenSource tokenSource) {

    public static final Capture NONE = new Capture(false, 0, 0, TokenSource.BLOCK_OUTPUT);

    /** The vector kept for a sampled token. */
    public enum TokenSource {
        /** the layer's hidden state (block output, width H): the "hidden-state representation" of the probes */
        BLOCK_OUTPUT,
        /** the MLP neuron activation (width D), the tensor of every other analysis */
        MLP_ACTIVATION
    }

    public Capture {
        if (tokensPerSample < 0 || tokenSource == null) {
            throw new IllegalArgumentException("tokens per sample must be >= 0 and a token source given, got "
                    + tokensPerSample + ", " + tokenSource);
        }
    }

    public boolean tokens() {
        return tokensPerSample > 0;
    }

    public Capture withMaxima(boolean on) {
        return new Capture(on, tokensPerSample, tokenSeed, tokenSource);
    }

    public Capture withTokens(int perSample, long seed, TokenSource source) {
        return new Capture(maxima, perSample, seed, source);
    }
}
