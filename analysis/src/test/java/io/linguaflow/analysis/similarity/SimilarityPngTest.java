package io.linguaflow.analysis.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Node;

class SimilarityPngTest {

    /** ColorBrewer RdBu's darkest red and blue: the colours of +1 and −1. */
    private static final int PLUS_ONE = 0x67001f;
    private static final int MINUS_ONE = 0x053061;

    @Test
    void decodesToTheExpectedLayoutAndColours() throws IOException {
        // 3 languages x 4 samples: 1024 / 12 = 85 px per sample, 2 boundary lines
        List<String> langs = new ArrayList<>();
        for (String l : List.of("en", "fr", "zh")) {
            for (int i = 0; i < 4; i++) {
                langs.add(l);
            }
        }
        SimilarityMap map = SimilarityCsvTest.randomMap(12, 7);
        byte[] png = SimilarityPng.render(map, langs, "cp@0 whole model");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        int side = 12 * 85 + 2;
        assertEquals(side, image.getWidth());
        assertEquals(side + 6 + 12 + 4, image.getHeight());
        // sample i's block starts at 85 i plus the boundary lines before it
        int[] start = new int[12];
        for (int i = 0; i < 12; i++) {
            start[i] = 85 * i + i / 4;
        }
        for (int i = 0; i < 12; i++) {
            assertEquals(PLUS_ONE, rgb(image, start[i] + 42, start[i] + 42), "S = 1 on the diagonal, sample " + i);
            for (int j = 0; j < 12; j++) {
                assertEquals(SimilarityPng.colour(map.get(i, j)), rgb(image, start[j] + 10, start[i] + 70));
            }
        }
        assertEquals(0x000000, rgb(image, 4 * 85, 5), "boundary en|fr");
        assertEquals(0x000000, rgb(image, 5, 8 * 85 + 1), "boundary fr|zh");
        assertEquals(0xffffff, rgb(image, 500, side + 2), "gap");
        assertEquals(MINUS_ONE, rgb(image, 0, side + 8), "legend starts at -1");
        assertEquals(PLUS_ONE, rgb(image, side - 1, side + 8), "legend ends at +1");
        assertEquals(0xf7f7f7, rgb(image, (side - 1) / 2, side + 8), "white 0 in the middle");
        assertEquals(0x000000, rgb(image, (side - 1) / 2, side + 6 + 12 + 1), "tick under 0");

        Map<String, String> text = texts(png);
        assertEquals("cp@0 whole model", text.get("Title"));
        assertEquals("en 0-3, fr 4-7, zh 8-11", text.get("Languages"));
        assertTrue(text.get("Description").contains("fixed range [-1, 1]"), text.get("Description"));
    }

    @Test
    void colourScaleAnchorsAndBadInput() {
        assertEquals(PLUS_ONE, SimilarityPng.colour(1.0));
        assertEquals(PLUS_ONE, SimilarityPng.colour(1.5), "clamped");
        assertEquals(MINUS_ONE, SimilarityPng.colour(-1.0));
        assertEquals(0xf7f7f7, SimilarityPng.colour(0.0));
        assertEquals(0xb2182b, SimilarityPng.colour(0.8));
        // -0.5 is halfway between the anchors at -0.6 (4393c3) and -0.4 (92c5de)
        assertEquals(Math.round((0x43 + 0x92) / 2.0) << 16 | Math.round((0x93 + 0xc5) / 2.0) << 8 | Math.round((0xc3 + 0xde) / 2.0),
                SimilarityPng.colour(-0.5));
        assertEquals(0x808080, SimilarityPng.colour(Double.NaN));
        assertEquals(1024, SimilarityPng.blockSize(1));
        assertEquals(2, SimilarityPng.blockSize(450));
        assertEquals(1, SimilarityPng.blockSize(5000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimilarityPng.render(SimilarityCsvTest.randomMap(3, 1), List.of("en"), "t"));
        assertEquals("1 languages for a 3x3 map", e.getMessage());
    }

    private static int rgb(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xffffff;
    }

    static Map<String, String> texts(byte[] png) throws IOException {
        Map<String, String> out = new HashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            Node root = reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0");
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n.getNodeName().equals("iTXt")) {
                    for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
                        out.put(e.getAttributes().getNamedItem("keyword").getNodeValue(), e.getAttributes().getNamedItem("text").getNodeValue());
                    }
                }
            }
            reader.dispose();
        }
        assertNotNull(out.get("Title"), "iTXt chunks present");
        return out;
    }
}
