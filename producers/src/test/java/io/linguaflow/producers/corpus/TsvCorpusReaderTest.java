package io.linguaflow.producers.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.producers.Rejection;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.Sentence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsvCorpusReaderTest {

    @TempDir
    Path tmp;

    private Path tsv(String... lines) throws IOException {
        Path f = tmp.resolve("small.tsv");
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    private static CorpusResult read(Path f, CorpusOptions o) throws IOException {
        return new TsvCorpusReader(f).read(o);
    }

    @Test
    void referenceCorpusInRowOrder() throws IOException {
        Path f = SharedData.fixtures().resolve("corpus.tsv");
        CorpusResult r = read(f, CorpusOptions.defaults());
        List<String> langs = List.of("en", "fr", "es", "pt", "zh", "ar", "hi", "id", "vi");
        assertEquals(langs, r.languages());
        assertEquals(450, r.sentences().size());
        assertTrue(r.rejected().isEmpty());
        assertTrue(r.incomplete().isEmpty());
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < 450; i++) {
            Sentence s = r.sentences().get(i);
            // fixtures/README.md: sample i = language i // 50, meaning i % 50 + 1
            assertEquals(langs.get(i / 50), s.getLang());
            assertEquals(String.format("s%02d", i % 50 + 1), s.getMeaningId());
            assertEquals(i, s.getIndex());
            assertEquals(450, s.getCorpusSize());
            assertEquals("corpus", s.getCorpus());
            assertEquals(lines.get(i + 1).split("\t")[2], s.getText());
            assertEquals(f + ":" + (i + 2), s.getSource());
        }
        assertEquals("corpus|en|s01", CorpusResult.key(r.sentences().get(0)));
    }

    /** The training module's bundled corpus: 120 meanings x 9 languages with a {@code topic} column. */
    static final Path EVERYDAY9 = Path.of("../training/src/main/resources/io/linguaflow/training/corpus/everyday9.tsv");

    @Test
    void labelColumnGivesEachRowItsConceptsAsTheExpertsCommandReadsThem() throws IOException {
        CorpusResult r = new TsvCorpusReader(EVERYDAY9, new LabelColumn("topic", null)).read(CorpusOptions.defaults());
        // the batch command's reading of the same column (analysis CorpusTsv), row by row
        List<String> topics = io.linguaflow.analysis.corpus.CorpusTsv.readColumn(EVERYDAY9, "topic");
        assertEquals(1080, r.sentences().size());
        assertEquals(topics.size(), r.sentences().size());
        for (int i = 0; i < topics.size(); i++) {
            assertEquals(List.of(topics.get(i)), r.sentences().get(i).getConcepts(), "row " + i);
        }
        assertEquals(List.of("food"), r.sentences().get(0).getConcepts());
        // without the option the rows carry no concepts
        assertEquals(null, read(EVERYDAY9, CorpusOptions.defaults()).sentences().get(0).getConcepts());
    }

    @Test
    void labelSeparatorSplitsACellAndAnEmptyCellHasNoConcept() throws IOException {
        Path f = tsv("id\tlang\ttopics\ttext", "1\ten\tscience, health\tone", "1\tfr\tscience,health,science\tun",
                "2\ten\t\ttwo", "2\tfr\t , \tdeux");
        CorpusResult r = new TsvCorpusReader(f, new LabelColumn("topics", ",")).read(CorpusOptions.defaults());
        assertEquals(List.of(List.of("science", "health"), List.of("science", "health"), List.of(), List.of()),
                r.sentences().stream().map(Sentence::getConcepts).toList());
        // without a separator a cell is one concept, commas and all
        CorpusResult whole = new TsvCorpusReader(f, new LabelColumn("topics", null)).read(CorpusOptions.defaults());
        assertEquals(List.of("science, health"), whole.sentences().get(0).getConcepts());
    }

    @Test
    void aMissingLabelColumnOrASingleConceptIsAnErrorNamingTheFile() throws IOException {
        Path f = tsv("id\tlang\ttopic\ttext", "1\ten\tfood\tone", "1\tfr\tfood\tun");
        IOException missing = assertThrows(IOException.class,
                () -> new TsvCorpusReader(f, new LabelColumn("domain", null)).read(CorpusOptions.defaults()));
        assertTrue(missing.getMessage().startsWith(f + ":1: no label column 'domain' in the header [id, lang, topic, text]"),
                missing.getMessage());
        IOException one = assertThrows(IOException.class,
                () -> new TsvCorpusReader(f, new LabelColumn("topic", null)).read(CorpusOptions.defaults()));
        assertTrue(one.getMessage().startsWith(f + " label column 'topic': the labels name 1 concept(s) [food]; experts need at least 2"),
                one.getMessage());
    }

    @Test
    void quotesAreOrdinaryText() throws IOException {
        Path f = SharedData.fixtures().resolve("checkpoints/analysis-corpus.tsv");
        CorpusResult r = read(f, CorpusOptions.defaults().withCorpus("analysis"));
        assertEquals(540, r.sentences().size());
        assertTrue(r.rejected().isEmpty());
        Sentence first = r.sentences().get(0);
        assertEquals("\"We now have 4-month-old mice that are non-diabetic that used to be diabetic,\" he added.",
                first.getText());
        assertEquals("analysis|en|1", CorpusResult.key(first));
        assertEquals(60, r.sentences().stream().filter(s -> s.getLang().equals("zh")).count());
    }

    @Test
    void flores9TableHasSentenceIdHeader() throws IOException {
        CorpusResult r = read(SharedData.data().resolve("flores200-devtest/flores9.tsv"), CorpusOptions.defaults());
        assertEquals(9 * 1012, r.sentences().size());
        assertEquals(Set.of("en", "zh", "fr", "es", "pt", "ar", "vi", "hi", "id"), Set.copyOf(r.languages()));
        assertEquals("devtest-0001", r.sentences().get(0).getMeaningId());
        assertTrue(r.rejected().isEmpty());
    }

    @Test
    void tabInsideTextRejectsThatRowOnly() throws IOException {
        Path f = tsv("id\tlang\ttext", "1\ten\tone", "1\tfr\tun\tdeux", "2\ten\ttwo", "2\tfr\tdeux");
        CorpusResult r = read(f, CorpusOptions.defaults().withIncomplete(IncompletePolicy.KEEP));
        assertEquals(1, r.rejected().size());
        Rejection rej = r.rejected().get(0);
        assertEquals(f + ":3", rej.input());
        assertEquals("MalformedRow", rej.errorClass());
        assertTrue(rej.error().contains("expected 3 tab-separated fields") && rej.error().contains("found 4")
                && rej.error().contains("a tab inside the text"), rej.error());
        assertEquals("1\tfr\tun\tdeux", rej.rawValue());
        assertEquals(3, r.sentences().size());
        assertEquals(List.of(new IncompleteMeaning("1", List.of("fr"), false)), r.incomplete());
    }

    @Test
    void rowProblemsAreRejectedWithFileAndLine() throws IOException {
        String big = "x".repeat(101);
        Path f = tsv("id\tlang\ttext",
                "1\ten\tone", "1\tfr\tun",
                "2\ten\t  ", "2\tfr\tdeux",          // empty text (after stripping)
                "3\ten\tthree", "3\tde\tdrei",       // unknown language
                "4\ten\tfour", "4\tfr\tquatre", "4\tfr\tquatre bis",  // duplicate
                "5\ten\t" + big, "5\tfr\tcinq",      // oversize
                "a|b\ten\tpipe");                   // '|' would break the record key
        CorpusResult r = read(f, CorpusOptions.defaults().withKnownLanguages(Set.of("en", "fr")).withMaxTextBytes(100));
        List<String> classes = r.rejected().stream().map(Rejection::errorClass).toList();
        assertEquals(List.of("EmptyText", "UnknownLanguage", "DuplicateMeaning", "OversizeText", "MalformedRow"), classes);
        assertEquals(f + ":4", r.rejected().get(0).input());
        assertTrue(r.rejected().get(1).error().contains("unknown language code 'de' (known: [en, fr])"));
        assertTrue(r.rejected().get(2).error().startsWith(f + ":10: duplicate (meaning '4', language 'fr'): first given at "
                + f + ":9"), r.rejected().get(2).error());
        assertTrue(r.rejected().get(3).error().contains("has 101 UTF-8 bytes, more than the maximum 100"));
        assertTrue(r.rejected().get(4).error().contains("meaning id 'a|b'"));
        // meanings 2, 3, 5 lost a language: dropped; 1 and 4 stay, renumbered in corpus order
        assertEquals(List.of("2", "3", "5"), r.incomplete().stream().map(IncompleteMeaning::meaningId).toList());
        assertEquals(List.of("en|1", "fr|1", "en|4", "fr|4"),
                r.sentences().stream().map(s -> s.getLang() + "|" + s.getMeaningId()).toList());
        assertEquals(List.of(0, 1, 2, 3), r.sentences().stream().map(Sentence::getIndex).toList());
        assertTrue(r.sentences().stream().allMatch(s -> s.getCorpusSize() == 4));
        assertEquals(f + ":9", r.sentences().get(3).getSource());

        DeadLetter dl = r.rejected().get(2).toDeadLetter(Instant.ofEpochMilli(42));
        assertEquals("producer", dl.getComponent());
        assertEquals("DuplicateMeaning", dl.getErrorClass());
        assertEquals("small|fr|4", StandardCharsets.UTF_8.decode(dl.getKey()).toString());
        assertEquals("4\tfr\tquatre bis", StandardCharsets.UTF_8.decode(dl.getValue()).toString());
        assertEquals(Instant.ofEpochMilli(42), dl.getFailedAt());
    }

    @Test
    void malformedCodeWithoutKnownSet() throws IOException {
        Path f = tsv("id\tlang\ttext", "1\tEnglish\tone", "1\ten\tone");
        CorpusResult r = read(f, CorpusOptions.defaults());
        assertEquals("UnknownLanguage", r.rejected().get(0).errorClass());
        assertTrue(r.rejected().get(0).error().contains("unknown language code 'English'"));
        assertEquals(1, r.sentences().size());
    }

    @Test
    void subsetLimitAndPolicies() throws IOException {
        Path f = tsv("id\tlang\ttext",
                "1\ten\ta", "2\ten\tb", "3\ten\tc", "4\ten\td",
                "1\tfr\tA", "3\tfr\tC", "4\tfr\tD",
                "1\tzh\t甲", "2\tzh\t乙", "3\tzh\t丙", "4\tzh\t丁");
        CorpusResult all = read(f, CorpusOptions.defaults());
        assertEquals(List.of(new IncompleteMeaning("2", List.of("fr"), true)), all.incomplete());
        assertEquals(9, all.sentences().size());

        CorpusResult limited = read(f, CorpusOptions.defaults().withLimit(2).withLanguages(List.of("zh", "en")));
        // subset {zh, en}: meaning 2 is complete there; first 2 meanings per language; corpus order kept
        assertEquals(List.of("en|1", "en|2", "zh|1", "zh|2"),
                limited.sentences().stream().map(s -> s.getLang() + "|" + s.getMeaningId()).toList());
        assertEquals(List.of("zh", "en"), limited.languages());
        assertTrue(limited.incomplete().isEmpty());

        CorpusResult kept = read(f, CorpusOptions.defaults().withIncomplete(IncompletePolicy.KEEP).withLimit(2));
        assertEquals(List.of("en|1", "en|2", "fr|1", "fr|3", "zh|1", "zh|2"),
                kept.sentences().stream().map(s -> s.getLang() + "|" + s.getMeaningId()).toList());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read(f, CorpusOptions.defaults().withLanguages(List.of("en", "de"))));
        assertTrue(e.getMessage().contains("no valid row in the requested language(s) [de]"), e.getMessage());
    }

    @Test
    void rowsOutsideTheSubsetAreNotJudged() throws IOException {
        Path f = tsv("id\tlang\ttext", "1\ten\ta", "1\tfr\t", "1\tfr\tA", "1\tfr\tB", "1\txx-\tbad code");
        CorpusResult en = read(f, CorpusOptions.defaults().withLanguages(List.of("en")));
        assertEquals(1, en.sentences().size());
        // the empty and the duplicate French rows do not matter for an English-only corpus; a malformed code does
        assertEquals(List.of("UnknownLanguage"), en.rejected().stream().map(Rejection::errorClass).toList());
        CorpusResult all = read(f, CorpusOptions.defaults());
        assertEquals(List.of("EmptyText", "DuplicateMeaning", "UnknownLanguage"),
                all.rejected().stream().map(Rejection::errorClass).toList());
        assertEquals(2, all.sentences().size());
    }

    @Test
    void unreadableInputsNameTheFile() throws IOException {
        Path noHeader = tsv("1\ten\tone");
        IOException e = assertThrows(IOException.class, () -> read(noHeader, CorpusOptions.defaults()));
        assertTrue(e.getMessage().startsWith(noHeader + ":1: header"), e.getMessage());

        Path bad = tmp.resolve("latin1.tsv");
        Files.write(bad, "id\tlang\ttext\n1\ten\tcaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        e = assertThrows(IOException.class, () -> read(bad, CorpusOptions.defaults()));
        assertTrue(e.getMessage().startsWith(bad + ":2: not valid UTF-8"), e.getMessage());

        Path missing = tmp.resolve("nope.tsv");
        assertThrows(IOException.class, () -> read(missing, CorpusOptions.defaults()));
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> CorpusOptions.defaults().withLimit(0));
        assertThrows(IllegalArgumentException.class, () -> CorpusOptions.defaults().withLanguages(List.of("en", "en")));
        assertThrows(IllegalArgumentException.class, () -> CorpusOptions.defaults().withCorpus("a|b"));
        assertThrows(IllegalArgumentException.class, () -> CorpusOptions.defaults()
                .withKnownLanguages(Set.of("en")).withLanguages(List.of("fr")));
    }
}
