package io.linguaflow.analysis.batch;

import java.io.IOException;

/**
 * Per-sample pooled activations, layer-major: sample i, layer m is a slice of D values. Values may be raw
 * or already normalised (the analysis normalises). Implementations read lazily so that large dumps are
 * streamed, not loaded.
 */
public interface VectorSource {

    /** Number of samples N. */
    int samples();

    /** Number of layers M. */
    int layers();

    /** Neurons per layer D. */
    int neuronsPerLayer();

    /** The D values of sample i in layer m, as float64. */
    double[] slice(int sample, int layer) throws IOException;

    /** A human-readable name for error messages (e.g. the file). */
    String name();
}
