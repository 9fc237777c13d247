package io.linguaflow.analysis.batch;

import io.linguaflow.analysis.corpus.Corpus;
import java.io.IOException;

/** Whole-model norms ‖[h̄ᵢ¹|…|h̄ᵢᴹ]‖ of every sample, the first pass over a vector dump. */
public final class ModelNorms {

    private ModelNorms() {
    }

    /** Norms of all rows; rejects NaN/inf and all-zero rows, naming the row (and sample when a corpus is given). */
    public static double[] of(VectorSource vectors, Corpus corpus) throws IOException {
        int d = vectors.neuronsPerLayer();
        double[] norms = new double[vectors.samples()];
        for (int i = 0; i < norms.length; i++) {
            double s = 0;
            for (int m = 0; m < vectors.layers(); m++) {
                double[] v = vectors.slice(i, m);
                for (int k = 0; k < d; k++) {
                    if (!Double.isFinite(v[k])) {
                        throw new IllegalArgumentException(where(vectors, corpus, i) + ", column " + ((long) m * d + k) + " (layer " + m
                                + ", neuron " + k + "): " + v[k] + "; vectors must be finite");
                    }
                    s += v[k] * v[k];
                }
            }
            if (s == 0) {
                throw new IllegalArgumentException(where(vectors, corpus, i) + ": all-zero vector, it has no direction");
            }
            norms[i] = Math.sqrt(s);
        }
        return norms;
    }

    static String where(VectorSource vectors, Corpus corpus, int i) {
        if (corpus == null) {
            return vectors.name() + " row " + i;
        }
        Corpus.Row r = corpus.row(i);
        return vectors.name() + " row " + i + " (id '" + r.id() + "', lang '" + r.lang() + "')";
    }
}
