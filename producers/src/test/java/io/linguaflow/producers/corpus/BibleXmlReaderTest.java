package io.linguaflow.producers.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.schemas.avro.Sentence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BibleXmlReaderTest {

    @TempDir
    Path tmp;

    @Test
    void newTestamentsAlignedByVerse() throws IOException {
        Path dir = SharedData.data().resolve("bible-corpus-nt");
        CorpusResult r = new BibleXmlReader(dir, Map.of()).read(CorpusOptions.defaults());
        // languages from metadata.csv (ISO 639-3), alphabetical
        assertEquals(List.of("eus", "guj", "swh", "ukr"), r.languages());
        // 7697 verse ids are present in all four files (counted independently with Python's ElementTree)
        assertEquals(4 * 7697, r.sentences().size());
        assertTrue(r.rejected().isEmpty());
        assertTrue(r.incomplete().stream().anyMatch(m -> m.meaningId().startsWith("b.PHI.") && m.missing().equals(List.of("swh"))),
                "the Swahili file has no Philippians");
        List<Sentence> s = r.sentences();
        assertEquals("b.MAT.1.1", s.get(0).getMeaningId());
        assertEquals("b.REV.22.21", s.get(7696).getMeaningId());
        for (int i = 0; i < 7697; i++) {
            String id = s.get(i).getMeaningId();
            for (int l = 1; l < 4; l++) {
                assertEquals(id, s.get(l * 7697 + i).getMeaningId(), "same verse order in every language");
            }
        }
        Sentence swh = s.get(2 * 7697);
        assertEquals("swh", swh.getLang());
        assertEquals("Yesu Kristo alikuwa mzawa wa Daudi, mzawa wa Abrahamu. Hii ndiyo orodha ya ukoo wake:", swh.getText());
        assertEquals(dir.resolve("Swahili-NT.xml") + ":69", swh.getSource());
        assertTrue(s.stream().anyMatch(x -> x.getText().startsWith("Alipokuwa bado anawaza jambo hilo") && x.getText().contains("\"Yosefu")),
                "entities decoded");
    }

    private static String bible(String lang, String... segs) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" ?>\n<cesDoc><cesHeader><profileDesc><langUsage>"
                + "<language id=\"x\" iso639=\"" + lang + "\">X</language></langUsage></profileDesc></cesHeader>\n<text><body>\n");
        for (String seg : segs) {
            sb.append(seg).append('\n');
        }
        return sb.append("</body></text></cesDoc>\n").toString();
    }

    private static String verse(String id, String text) {
        return "<seg id=\"" + id + "\" type=\"verse\">\n\t\t" + text + "\n\t</seg>";
    }

    @Test
    void canonicalOrderEmptyVersesAndHeaderLanguage() throws IOException {
        // Language A lacks book MAR; B has it between MAT and LUK, and lists a verse out of order.
        Files.writeString(tmp.resolve("A.xml"), bible("aaa", verse("b.MAT.1.1", "a1"), verse("b.MAT.1.2", "a2"),
                verse("b.LUK.1.1", "a3"), verse("b.LUK.1.10", "a4"), verse("b.LUK.1.9", "a5")));
        Files.writeString(tmp.resolve("B.xml"), bible("bbb", verse("b.MAT.1.2", "b2"), verse("b.MAT.1.1", "b1"),
                verse("b.MAR.1.1", "bm"), verse("b.LUK.1.1", "  "), verse("b.LUK.1.9", "b5"),
                verse("b.LUK.1.10", "b4 &amp;\n  more"), "<seg id=\"b.LUK.1.1\" type=\"chapter\">not a verse</seg>"));
        CorpusResult kept = new BibleXmlReader(tmp, Map.of()).read(CorpusOptions.defaults().withIncomplete(IncompletePolicy.KEEP));
        assertEquals(List.of("aaa|b.MAT.1.1", "aaa|b.MAT.1.2", "aaa|b.LUK.1.1", "aaa|b.LUK.1.9", "aaa|b.LUK.1.10",
                        "bbb|b.MAT.1.1", "bbb|b.MAT.1.2", "bbb|b.MAR.1.1", "bbb|b.LUK.1.9", "bbb|b.LUK.1.10"),
                kept.sentences().stream().map(x -> x.getLang() + "|" + x.getMeaningId()).toList());
        assertEquals("b4 & more", kept.sentences().get(9).getText());
        assertEquals(1, kept.rejected().size());
        assertEquals("EmptyText", kept.rejected().get(0).errorClass());
        assertTrue(kept.rejected().get(0).input().startsWith(tmp.resolve("B.xml") + ":"));

        CorpusResult dropped = new BibleXmlReader(tmp, Map.of("B.xml", "bb")).read(CorpusOptions.defaults());
        assertEquals(List.of("aaa|b.MAT.1.1", "aaa|b.MAT.1.2", "aaa|b.LUK.1.9", "aaa|b.LUK.1.10",
                        "bb|b.MAT.1.1", "bb|b.MAT.1.2", "bb|b.LUK.1.9", "bb|b.LUK.1.10"),
                dropped.sentences().stream().map(x -> x.getLang() + "|" + x.getMeaningId()).toList());
        assertEquals(List.of(new IncompleteMeaning("b.LUK.1.1", List.of("bb"), true),
                new IncompleteMeaning("b.MAR.1.1", List.of("aaa"), true)), dropped.incomplete());
    }

    @Test
    void brokenXmlNamesFileAndLine() throws IOException {
        Path f = tmp.resolve("Broken.xml");
        Files.writeString(f, bible("xxx", verse("b.MAT.1.1", "ok"), "<seg id=\"b.MAT.1.2\" type=\"verse\">unclosed"));
        IOException e = assertThrows(IOException.class, () -> new BibleXmlReader(tmp, Map.of()).read(CorpusOptions.defaults()));
        assertTrue(e.getMessage().startsWith(f + ":") && e.getMessage().contains("not well-formed XML"), e.getMessage());
    }

    @Test
    void verseWithoutIdIsMalformed() throws IOException {
        Files.writeString(tmp.resolve("A.xml"), bible("aaa", verse("b.MAT.1.1", "a"), "<seg type=\"verse\">lost</seg>"));
        CorpusResult r = new BibleXmlReader(tmp, Map.of()).read(CorpusOptions.defaults());
        assertEquals(1, r.sentences().size());
        assertEquals("MalformedRow", r.rejected().get(0).errorClass());
        assertTrue(r.rejected().get(0).error().endsWith("verse without an id"));
    }
}
