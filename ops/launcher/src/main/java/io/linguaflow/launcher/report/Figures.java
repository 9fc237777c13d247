package io.linguaflow.launcher.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Stroke;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.title.Title;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's figures, drawn with JFreeChart from {@link ReportData}'s records (no server involved), each with the
 * table behind it. The figure numbers are those of the Lingua Franca paper.
 */
public final class Figures {

    /**
     * One figure: its file name without extension, the figure it is, its checkpoint (null for a trend), a caption, the
     * chart and its size in pixels, and the CSV behind it.
     */
    public record Figure(String file, String figure, String checkpoint, String caption, JFreeChart chart, int width, int height,
                         byte[] csv) {

        public byte[] png() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(out, chart, width, height);
            return out.toByteArray();
        }
    }

    static final int WIDTH = 1200;
    static final int HEIGHT = 700;
    private static final Map<String, String> LANGUAGE_NAMES = Map.of("en", "English", "zh", "Chinese", "fr", "French",
            "es", "Spanish", "pt", "Portuguese", "ar", "Arabic", "vi", "Vietnamese", "hi", "Hindi", "id", "Indonesian");
    /** Tableau 10: categorical colours that stay apart for colour-blind readers. */
    private static final Color[] PALETTE = {new Color(0x4e79a7), new Color(0xf28e2b), new Color(0xe15759), new Color(0x76b7b2),
        new Color(0x59a14f), new Color(0xedc948), new Color(0xb07aa1), new Color(0xff9da7), new Color(0x9c755f), new Color(0xbab0ac)};
    private static final Color LRDS = PALETTE[0];
    private static final Color SADS = PALETTE[1];
    private static final Color SKLR = PALETTE[4];
    private static final Stroke LINE = new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    private static final StandardChartTheme THEME = theme();

    private Figures() {
    }

    /** English name of a language code of the paper's nine languages; other codes as they are. */
    public static String languageName(String code) {
        return LANGUAGE_NAMES.getOrDefault(code, code);
    }

    /** Every figure of one checkpoint; file names start with {@code stem}. */
    public static List<Figure> checkpoint(ReportData.Checkpoint c, String stem) {
        List<Figure> out = new ArrayList<>(List.of(lrdsSadsPerLayer(c, stem), keyNeuronsPerLayer(c, stem), keyNeuronsPerLanguage(c, stem)));
        if (c.neuronTypes() != null) {
            out.add(neuronTypes(c, stem));
        }
        if (c.similarity() != null) {
            out.add(SimilarityFigure.of(c, stem));
        }
        return out;
    }

    /** Figure 3: LRDS and SADS of each layer, in two panels (their scales differ by an order of magnitude). */
    static Figure lrdsSadsPerLayer(ReportData.Checkpoint c, String stem) {
        XYSeries lrds = new XYSeries("LRDS");
        XYSeries sads = new XYSeries("SADS");
        List<List<Object>> rows = new ArrayList<>();
        for (int l = 0; l < c.lrds().length; l++) {
            lrds.add(l, c.lrds()[l]);
            sads.add(l, c.sads()[l]);
            rows.add(List.of(l, c.lrds()[l], c.sads()[l]));
        }
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(layerAxis(c.lrds().length));
        plot.setGap(16);
        plot.add(linePanel("LRDS", false, List.of(lrds), List.of(LRDS)));
        plot.add(linePanel("SADS", false, List.of(sads), List.of(SADS)));
        return new Figure(stem + "_lrds-sads-per-layer", "Figure 3", c.id(),
                "LRDS and SADS per layer of " + c.id(),
                chart("LRDS and SADS per layer", subtitle(c), plot), WIDTH, HEIGHT,
                Csv.of(List.of("layer", "lrds", "sads"), rows));
    }

    /** Figure 5: key neurons of each language in each layer. */
    static Figure keyNeuronsPerLayer(ReportData.Checkpoint c, String stem) {
        int layers = c.lrds().length;
        List<XYSeries> series = new ArrayList<>();
        List<Color> colours = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("layer"));
        for (String lang : c.languages()) {
            XYSeries s = new XYSeries(languageName(lang));
            int[] counts = c.keyNeuronsPerLayer().get(lang);
            for (int l = 0; l < counts.length; l++) {
                s.add(l, counts[l]);
            }
            series.add(s);
            colours.add(languageColour(c.languages(), lang));
            header.add(lang);
        }
        List<List<Object>> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            List<Object> row = new ArrayList<>(List.of(l));
            for (String lang : c.languages()) {
                row.add(c.keyNeuronsPerLayer().get(lang)[l]);
            }
            rows.add(row);
        }
        XYPlot plot = linePanel("Key neurons", true, series, colours);
        plot.setDomainAxis(layerAxis(layers));
        return new Figure(stem + "_key-neurons-per-layer", "Figure 5", c.id(),
                "Key neurons per layer and language of " + c.id(), chart("Key neurons per layer", subtitle(c), plot), WIDTH, HEIGHT,
                Csv.of(header, rows));
    }

    /** Figure 6: key neurons of each language, whole model. */
    static Figure keyNeuronsPerLanguage(ReportData.Checkpoint c, String stem) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<List<Object>> rows = new ArrayList<>();
        c.keyNeuronCounts().forEach((lang, n) -> {
            data.addValue(n, "Key neurons", languageName(lang));
            rows.add(List.of(lang, languageName(lang), n));
        });
        BarRenderer bars = new BarRenderer() {
            @Override
            public Paint getItemPaint(int row, int column) {
                return languageColour(c.languages(), c.languages().get(column));
            }
        };
        bars.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator());
        bars.setDefaultItemLabelsVisible(true);
        CategoryAxis languages = new CategoryAxis("Language");
        languages.setMaximumCategoryLabelWidthRatio(1.5f); // "Portuguese" in full
        CategoryPlot plot = new CategoryPlot(data, languages, countAxis("Key neurons"), bars);
        JFreeChart chart = chart("Key neurons per language", subtitle(c), plot);
        chart.removeLegend(); // the axis names the bars
        return new Figure(stem + "_key-neurons-per-language", "Figure 6", c.id(), "Key neurons per language of " + c.id() + " (whole model)",
                chart, WIDTH, HEIGHT, Csv.of(List.of("lang", "language", "key_neurons"), rows));
    }

    /** Language-specific, -related and general neurons of each layer (Zhang et al.). */
    static Figure neuronTypes(ReportData.Checkpoint c, String stem) {
        ReportData.NeuronTypes t = c.neuronTypes();
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<List<Object>> rows = new ArrayList<>();
        for (int l = 0; l < t.specific().length; l++) {
            String layer = Integer.toString(l);
            data.addValue(t.specific()[l], "Language-specific", layer);
            data.addValue(t.related()[l], "Language-related", layer);
            data.addValue(t.general()[l], "General", layer);
            rows.add(List.of(l, t.specific()[l], t.related()[l], t.general()[l]));
        }
        List<Color> colours = List.of(PALETTE[2], PALETTE[0], PALETTE[9]);
        BarRenderer bars = new BarRenderer() {
            @Override
            public Paint lookupSeriesPaint(int series) {
                return colours.get(series);
            }
        };
        bars.setItemMargin(0.05);
        CategoryPlot plot = new CategoryPlot(data, new CategoryAxis("Layer"), countAxis("Neurons"), bars);
        JFreeChart chart = chart("Neuron types per layer", subtitle(c) + " · method " + t.method(), plot);
        return new Figure(stem + "_neuron-types-per-layer", "neuron types", c.id(),
                "Language-specific / related / general neurons per layer of " + c.id() + " (" + t.method() + ")", chart, WIDTH, HEIGHT,
                Csv.of(List.of("layer", "specific", "related", "general"), rows));
    }

    /**
     * Figure 4: LRDS, SADS and SKLR of a model's complete checkpoints against training step, one panel each.
     *
     * @param prefix of the file name: empty, or the model's when the report covers several models
     */
    public static Figure trend(ReportData.Trend t, String prefix) {
        XYSeries lrds = new XYSeries("LRDS");
        XYSeries sads = new XYSeries("SADS");
        XYSeries sklr = new XYSeries("SKLR (key neurons, all languages)");
        List<List<Object>> rows = new ArrayList<>();
        for (ReportData.TrendPoint p : t.points()) {
            rows.add(new ArrayList<>(Arrays.asList(p.step(), p.checkpointId(), p.lrds(), p.sads(), p.sklr(), p.sklrFraction())));
            if (p.step() != null) { // no place on a step axis
                lrds.add(p.step().doubleValue(), p.lrds());
                sads.add(p.step().doubleValue(), p.sads());
                sklr.add(p.step().doubleValue(), p.sklr());
            }
        }
        NumberAxis steps = new NumberAxis("Training step");
        steps.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        steps.setAutoRangeStickyZero(false); // step 0 inside the plot, not on its edge
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(steps);
        plot.setGap(16);
        plot.add(linePanel("LRDS", false, List.of(lrds), List.of(LRDS)));
        plot.add(linePanel("SADS", false, List.of(sads), List.of(SADS)));
        plot.add(linePanel("SKLR", true, List.of(sklr), List.of(SKLR)));
        return new Figure(prefix + "trend_lrds-sads-sklr", "Figure 4", null,
                "LRDS, SADS and SKLR of " + t.model() + " over training (" + t.points().size() + " complete checkpoints)",
                chart("LRDS, SADS and SKLR over training", "model " + t.model(), plot), WIDTH, (int) (HEIGHT * 1.3),
                Csv.of(List.of("step", "checkpoint_id", "lrds", "sads", "sklr", "sklr_fraction"), rows));
    }

    /** A colour per language, by its place in the checkpoint's language list (the same corpus gives the same colours). */
    static Color languageColour(List<String> languages, String lang) {
        return PALETTE[Math.max(0, languages.indexOf(lang)) % PALETTE.length];
    }

    static String subtitle(ReportData.Checkpoint c) {
        return c.id() + (c.step() == null ? "" : " · step " + c.step());
    }

    /**
     * A chart with the report's fonts, white background and flat bars; {@code more} are further subtitles (styled too).
     * Applying the theme clears series colours, so renderers give theirs by overriding {@code lookupSeriesPaint}.
     */
    static JFreeChart chart(String title, String subtitle, Plot plot, Title... more) {
        JFreeChart chart = new JFreeChart(title, plot);
        chart.addSubtitle(new TextTitle(subtitle));
        for (Title t : more) {
            chart.addSubtitle(t);
        }
        THEME.apply(chart);
        chart.setPadding(new RectangleInsets(8, 8, 8, 16));
        return chart;
    }

    private static XYPlot linePanel(String label, boolean counts, List<XYSeries> series, List<Color> colours) {
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach(data::addSeries);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true) {
            @Override
            public Paint lookupSeriesPaint(int s) {
                return colours.get(s);
            }

            @Override
            public Stroke lookupSeriesStroke(int s) {
                return LINE;
            }
        };
        NumberAxis y = counts ? countAxis(label) : new NumberAxis(label);
        y.setAutoRangeIncludesZero(counts);
        return new XYPlot(data, null, y, lines);
    }

    private static NumberAxis layerAxis(int layers) {
        NumberAxis x = new NumberAxis("Layer");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(-0.3, Math.max(layers - 1, 0) + 0.3);
        return x;
    }

    private static NumberAxis countAxis(String label) {
        NumberAxis y = new NumberAxis(label);
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        y.setUpperMargin(0.12); // room for the bars' labels
        return y;
    }

    private static StandardChartTheme theme() {
        StandardChartTheme t = new StandardChartTheme("linguaflow");
        t.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 24));
        t.setLargeFont(new Font(Font.SANS_SERIF, Font.PLAIN, 18));
        t.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
        t.setSmallFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        t.setChartBackgroundPaint(Color.WHITE);
        t.setPlotBackgroundPaint(Color.WHITE);
        t.setPlotOutlinePaint(Color.GRAY);
        t.setDomainGridlinePaint(new Color(0xdddddd));
        t.setRangeGridlinePaint(new Color(0xdddddd));
        t.setAxisOffset(RectangleInsets.ZERO_INSETS);
        t.setBarPainter(new StandardBarPainter());
        t.setShadowVisible(false);
        t.setLegendBackgroundPaint(Color.WHITE);
        return t;
    }
}
