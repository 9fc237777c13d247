package io.linguaflow.analysis.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.corpus.CorpusTsv;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.stats.ModelStatistics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input gets a clear error naming the input, or a documented behaviour. */
class BadInputTest {

    @TempDir
    Path tmp;

    /** L languages x S meanings, complete, random vectors with M layers of D neurons. */
    private static double[][] vectors(int rows, int k, long seed) {
        Random rnd = new Random(seed);
        double[][] v = new double[rows][k];
        for (double[] row : v) {
            for (int x = 0; x < k; x++) {
                row[x] = rnd.nextGaussian() + 1;
            }
        }
        return v;
    }

    private static Corpus complete(int languages, int meanings) {
        List<String> ids = new ArrayList<>();
        List<String> langs = new ArrayList<>();
        for (int l = 0; l < languages; l++) {
            for (int s = 0; s < meanings; s++) {
                ids.add("s" + s);
                langs.add("l" + l);
            }
        }
        return Corpus.of(ids, langs);
    }

    private static String message(Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage();
    }

    @Test
    void mismatchedRowCounts() {
        String m = message(() -> Analyzer.analyze(new ArrayVectors(vectors(11, 4, 1), 2), complete(6, 2), AnalysisOptions.defaults()));
        assertTrue(m.contains("has 11 rows but (in memory) has 12 samples"), m);
    }

    @Test
    void nanAndInfinityAreRejectedWithRowAndColumn() throws IOException {
        double[][] v = vectors(12, 6, 2);
        v[7][4] = Double.NaN;
        String m = message(() -> Analyzer.analyze(new ArrayVectors(v, 3), complete(6, 2), AnalysisOptions.defaults()));
        assertTrue(m.contains("row 7 (id 's1', lang 'l3'), column 4 (layer 2, neuron 0): NaN"), m);

        float[] flat = new float[12 * 6];
        flat[5] = Float.POSITIVE_INFINITY;
        Path npy = tmp.resolve("v.npy");
        Npy.writeFloat32(npy, new long[] {12, 6}, flat);
        try (NpyVectors nv = NpyVectors.open(npy, 3)) {
            String m2 = message(() -> Analyzer.analyze(nv, complete(6, 2), AnalysisOptions.defaults()));
            assertTrue(m2.contains(npy + " row 0 (id 's0', lang 'l0'), column 5 (layer 2, neuron 1): Infinity"), m2);
        }
    }

    @Test
    void allZeroRowsAreRejected() {
        double[][] v = vectors(12, 4, 3);
        v[2] = new double[4];
        assertTrue(message(() -> Analyzer.analyze(new ArrayVectors(v, 2), complete(6, 2), AnalysisOptions.defaults()))
                .contains("row 2 (id 's0', lang 'l1'): all-zero vector"));
        double[][] w = vectors(12, 4, 3);
        w[3][2] = 0;
        w[3][3] = 0; // layer 1 of row 3 is zero: no per-layer direction
        assertTrue(message(() -> Analyzer.analyze(new ArrayVectors(w, 2), complete(6, 2), AnalysisOptions.defaults()))
                .contains("row 3 (id 's1', lang 'l1'), layer 1: layer norm must be finite and > 0"));
    }

    @Test
    void aLanguageWithOneSampleIsAnError() {
        List<String> ids = new ArrayList<>(List.of("a", "b", "a", "b", "a"));
        List<String> langs = new ArrayList<>(List.of("en", "en", "fr", "fr", "de"));
        String m = message(() -> Analyzer.analyze(new ArrayVectors(vectors(5, 4, 4), 2), Corpus.of(ids, langs), AnalysisOptions.defaults()));
        assertTrue(m.contains("language 'de' has 1 sample"), m);
        // the library names the language as well
        ModelStatistics stats = new ModelStatistics(1, 4);
        stats.addSample("en", "a", new double[] {1, 2, 3, 4});
        stats.addSample("en", "b", new double[] {1, 2, 3, 5});
        stats.addSample("de", "a", new double[] {1, 2, 3, 4});
        assertTrue(message(() -> stats.keyRegions(List.of("en", "de"), 2, false)).contains("1 sample(s) has no pairs"));
    }

    @Test
    void aMeaningInOneLanguageOnlyIsAWarningInCorrectedModeAndAnErrorInLfCompat() throws IOException {
        List<String> ids = new ArrayList<>();
        List<String> langs = new ArrayList<>();
        for (int l = 0; l < 6; l++) {
            for (int s = 0; s < 3; s++) {
                ids.add("s" + s);
                langs.add("l" + l);
            }
        }
        ids.add("only-here");
        langs.add("l0");
        double[][] v = vectors(19, 4, 5);
        AnalysisResult r = Analyzer.analyze(new ArrayVectors(v, 2), Corpus.of(ids, langs), AnalysisOptions.defaults());
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("meaning 'only-here' occurs in one language only")), r.warnings().toString());
        assertEquals(3 * 15, r.overall().sameMeaningPairs() / 2, "only-here adds no same-meaning pair");
        assertEquals(6 * 3 + 3, r.overall().sameLanguagePairs() / 2, "but 3 same-language pairs");
        assertTrue(Double.isFinite(r.lrds()) && Double.isFinite(r.sads()));
        String m = message(() -> Analyzer.analyze(new ArrayVectors(v, 2), Corpus.of(ids, langs), new AnalysisOptions(2, true, null)));
        assertTrue(m.contains("--lf-compat needs a complete parallel corpus") && m.contains("language 'l1' has 3 of the 4 meanings"), m);
    }

    @Test
    void duplicateIdLangRowsAreRejectedWithBothLines() throws IOException {
        Path tsv = tmp.resolve("c.tsv");
        Files.writeString(tsv, "id\tlang\ttext\ns1\ten\thello\ns2\ten\tworld\ns1\ten\thello again\n");
        String m = message(() -> CorpusTsv.read(tsv));
        assertTrue(m.contains(tsv + " line 4: duplicate (id, lang) = (s1, en), first at line 2"), m);
    }

    @Test
    void malformedCorpusFiles() throws IOException {
        Path noHeader = tmp.resolve("h.tsv");
        Files.writeString(noHeader, "s1\ten\thello\n");
        assertTrue(message(() -> CorpusTsv.read(noHeader)).contains("line 1: header must name the columns id and lang"));
        Path short_ = tmp.resolve("s.tsv");
        Files.writeString(short_, "id\tlang\ttext\ns1\ten\n");
        assertTrue(message(() -> CorpusTsv.read(short_)).contains("line 2: 2 tab-separated fields, the header needs 3"));
        Path empty = tmp.resolve("e.tsv");
        Files.writeString(empty, "lang\tid\n\n");
        assertTrue(message(() -> CorpusTsv.read(empty)).contains("no samples"));
        Path reordered = tmp.resolve("r.tsv");
        Files.writeString(reordered, "lang\textra\tid\nen\tx\ts1\n");
        Corpus c = CorpusTsv.read(reordered);
        assertEquals("s1", c.row(0).id());
        assertEquals("en", c.row(0).lang());
    }

    @Test
    void malformedVectorFiles() throws IOException {
        Path v = tmp.resolve("v.npy");
        Npy.writeFloat64(v, new long[] {2, 6}, new double[12]);
        assertTrue(message(() -> NpyVectors.open(v, null)).contains("give the number of layers M (--layers)"));
        assertTrue(message(() -> NpyVectors.open(v, 4)).contains("row length 6 is not a multiple of 4 layers"));
        Path v3 = tmp.resolve("v3.npy");
        Npy.writeFloat64(v3, new long[] {2, 3, 2}, new double[12]);
        assertTrue(message(() -> NpyVectors.open(v3, 2)).contains("has 3 layers, --layers says 2"));
        try (NpyVectors ok = NpyVectors.open(v3, null)) {
            assertEquals(3, ok.layers());
            assertEquals(2, ok.neuronsPerLayer());
        }
    }

    @Test
    void tooFewLanguagesMakeTheThresholdUnreachable() throws IOException {
        // 5 languages: the largest population z is sqrt(4) = 2, and the test is strict
        AnalysisResult r = Analyzer.analyze(new ArrayVectors(vectors(15, 8, 6), 2), complete(5, 3), AnalysisOptions.defaults());
        assertFalse(r.keyRegions().thresholdReachable());
        assertEquals(0, r.keyRegions().sklr());
        assertTrue(r.warnings().get(0).contains("with 5 languages the largest possible z-score (population sigma) is sqrt(L-1) = 2.0000"),
                r.warnings().toString());
        // 6 languages reach it
        AnalysisResult six = Analyzer.analyze(new ArrayVectors(vectors(18, 8, 6), 2), complete(6, 3), AnalysisOptions.defaults());
        assertTrue(six.keyRegions().thresholdReachable());
        assertTrue(six.warnings().isEmpty());
        // a lower threshold is reachable with 5
        assertTrue(Analyzer.analyze(new ArrayVectors(vectors(15, 8, 6), 2), complete(5, 3), new AnalysisOptions(1.5, false, null))
                .keyRegions().thresholdReachable());
    }

    @Test
    void degenerateCorpora() {
        assertTrue(message(() -> Analyzer.analyze(new ArrayVectors(vectors(3, 2, 7), 1), complete(1, 3), AnalysisOptions.defaults()))
                .contains("1 language(s)"));
        assertTrue(message(() -> Analyzer.analyze(new ArrayVectors(vectors(4, 2, 7), 1),
                Corpus.of(List.of("a", "b", "c", "d"), List.of("en", "en", "fr", "fr")), AnalysisOptions.defaults()))
                .contains("no meaning id occurs in two languages"));
        assertTrue(message(() -> Analyzer.analyze(new ArrayVectors(vectors(4, 2, 7), 1),
                Corpus.of(List.of("a", "a", "a", "a"), List.of("en", "fr", "de", "it")), AnalysisOptions.defaults()))
                .contains("language 'en' has 1 sample"));
        assertTrue(message(() -> new AnalysisOptions(Double.NaN, false, null)).contains("threshold must be finite"));
        assertTrue(message(() -> Analyzer.analyze(new ArrayVectors(vectors(12, 2, 7), 1), complete(6, 2),
                new AnalysisOptions(2, true, List.of("l0", "l1")))).contains("must list each corpus language exactly once"));
    }
}
