package io.linguaflow.launcher.report;

import io.linguaflow.analysis.similarity.SimilarityCsv;
import io.linguaflow.analysis.similarity.SimilarityPng;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * The whole-model similarity map S_ij = a_i · a_j as a heat map: row i (top to bottom) and column j are the samples in
 * corpus order, black lines between languages, each language's block named on both axes. Colours are those of the
 * REST API's own PNG ({@link SimilarityPng#colour}, ColorBrewer RdBu over the fixed range [−1, 1]) so that maps of
 * different checkpoints compare by colour; a colour bar on the right gives the scale.
 */
final class SimilarityFigure {

    static final int SIDE = 1000;

    /** A language's run of consecutive samples, [start, end). */
    record Block(String lang, int start, int end) {
    }

    private static final PaintScale SCALE = new PaintScale() {
        @Override
        public double getLowerBound() {
            return -1;
        }

        @Override
        public double getUpperBound() {
            return 1;
        }

        @Override
        public Paint getPaint(double value) {
            return new Color(SimilarityPng.colour(value));
        }
    };

    private SimilarityFigure() {
    }

    static Figures.Figure of(ReportData.Checkpoint c, String stem) {
        SimilarityCsv.Table t = c.similarity();
        int n = t.map().size();
        double[][] xyz = new double[3][n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                xyz[0][i * n + j] = j;
                xyz[1][i * n + j] = i;
                xyz[2][i * n + j] = t.map().get(i, j);
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("S", xyz);
        XYBlockRenderer blocks = new XYBlockRenderer();
        blocks.setBlockAnchor(RectangleAnchor.BOTTOM_LEFT);
        blocks.setPaintScale(SCALE);

        List<Block> runs = blocks(t.sampleIds());
        LanguageAxis columns = new LanguageAxis("Sample j (corpus order)", runs, n);
        LanguageAxis rows = new LanguageAxis("Sample i (corpus order)", runs, n);
        rows.setInverted(true); // row 0 at the top, as a matrix is read
        XYPlot plot = new XYPlot(data, columns, rows, blocks);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        for (Block b : runs.subList(1, runs.size())) {
            plot.addDomainMarker(new ValueMarker(b.start(), Color.BLACK, new BasicStroke(1.5f)));
            plot.addRangeMarker(new ValueMarker(b.start(), Color.BLACK, new BasicStroke(1.5f)));
        }

        NumberAxis scaleAxis = new NumberAxis("S_ij = a_i · a_j");
        scaleAxis.setRange(-1, 1);
        scaleAxis.setTickUnit(new NumberTickUnit(0.25));
        PaintScaleLegend colourBar = new PaintScaleLegend(SCALE, scaleAxis);
        colourBar.setPosition(RectangleEdge.RIGHT);
        colourBar.setStripWidth(24);
        colourBar.setSubdivisionCount(200);
        colourBar.setMargin(new RectangleInsets(40, 16, 60, 0));
        JFreeChart chart = Figures.chart("Similarity map (whole model)", Figures.subtitle(c) + " · " + n + " samples", plot, colourBar);
        chart.removeLegend(); // the colour bar is the legend
        chart.setAntiAlias(false); // antialiased blocks leave hairline seams between them; text stays antialiased

        return new Figures.Figure(stem + "_similarity-map", "similarity map", c.id(),
                "Whole-model similarity map of " + c.id() + " (" + n + " samples in corpus order, colour scale fixed to [-1, 1])",
                chart, SIDE, SIDE, SimilarityCsv.write(t.map(), t.sampleIds()));
    }

    /** Runs of consecutive samples of one language; sample ids are {@code <lang>|<meaningId>}. */
    static List<Block> blocks(List<String> sampleIds) {
        List<Block> out = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= sampleIds.size(); i++) {
            if (i == sampleIds.size() || !lang(sampleIds.get(i)).equals(lang(sampleIds.get(start)))) {
                out.add(new Block(lang(sampleIds.get(start)), start, i));
                start = i;
            }
        }
        return out;
    }

    private static String lang(String sampleId) {
        int bar = sampleId.indexOf('|');
        return bar < 0 ? sampleId : sampleId.substring(0, bar);
    }

    /** An axis over [0, N] with one label per language, at the middle of its block, instead of numeric ticks. */
    private static final class LanguageAxis extends NumberAxis {

        private final List<Block> blocks;

        LanguageAxis(String label, List<Block> blocks, int n) {
            super(label);
            this.blocks = blocks;
            setRange(0, n);
            setTickMarksVisible(false);
        }

        @Override
        public List<NumberTick> refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
            boolean horizontal = RectangleEdge.isTopOrBottom(edge);
            // more blocks than fit side by side: codes instead of names
            boolean names = blocks.size() <= (horizontal ? 12 : 24);
            List<NumberTick> ticks = new ArrayList<>();
            for (Block b : blocks) {
                ticks.add(new NumberTick((b.start() + b.end()) / 2.0, names ? Figures.languageName(b.lang()) : b.lang(),
                        horizontal ? TextAnchor.TOP_CENTER : TextAnchor.CENTER_RIGHT,
                        horizontal ? TextAnchor.TOP_CENTER : TextAnchor.CENTER_RIGHT, 0));
            }
            return ticks;
        }
    }
}
