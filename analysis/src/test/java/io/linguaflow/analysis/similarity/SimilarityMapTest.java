package io.linguaflow.analysis.similarity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.batch.ArrayVectors;
import io.linguaflow.analysis.batch.ModelNorms;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.metrics.PairClassSums;
import io.linguaflow.analysis.stats.LayerVector;
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

    /** The streaming path: each layer's block alone, shipped as upper-triangle bytes, summed over layers. */
    @Test
    void layerBlocksShippedAsBytesAndSummedEqualTheWholeModelMap() throws IOException {
        Random rnd = new Random(3);
        int n = 7;
        int layers = 3;
        int d = 4;
        double[][] rows = new double[n][layers * d];
        for (double[] r : rows) {
            for (int k = 0; k < r.length; k++) {
                r[k] = rnd.nextGaussian();
            }
        }
        ArrayVectors vectors = new ArrayVectors(rows, layers);
        double[] modelNorms = ModelNorms.of(vectors, null);
        SimilarityMap sum = null;
        for (int m = 0; m < layers; m++) {
            double[][] slices = new double[n][];
            for (int i = 0; i < n; i++) {
                slices[i] = vectors.slice(i, m);
            }
            byte[] wire = SimilarityMap.layerBlock(slices, modelNorms).upperTriangle();
            assertEquals(8 * n * (n + 1) / 2, wire.length);
            SimilarityMap block = SimilarityMap.fromUpperTriangle(wire, "layer " + m);
            sum = sum == null ? block : sum.plus(block);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(cosine(rows[i], rows[j], 0, layers * d), sum.get(i, j), 1e-12);
                assertEquals(sum.get(j, i), sum.get(i, j), 0.0, "symmetric");
            }
        }
        assertArrayEquals(SimilarityMap.wholeModel(vectors).flatten(), sum.flatten(), 0.0, "the batch map is the same sum");
        double[][] layer2 = new double[n][];
        double[] layerNorms = new double[n];
        for (int i = 0; i < n; i++) {
            layer2[i] = vectors.slice(i, 2);
            layerNorms[i] = LayerVector.norm(layer2[i]);
        }
        assertArrayEquals(SimilarityMap.layer(vectors, 2).flatten(), SimilarityMap.layerBlock(layer2, layerNorms).flatten(), 0.0);
    }

    /** Layers wider than one 512-neuron chunk: the chunked block still equals the direct cosines. */
    @Test
    void wideLayerBlocksEqualDirectCosines() {
        Random rnd = new Random(5);
        double[][] v = new double[6][1300];
        double[] norms = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            for (int k = 0; k < v[i].length; k++) {
                v[i][k] = rnd.nextGaussian() + (k % 3 == 0 ? i : 0);
            }
            norms[i] = LayerVector.norm(v[i]);
        }
        SimilarityMap block = SimilarityMap.layerBlock(v, norms);
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v.length; j++) {
                assertEquals(cosine(v[i], v[j], 0, 1300), block.get(i, j), 1e-12);
            }
        }
    }

    @Test
    void badBlocksAndBytesAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimilarityMap.fromUpperTriangle(new byte[8 * 4], "instance b, layer 3"));
        assertTrue(e.getMessage().startsWith("instance b, layer 3: 32 bytes are not the upper triangle"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SimilarityMap.fromUpperTriangle(new byte[13], "x"));
        assertThrows(IllegalArgumentException.class, () -> SimilarityMap.fromUpperTriangle(new byte[0], "x"));
        e = assertThrows(IllegalArgumentException.class,
                () -> SimilarityMap.layerBlock(new double[][] {{1, 2}, {3}}, new double[] {1, 1}));
        assertEquals("slice 1 has 1 values, slice 0 has 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SimilarityMap.layerBlock(new double[][] {{1, 2}, {3, 4}}, new double[] {1, 0}));
        assertEquals("norm of slice 1 must be finite and > 0, got 0.0", e.getMessage());
        SimilarityMap one = SimilarityMap.layerBlock(new double[][] {{1}}, new double[] {1});
        SimilarityMap two = SimilarityMap.layerBlock(new double[][] {{1}, {2}}, new double[] {1, 2});
        e = assertThrows(IllegalArgumentException.class, () -> one.plus(two));
        assertEquals("cannot add a 2x2 map to a 1x1 map", e.getMessage());
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
