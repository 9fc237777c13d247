package io.linguaflow.analysis.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.batch.ArrayVectors;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.metrics.PairClassSums;
import io.linguaflow.analysis.stats.ModelStatistics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimilarityMapTest {

    @Test
    void mapAndBlockMeansAgreeWithDirectCosinesAndPairClasses() throws IOException {
        Random rnd = new Random(11);
        int layers = 3;
        int d = 5;
        List<String> ids = new ArrayList<>();
        List<String> langs = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        for (int l = 0; l < 4; l++) {
            for (int s = 0; s < 6; s++) {
                if (l == 3 && s == 5) {
                    continue; // incomplete corpus
                }
                double[] v = new double[layers * d];
                for (int k = 0; k < v.length; k++) {
                    v[k] = rnd.nextGaussian() + 0.5 * l + 0.2 * s;
                }
                ids.add("s" + s);
                langs.add("l" + l);
                rows.add(v);
            }
        }
        Corpus corpus = Corpus.of(ids, langs);
        ArrayVectors vectors = new ArrayVectors(rows.toArray(new double[0][]), layers);
        SimilarityMap whole = SimilarityMap.wholeModel(vectors);
        SimilarityMap layer1 = SimilarityMap.layer(vectors, 1);
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < rows.size(); j++) {
                assertEquals(cosine(rows.get(i), rows.get(j), 0, layers * d), whole.get(i, j), 1e-12);
                assertEquals(cosine(rows.get(i), rows.get(j), d, 2 * d), layer1.get(i, j), 1e-12);
            }
        }
        // pooled class means from the block sums equal the incremental ones
        ModelStatistics stats = new ModelStatistics(layers, d);
        for (int i = 0; i < rows.size(); i++) {
            stats.addSample(langs.get(i), ids.get(i), rows.get(i));
        }
        PairClassSums p = stats.wholeModel();
        double[][] byLang = whole.blockMeansByLanguage(corpus);
        double[][] byMeaning = whole.blockMeansByMeaning(corpus);
        assertEquals(4, byLang.length);
        assertEquals(6, byMeaning.length);
        assertTrue(!Double.isNaN(byMeaning[5][5]), "s5 has 3 languages, so same-meaning pairs");
        double sl = 0;
        long nsl = 0;
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < rows.size(); j++) {
                if (i != j && langs.get(i).equals(langs.get(j))) {
                    sl += whole.get(i, j);
                    nsl++;
                }
            }
        }
        assertEquals(sl / nsl, p.meanSameLanguage(), 1e-12);
        assertEquals(byLang[3][3], sameLanguageMean(whole, langs, "l3"), 1e-12);
    }

    private static double sameLanguageMean(SimilarityMap map, List<String> langs, String lang) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < langs.size(); i++) {
            for (int j = 0; j < langs.size(); j++) {
                if (i != j && langs.get(i).equals(lang) && langs.get(j).equals(lang)) {
                    s += map.get(i, j);
                    n++;
                }
            }
        }
        return s / n;
    }

    private static double cosine(double[] a, double[] b, int from, int to) {
        double dot = 0, na = 0, nb = 0;
        for (int k = from; k < to; k++) {
            dot += a[k] * b[k];
            na += a[k] * a[k];
            nb += b[k] * b[k];
        }
        return dot / Math.sqrt(na * nb);
    }
}
