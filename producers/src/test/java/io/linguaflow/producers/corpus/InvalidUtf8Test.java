package io.linguaflow.producers.corpus;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every corpus reader names the file and line of invalid UTF-8 (not the JDK's bare "Input length = 1"). */
class InvalidUtf8Test {

    @TempDir
    Path tmp;

    /** UTF-8 text with a Latin-1 "é" (a lone 0xE9 byte, not valid UTF-8) placed on line 3. */
    private static byte[] withLatin1OnLine3(String line1, String line2, String line3Before, String line3After, String rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((line1 + "\n" + line2 + "\n" + line3Before).getBytes(StandardCharsets.UTF_8));
        out.write(0xE9);
        out.writeBytes((line3After + "\n" + rest).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static void assertNamesLine3(Path file, IOException e) {
        assertTrue(e.getMessage().startsWith(file + ":3: not valid UTF-8"), e.getMessage());
    }

    @Test
    void tsv() throws IOException {
        Path f = Files.write(tmp.resolve("c.tsv"), withLatin1OnLine3("id\tlang\ttext", "1\ten\tcafe", "1\tfr\tcaf", "", ""));
        assertNamesLine3(f, assertThrows(IOException.class, () -> new TsvCorpusReader(f).read(CorpusOptions.defaults())));
    }

    @Test
    void jsonl() throws IOException {
        Path f = Files.write(tmp.resolve("c.jsonl"), withLatin1OnLine3("{\"id\": \"1\", \"text\": \"a\"}", "{\"id\": \"2\", \"text\": \"b\"}",
                "{\"id\": \"3\", \"text\": \"caf", "\"}", ""));
        JsonlCorpusReader reader = new JsonlCorpusReader("c", List.of(new JsonlCorpusReader.Source(f, "en")),
                new JsonlCorpusReader.Fields("id", null, List.of("text")));
        assertNamesLine3(f, assertThrows(IOException.class, () -> reader.read(CorpusOptions.defaults())));
    }

    @Test
    void flores() throws IOException {
        Files.writeString(tmp.resolve("eng_Latn.devtest"), "one\ntwo\nthree\n");
        Path f = Files.write(tmp.resolve("fra_Latn.devtest"), withLatin1OnLine3("un", "deux", "trois caf", "", ""));
        assertNamesLine3(f, assertThrows(IOException.class, () -> new FloresReader(tmp).read(CorpusOptions.defaults())));
    }

    @Test
    void xstorycloze() throws IOException {
        String story = "{\"story_id\": \"s%d\", \"input_sentence_1\": \"a\", \"input_sentence_2\": \"b\", \"input_sentence_3\": \"c\", "
                + "\"input_sentence_4\": \"d\", \"sentence_quiz1\": \"e\", \"sentence_quiz2\": \"f\", \"answer_right_ending\": 1}";
        Path f = Files.write(tmp.resolve("en_eval.jsonl"), withLatin1OnLine3(String.format(story, 1), String.format(story, 2),
                String.format(story, 3).replace("\"d\"", "\"caf"), "\"", ""));
        assertNamesLine3(f, assertThrows(IOException.class, () -> new XStoryClozeReader(tmp).read(CorpusOptions.defaults())));
    }

    @Test
    void bibleXml() throws IOException {
        Path f = Files.write(tmp.resolve("A.xml"), withLatin1OnLine3("<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<cesDoc><cesHeader><profileDesc><langUsage><language id=\"x\" iso639=\"aaa\">X</language></langUsage></profileDesc></cesHeader><text><body>",
                "<seg id=\"b.MAT.1.1\" type=\"verse\">caf", "</seg>", "</body></text></cesDoc>\n"));
        IOException e = assertThrows(IOException.class, () -> new BibleXmlReader(tmp, Map.of()).read(CorpusOptions.defaults()));
        // the XML parser decodes (the declaration may name another encoding) and reports where
        assertTrue(e.getMessage().startsWith(f + ":3: not well-formed XML") && e.getMessage().contains("UTF-8 sequence"), e.getMessage());
    }
}
