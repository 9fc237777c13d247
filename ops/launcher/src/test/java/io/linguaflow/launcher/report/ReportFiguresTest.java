package io.linguaflow.launcher.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.similarity.SimilarityCsv;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The figures drawn from hand-made records: PNGs of the promised size that show something, CSVs with the exact values. */
class ReportFiguresTest {

    static final List<String> LANGS = List.of("en", "zh", "sw");

    /** Three layers, a NaN LRDS in layer 1, three languages (one without an English name), 12 samples. */
    static ReportData.Checkpoint checkpoint() throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, int[]> perLayer = new LinkedHashMap<>();
        counts.put("en", 7);
        perLayer.put("en", new int[] {1, 2, 4});
        counts.put("zh", 12);
        perLayer.put("zh", new int[] {6, 0, 6});
        counts.put("sw", 0);
        perLayer.put("sw", new int[] {0, 0, 0});
        List<String> ids = new ArrayList<>();
        for (String lang : LANGS) {
            for (int m = 1; m <= 4; m++) {
                ids.add(lang + "|" + m);
            }
        }
        // SimilarityMap has no public constructor from values: the map comes as the API serves it, as CSV
        StringBuilder csv = new StringBuilder("sampleId," + String.join(",", ids) + "\n");
        for (int i = 0; i < ids.size(); i++) {
            csv.append(ids.get(i));
            for (int j = 0; j < ids.size(); j++) {
                csv.append(',').append(i == j ? 1.0 : Math.cos(0.7 * (i - j)) * (i / 4 == j / 4 ? 0.9 : -0.6));
            }
            csv.append('\n');
        }
        SimilarityCsv.Table map = SimilarityCsv.read(new BufferedReader(new StringReader(csv.toString())), "test");
        return new ReportData.Checkpoint("tiny@200", "tiny", 200L, LANGS, new double[] {0.5, Double.NaN, 0.75},
                new double[] {0.125, 0.0625, 1e-17}, counts, perLayer, new ReportData.NeuronTypes("zhang", new int[] {3, 1, 0},
                new int[] {0, 2, 1}, new int[] {5, 0, 2}), map);
    }

    @Test
    void everyCheckpointFigureIsANonTrivialPngOfItsSize() throws Exception {
        List<Figures.Figure> figures = Figures.checkpoint(checkpoint(), "step-000200");
        assertEquals(List.of("step-000200_lrds-sads-per-layer", "step-000200_key-neurons-per-layer", "step-000200_key-neurons-per-language",
                "step-000200_neuron-types-per-layer", "step-000200_similarity-map"), figures.stream().map(Figures.Figure::file).toList());
        for (Figures.Figure f : figures) {
            boolean map = f.file().endsWith("similarity-map");
            assertPng(f, map ? 1000 : 1200, map ? 1000 : 700);
            assertEquals("tiny@200", f.checkpoint());
        }
    }

    @Test
    void trendIsANonTrivialPngAndItsCsvHoldsTheValuesGiven() throws Exception {
        ReportData.Trend t = new ReportData.Trend("tiny", List.of(
                new ReportData.TrendPoint("tiny@0", 0L, 0.1, 0.04, 900, 0.4),
                new ReportData.TrendPoint("tiny@50", 50L, Double.NaN, 0.002, 860, 0.42),
                new ReportData.TrendPoint("tiny@800", 800L, 0.6687304019188642, 0.04027611642782292, 1395, 0.68115234375)));
        Figures.Figure f = Figures.trend(t, "");
        assertEquals("trend_lrds-sads-sklr", f.file());
        assertPng(f, 1200, 910);
        assertEquals("""
                step,checkpoint_id,lrds,sads,sklr,sklr_fraction
                0,tiny@0,0.1,0.04,900,0.4
                50,tiny@50,,0.002,860,0.42
                800,tiny@800,0.6687304019188642,0.04027611642782292,1395,0.68115234375
                """, csv(f));
    }

    @Test
    void csvsHoldTheValuesGivenWithNaNAsAnEmptyCell() throws IOException {
        List<Figures.Figure> figures = Figures.checkpoint(checkpoint(), "s");
        assertEquals("""
                layer,lrds,sads
                0,0.5,0.125
                1,,0.0625
                2,0.75,1.0E-17
                """, csv(figures.get(0)));
        assertEquals("""
                layer,en,zh,sw
                0,1,6,0
                1,2,0,0
                2,4,6,0
                """, csv(figures.get(1)));
        assertEquals("""
                lang,language,key_neurons
                en,English,7
                zh,Chinese,12
                sw,sw,0
                """, csv(figures.get(2)));
        assertEquals("""
                layer,specific,related,general
                0,3,0,5
                1,1,2,0
                2,0,1,2
                """, csv(figures.get(3)));
        SimilarityCsv.Table t = checkpoint().similarity();
        assertArrayEquals(SimilarityCsv.write(t.map(), t.sampleIds()), figures.get(4).csv());
    }

    @Test
    void languageNamesAndBlocks() throws IOException {
        assertEquals("Portuguese", Figures.languageName("pt"));
        assertEquals("Indonesian", Figures.languageName("id"));
        assertEquals("sw", Figures.languageName("sw"));
        assertEquals(List.of(new SimilarityFigure.Block("en", 0, 4), new SimilarityFigure.Block("zh", 4, 8), new SimilarityFigure.Block("sw", 8, 12)),
                SimilarityFigure.blocks(checkpoint().similarity().sampleIds()));
    }

    private static String csv(Figures.Figure f) {
        return new String(f.csv(), StandardCharsets.UTF_8);
    }

    /** A PNG of the given size with many colours (curves, text, colour scale), not a blank canvas. */
    static void assertPng(Figures.Figure f, int width, int height) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(f.png()));
        assertEquals(width, image.getWidth(), f.file());
        assertEquals(height, image.getHeight(), f.file());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < height; y += 2) {
            for (int x = 0; x < width; x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 40, f.file() + ": only " + colours.size() + " colours");
    }
}
