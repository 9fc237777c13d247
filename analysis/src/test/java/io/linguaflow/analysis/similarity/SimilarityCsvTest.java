package io.linguaflow.analysis.similarity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimilarityCsvTest {

    private static final List<String> IDS = List.of("en|s01", "fr|s01", "zh|a,b", "ar|\"q\"");

    @Test
    void roundTripIsBitExactAndQuotesOddIds() throws IOException {
        SimilarityMap map = randomMap(IDS.size(), 1);
        String text = new String(SimilarityCsv.write(map, IDS), StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        assertEquals("sampleId,en|s01,fr|s01,\"zh|a,b\",\"ar|\"\"q\"\"\"", lines[0]);
        assertEquals(IDS.size() + 1, lines.length);
        assertEquals("en|s01," + map.get(0, 0) + "," + map.get(0, 1) + "," + map.get(0, 2) + "," + map.get(0, 3), lines[1]);
        SimilarityCsv.Table back = read(text);
        assertEquals(IDS, back.sampleIds());
        assertArrayEquals(map.flatten(), back.map().flatten(), 0.0);
    }

    /**
     * The streamed form (the REST API's similarity.csv) is the same text, handed to the writer one row at a time, and its
     * values are the brute-force cosines of the vectors.
     */
    @Test
    void streamedRowByRowIsTheSameTextWithBruteForceValues() throws IOException {
        int n = 40;
        double[][] v = new double[n][7];
        Random rnd = new Random(3);
        for (double[] row : v) {
            for (int d = 0; d < row.length; d++) {
                row[d] = rnd.nextGaussian();
            }
        }
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            norms[i] = Math.sqrt(SimilarityMap.dot(v[i], v[i]));
        }
        SimilarityMap map = SimilarityMap.layerBlock(v, norms);
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("en|s" + i);
        }
        java.util.List<Integer> pieces = new java.util.ArrayList<>();
        java.io.StringWriter text = new java.io.StringWriter();
        java.io.Writer counting = new java.io.Writer() {
            @Override
            public void write(char[] c, int off, int len) {
                text.write(c, off, len);
                pieces.add(len);
            }

            @Override
            public java.io.Writer append(CharSequence cs) {
                pieces.add(cs.length());
                text.append(cs);
                return this;
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        SimilarityCsv.write(map, ids, counting);
        assertEquals(new String(SimilarityCsv.write(map, ids), StandardCharsets.UTF_8), text.toString());
        int longestRow = text.toString().lines().mapToInt(String::length).max().orElseThrow();
        assertTrue(pieces.stream().allMatch(len -> len <= longestRow + 1), "no piece longer than a row: " + pieces);
        SimilarityCsv.Table back = read(text.toString());
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double cosine = SimilarityMap.dot(v[i], v[j]) / (norms[i] * norms[j]);
                assertEquals(cosine, back.map().get(i, j), 1e-12, "S_" + i + "," + j);
            }
        }
    }

    @Test
    void malformedCsvIsRejectedNamingLineAndColumn() {
        assertEquals("m.csv: empty, expected a header row 'sampleId,<sample id>,...'", error(""));
        assertEquals("m.csv line 1: the header must be 'sampleId' and at least one sample id, got 'id,a,b'", error("id,a,b\n"));
        assertEquals("m.csv line 3, column 3 ('b'): 'x' is not a number", error("sampleId,a,b\na,1,0.5\nb,0.5,x\n"));
        assertEquals("m.csv line 2: 2 fields, the header has 3", error("sampleId,a,b\na,1\n"));
        assertEquals("m.csv line 2: row 'b' where column 1 is 'a' (rows and columns must list the samples in the same order)",
                error("sampleId,a,b\nb,1,0.5\na,0.5,1\n"));
        assertEquals("m.csv: 1 rows for the 2 columns of the header", error("sampleId,a,b\na,1,0.5\n\n"));
        assertEquals("m.csv line 3: more rows than the 1 columns of the header", error("sampleId,a\na,1\na,1\n"));
        assertEquals("m.csv line 1: unterminated quoted field 2", error("sampleId,\"a\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimilarityCsv.write(randomMap(1, 2), List.of("a\nb")));
        assertEquals("sample id 'a\\nb' contains a line break", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SimilarityCsv.write(randomMap(2, 2), List.of("a")));
        assertEquals("1 sample ids for a 2x2 map", e.getMessage());
    }

    private static String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> read(text)).getMessage();
    }

    private static SimilarityCsv.Table read(String text) throws IOException {
        return SimilarityCsv.read(new BufferedReader(new StringReader(text)), "m.csv");
    }

    /** A cosine map of random vectors (values with full float64 precision, one exactly 1 per row). */
    static SimilarityMap randomMap(int n, long seed) {
        Random rnd = new Random(seed);
        double[][] v = new double[n][5];
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 5; k++) {
                v[i][k] = rnd.nextGaussian();
            }
            norms[i] = Math.sqrt(SimilarityMap.dot(v[i], v[i]));
        }
        return SimilarityMap.layerBlock(v, norms);
    }
}
