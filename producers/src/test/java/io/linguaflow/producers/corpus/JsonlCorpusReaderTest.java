package io.linguaflow.producers.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.producers.Rejection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlCorpusReaderTest {

    @TempDir
    Path tmp;

    @Test
    void languageFieldAndRowErrors() throws IOException {
        Path f = tmp.resolve("mixed.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"uid\": 7, \"language\": \"en\", \"body\": \" seven \"}",
                "{\"uid\": 7, \"language\": \"fr\", \"body\": \"sept\"}",
                "{\"uid\": 8, \"language\": \"en\", \"body\": \"eight\"",
                "[1, 2]",
                "{\"uid\": 9, \"language\": \"fr\"}",
                "{\"uid\": 10, \"language\": \"fr\", \"body\": {\"nested\": true}}",
                "",
                "{\"uid\": \"11\", \"language\": \"en\", \"body\": \"eleven\"}",
                "{\"uid\": \"11\", \"language\": \"fr\", \"body\": \"onze\"}") + "\n");
        var reader = new JsonlCorpusReader("mixed", List.of(new JsonlCorpusReader.Source(f, null)),
                new JsonlCorpusReader.Fields("uid", "language", List.of("body")));
        CorpusResult r = reader.read(CorpusOptions.defaults());
        assertEquals(List.of("en|7|seven", "fr|7|sept", "en|11|eleven", "fr|11|onze"),
                r.sentences().stream().map(s -> s.getLang() + "|" + s.getMeaningId() + "|" + s.getText()).toList());
        assertEquals(List.of(f + ":3", f + ":4", f + ":5", f + ":6"), r.rejected().stream().map(Rejection::input).toList());
        assertTrue(r.rejected().get(0).error().contains("not a JSON object"), r.rejected().get(0).error());
        assertTrue(r.rejected().get(1).error().endsWith("not a JSON object"));
        assertTrue(r.rejected().get(2).error().endsWith("field 'body' is missing"));
        assertTrue(r.rejected().get(3).error().contains("field 'body' is not a string or number"));
        assertEquals(f + ":9", r.sentences().get(3).getSource());
    }

    @Test
    void xlsumStyleFixedLanguagePerFileKeepsUnalignedText() throws IOException {
        Path en = tmp.resolve("english_test.jsonl");
        Path fr = tmp.resolve("french_test.jsonl");
        Files.writeString(en, "{\"id\": \"e1\", \"text\": \"A.\"}\n{\"id\": \"e2\", \"text\": \"B.\"}\n");
        Files.writeString(fr, "{\"id\": \"f1\", \"text\": \"C.\"}\n");
        var reader = new JsonlCorpusReader("xlsum", List.of(new JsonlCorpusReader.Source(en, "en"),
                new JsonlCorpusReader.Source(fr, "fr")), new JsonlCorpusReader.Fields("id", null, List.of("text")));
        CorpusResult r = reader.read(CorpusOptions.defaults().withIncomplete(IncompletePolicy.KEEP).withLimit(1));
        assertEquals(List.of("en|e1", "fr|f1"), r.sentences().stream().map(s -> s.getLang() + "|" + s.getMeaningId()).toList());
        assertEquals(3, r.incomplete().size());
        assertTrue(reader.read(CorpusOptions.defaults()).sentences().isEmpty(), "nothing is parallel: DROP leaves nothing");
    }

    @Test
    void labelFieldIsAStringSplitAtTheSeparatorOrAnArrayOfStrings() throws IOException {
        Path f = tmp.resolve("labelled.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"id\": 1, \"lang\": \"en\", \"text\": \"one\", \"topic\": \"science; health\"}",
                "{\"id\": 1, \"lang\": \"fr\", \"text\": \"un\", \"topic\": [\"science\", \"health\"]}",
                "{\"id\": 2, \"lang\": \"en\", \"text\": \"two\"}",
                "{\"id\": 2, \"lang\": \"fr\", \"text\": \"deux\", \"topic\": [1]}",
                "{\"id\": 3, \"lang\": \"en\", \"text\": \"three\", \"topic\": \"\"}",
                "{\"id\": 3, \"lang\": \"fr\", \"text\": \"trois\", \"topic\": []}") + "\n");
        var reader = new JsonlCorpusReader("labelled", List.of(new JsonlCorpusReader.Source(f, null)),
                new JsonlCorpusReader.Fields("id", "lang", List.of("text"), new LabelColumn("topic", ";")));
        CorpusResult r = reader.read(CorpusOptions.defaults().withIncomplete(IncompletePolicy.KEEP));
        assertEquals(List.of("en|1|[science, health]", "fr|1|[science, health]", "en|3|[]", "fr|3|[]"), r.sentences().stream()
                .map(s -> s.getLang() + "|" + s.getMeaningId() + "|" + s.getConcepts()).toList());
        assertEquals(List.of(f + ":3", f + ":4"), r.rejected().stream().map(Rejection::input).toList());
        assertTrue(r.rejected().get(0).error().endsWith("field 'topic' is missing"), r.rejected().get(0).error());
        assertTrue(r.rejected().get(1).error().contains("field 'topic' is not a string or an array of strings"),
                r.rejected().get(1).error());
    }

    @Test
    void needsALanguage() {
        assertThrows(IllegalArgumentException.class, () -> new JsonlCorpusReader("x",
                List.of(new JsonlCorpusReader.Source(tmp.resolve("a.jsonl"), null)),
                new JsonlCorpusReader.Fields("id", null, List.of("text"))));
    }
}
