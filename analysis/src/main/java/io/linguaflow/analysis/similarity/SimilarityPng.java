package io.linguaflow.analysis.similarity;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * A {@link SimilarityMap} as a heat map PNG. Layout, top to bottom: the map, one square block of {@link #blockSize} pixels
 * per sample in the map's order (row i, column j = S_ij), with a 1-pixel black line between two consecutive samples of
 * different languages; a white gap; a legend strip of the colour scale from −1 (left) to +1 (right) with black ticks
 * under −1, 0 and +1. Colours: ColorBrewer RdBu (11 classes; blue negative, white 0, red positive), linearly
 * interpolated over the fixed range [−1, 1], values outside clamped, NaN grey; fixed so that maps of different
 * checkpoints compare by colour. The PNG's iTXt chunks {@code Title}, {@code Description} (this encoding) and
 * {@code Languages} (runs of samples per language) say the same.
 *
 * <p>Pixels are set one by one and written with ImageIO: no AWT toolkit, fonts or graphics environment is involved,
 * so it runs on servers without a display and without {@code -Djava.awt.headless=true}.
 */
public final class SimilarityPng {

    /** The map is scaled to about this many pixels a side (at least one pixel per sample). */
    public static final int TARGET_SIDE = 1024;
    static final int GAP = 6;
    static final int LEGEND_HEIGHT = 12;
    static final int TICK_HEIGHT = 4;
    static final int LINE = 0x000000;
    static final int MISSING = 0x808080;
    private static final int WHITE = 0xffffff;
    /** ColorBrewer RdBu, 11 classes, from −1 to +1 in steps of 0.2 (reversed: blue is negative). */
    private static final int[] RD_BU = {0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d,
        0xb2182b, 0x67001f};

    private SimilarityPng() {
    }

    /** Pixels a side of one sample's block: {@link #TARGET_SIDE} / N, at least 1. */
    public static int blockSize(int samples) {
        return Math.max(1, TARGET_SIDE / samples);
    }

    /**
     * @param languages the language of each sample, in the map's order (boundaries are drawn where it changes)
     * @param title     e.g. the checkpoint and normalisation, stored in the {@code Title} chunk
     * @return the PNG file's bytes
     */
    public static byte[] render(SimilarityMap map, List<String> languages, String title) {
        int n = map.size();
        if (languages.size() != n) {
            throw new IllegalArgumentException(languages.size() + " languages for a " + n + "x" + n + " map");
        }
        int[] sampleAt = pixelSamples(languages, blockSize(n));
        int side = sampleAt.length;
        BufferedImage image = new BufferedImage(side, side + GAP + LEGEND_HEIGHT + TICK_HEIGHT, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int i = sampleAt[y];
                int j = sampleAt[x];
                image.setRGB(x, y, i < 0 || j < 0 ? LINE : colour(map.get(i, j)));
            }
        }
        for (int y = side; y < image.getHeight(); y++) {
            for (int x = 0; x < side; x++) {
                image.setRGB(x, y, WHITE);
            }
        }
        for (int x = 0; x < side; x++) {
            int c = colour(side == 1 ? 0 : -1 + 2.0 * x / (side - 1));
            for (int y = side + GAP; y < side + GAP + LEGEND_HEIGHT; y++) {
                image.setRGB(x, y, c);
            }
        }
        for (int x : new int[] {0, (side - 1) / 2, side - 1}) {
            for (int y = side + GAP + LEGEND_HEIGHT; y < image.getHeight(); y++) {
                image.setRGB(x, y, LINE);
            }
        }
        String description = "Similarity map S_ij = a_i . a_j of " + n + " samples; row i, column j; " + blockSize(n)
                + " px per sample; black lines: language boundaries. Colour: ColorBrewer RdBu over the fixed range [-1, 1] "
                + "(blue -1, white 0, red +1; outside clamped, NaN grey). Legend strip below the map: -1 at the left, +1 at "
                + "the right, ticks at -1, 0, +1.";
        return write(image, List.of(new String[] {"Title", title}, new String[] {"Description", description},
                new String[] {"Languages", runs(languages)}, new String[] {"Software", "linguaflow"}));
    }

    /** RGB of value v on the fixed [−1, 1] scale. */
    public static int colour(double v) {
        if (Double.isNaN(v)) {
            return MISSING;
        }
        double t = (Math.max(-1, Math.min(1, v)) + 1) / 2 * (RD_BU.length - 1);
        int k = Math.min((int) t, RD_BU.length - 2);
        double f = t - k;
        int a = RD_BU[k];
        int b = RD_BU[k + 1];
        int r = (int) Math.round((a >> 16 & 0xff) * (1 - f) + (b >> 16 & 0xff) * f);
        int g = (int) Math.round((a >> 8 & 0xff) * (1 - f) + (b >> 8 & 0xff) * f);
        int bl = (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
        return r << 16 | g << 8 | bl;
    }

    /** For each pixel along a side: the sample it shows, or −1 on a boundary line. */
    static int[] pixelSamples(List<String> languages, int block) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < languages.size(); i++) {
            if (i > 0 && !languages.get(i).equals(languages.get(i - 1))) {
                out.add(-1);
            }
            for (int p = 0; p < block; p++) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** "en 0-49, fr 50-99, ...": the runs of consecutive samples of one language. */
    private static String runs(List<String> languages) {
        StringBuilder out = new StringBuilder();
        int start = 0;
        for (int i = 1; i <= languages.size(); i++) {
            if (i == languages.size() || !languages.get(i).equals(languages.get(start))) {
                out.append(out.length() == 0 ? "" : ", ").append(languages.get(start)).append(' ').append(start).append('-').append(i - 1);
                start = i;
            }
        }
        return out.toString();
    }

    private static byte[] write(BufferedImage image, List<String[]> texts) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try {
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
            String format = "javax_imageio_png_1.0";
            IIOMetadataNode itxt = new IIOMetadataNode("iTXt");
            for (String[] t : texts) {
                IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                entry.setAttribute("keyword", t[0]);
                entry.setAttribute("compressionFlag", "FALSE");
                entry.setAttribute("compressionMethod", "0");
                entry.setAttribute("languageTag", "");
                entry.setAttribute("translatedKeyword", "");
                entry.setAttribute("text", t[1]);
                itxt.appendChild(entry);
            }
            IIOMetadataNode root = new IIOMetadataNode(format);
            root.appendChild(itxt);
            metadata.mergeTree(format, root);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(new IIOImage(image, null, metadata));
            }
            return bytes.toByteArray();
        } catch (IIOInvalidTreeException e) {
            throw new IllegalStateException("PNG text chunks rejected by ImageIO", e);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a PNG to memory failed", e);
        } finally {
            writer.dispose();
        }
    }
}
