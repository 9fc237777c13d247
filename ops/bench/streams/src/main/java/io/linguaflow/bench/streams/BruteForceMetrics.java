package io.linguaflow.bench.streams;

import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.similarity.SimilarityMap;

/**
 * LRDS and SADS straight from their definition on the N×N similarity map (Zeng et al. 2025, Eq. 8-9): class means of
 * S_ij over the ordered pairs i ≠ j of each class, no sufficient statistics. The bench's brute-force reference.
 */
record BruteForceMetrics(double lrds, double sads) {

    static BruteForceMetrics of(SimilarityMap s, Corpus corpus) {
        int n = s.size();
        double sl = 0, sm = 0, dd = 0;
        long nsl = 0, nsm = 0, ndd = 0;
        for (int i = 0; i < n; i++) {
            Corpus.Row a = corpus.row(i);
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    continue;
                }
                Corpus.Row b = corpus.row(j);
                boolean sameLang = a.lang().equals(b.lang());
                boolean sameMeaning = a.id().equals(b.id());
                if (sameLang && !sameMeaning) {
                    sl += s.get(i, j);
                    nsl++;
                } else if (!sameLang && sameMeaning) {
                    sm += s.get(i, j);
                    nsm++;
                } else if (!sameLang) {
                    dd += s.get(i, j);
                    ndd++;
                }
            }
        }
        return new BruteForceMetrics(sl / nsl - dd / ndd, sm / nsm - dd / ndd);
    }
}
