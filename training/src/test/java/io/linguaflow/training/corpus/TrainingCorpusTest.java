package io.linguaflow.training.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCorpusTest {

    @TempDir
    Path tmp;

    @Test
    void readsTheBundledCorpusMeaningByMeaning() throws Exception {
        TrainingCorpus c = TrainingCorpus.bundled();
        assertEquals(List.of("en", "zh", "fr", "es", "pt", "ar", "vi", "hi", "id"), c.languages());
        TrainingCorpus.Meaning first = c.meanings().get(0);
        assertEquals(List.copyOf(c.languages()), List.copyOf(first.texts().keySet()));
        assertEquals(c.meanings().size() * 9, c.texts().size());
    }

    @Test
    void topicIsOptionalAndTheCopyHasAllFourColumns() throws Exception {
        Path f = Files.writeString(tmp.resolve("c.tsv"), "lang\tid\ttext\nen\ta\tHello.\nfr\ta\tBonjour.\n"
                + "fr\tb\tMerci.\nen\tb\tThanks.\n");
        TrainingCorpus c = TrainingCorpus.read(f);
        assertEquals(List.of("Hello.", "Bonjour.", "Thanks.", "Merci."), c.texts());
        c.write(tmp.resolve("copy.tsv"));
        // language by language, so the analysis' similarity map has one block per language
        assertEquals(List.of("id\tlang\ttopic\ttext", "a\ten\t\tHello.", "b\ten\t\tThanks.", "a\tfr\t\tBonjour.",
                "b\tfr\t\tMerci."), Files.readAllLines(tmp.resolve("copy.tsv")));
    }

    @Test
    void rejectsAMeaningWithoutEveryLanguage() throws Exception {
        Path f = Files.writeString(tmp.resolve("gaps.tsv"), "id\tlang\ttopic\ttext\n"
                + "a\ten\tx\tHello.\na\tfr\tx\tBonjour.\na\tzh\tx\t你好。\n"
                + "b\ten\tx\tThanks.\n");
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingCorpus.read(f));
        assertEquals(f + " line 5: meaning 'b' has no translation in fr, zh (every meaning needs all 3 languages: "
                + "en fr zh)", e.getMessage());
    }

    @Test
    void rejectsATextGivenTwice() throws Exception {
        Path f = Files.writeString(tmp.resolve("twice.tsv"), "id\tlang\ttext\na\ten\tHi.\na\ten\tHello.\n");
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingCorpus.read(f));
        assertEquals(f + " line 3: meaning 'a' has a second en text", e.getMessage());
    }
}
