package io.linguaflow.producers.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.schemas.avro.Sentence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FloresReaderTest {

    @TempDir
    Path tmp;

    @Test
    void first60MeaningsAreTheAnalysisCorpus() throws IOException {
        Path dir = SharedData.data().resolve("flores200-devtest");
        CorpusResult flores = new FloresReader(dir).read(CorpusOptions.defaults().withLimit(60));
        CorpusResult tsv = new TsvCorpusReader(SharedData.fixtures().resolve("checkpoints/analysis-corpus.tsv"))
                .read(CorpusOptions.defaults());
        assertEquals("flores200-devtest.s60", flores.corpus(), "the selection is part of the default name");
        assertEquals(List.of("en", "zh", "fr", "es", "pt", "ar", "vi", "hi", "id"), flores.languages());
        assertEquals(540, flores.sentences().size());
        // Same meaning ids, languages, texts (FLORES' trailing spaces and no-break spaces stripped) and order.
        for (int i = 0; i < 540; i++) {
            Sentence a = flores.sentences().get(i);
            Sentence b = tsv.sentences().get(i);
            assertEquals(b.getMeaningId() + "|" + b.getLang() + "|" + b.getText(),
                    a.getMeaningId() + "|" + a.getLang() + "|" + a.getText(), "sample " + i);
            assertEquals(i, a.getIndex());
            assertEquals(540, a.getCorpusSize());
        }
        assertEquals(dir.resolve("eng_Latn.devtest") + ":1", flores.sentences().get(0).getSource());
    }

    @Test
    void allSentencesAgreeWithFlores9Table() throws IOException {
        Path dir = SharedData.data().resolve("flores200-devtest");
        CorpusResult flores = new FloresReader(dir).read(CorpusOptions.defaults());
        assertEquals(9 * 1012, flores.sentences().size());
        assertTrue(flores.rejected().isEmpty() && flores.incomplete().isEmpty());
        Map<String, String> table = new HashMap<>();
        for (Sentence s : new TsvCorpusReader(dir.resolve("flores9.tsv")).read(CorpusOptions.defaults()).sentences()) {
            table.put(Integer.parseInt(s.getMeaningId().substring("devtest-".length())) + "|" + s.getLang(), s.getText());
        }
        for (Sentence s : flores.sentences()) {
            assertEquals(table.get(s.getMeaningId() + "|" + s.getLang()), s.getText(), s.getSource());
        }
    }

    @Test
    void explicitMappingAndSubsetOrder() throws IOException {
        Path dir = SharedData.data().resolve("flores200-devtest");
        CorpusResult r = new FloresReader(dir, "devtest", Map.of("eng_Latn", "eng"))
                .read(CorpusOptions.defaults().withLanguages(List.of("fr", "eng")).withLimit(2).withCorpus("f"));
        assertEquals(List.of("fr|1", "fr|2", "eng|1", "eng|2"),
                r.sentences().stream().map(s -> s.getLang() + "|" + s.getMeaningId()).toList());
        assertEquals("f|eng|1", CorpusResult.key(r.sentences().get(2)));
    }

    @Test
    void misalignedFilesReportMissingMeanings() throws IOException {
        Files.writeString(tmp.resolve("eng_Latn.devtest"), "one\ntwo\nthree\n");
        Files.writeString(tmp.resolve("fra_Latn.devtest"), "un\n\u00a0\ntrois\n");
        Files.writeString(tmp.resolve("deu_Latn.devtest"), "eins\nzwei\n");
        Files.writeString(tmp.resolve("notes.txt"), "ignored");
        CorpusResult r = new FloresReader(tmp).read(CorpusOptions.defaults());
        // order: paper languages first (en, fr), then unmapped codes alphabetically
        assertEquals(List.of("en", "fr", "deu_Latn"), r.languages());
        assertEquals(1, r.rejected().size());
        assertEquals("EmptyText", r.rejected().get(0).errorClass());
        assertEquals(tmp.resolve("fra_Latn.devtest") + ":2", r.rejected().get(0).input());
        assertEquals(List.of(new IncompleteMeaning("2", List.of("fr"), true),
                new IncompleteMeaning("3", List.of("deu_Latn"), true)), r.incomplete());
        assertEquals(List.of("en|1", "fr|1", "deu_Latn|1"),
                r.sentences().stream().map(s -> s.getLang() + "|" + s.getMeaningId()).toList());
    }

    @Test
    void noFilesIsAnError() {
        IOException e = assertThrows(IOException.class, () -> new FloresReader(tmp).read(CorpusOptions.defaults()));
        assertTrue(e.getMessage().contains("no *.devtest files"), e.getMessage());
    }
}
