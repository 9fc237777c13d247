package io.linguaflow.producers.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.schemas.avro.Sentence;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class XStoryClozeReaderTest {

    @Test
    void storiesAsPerLanguageText() throws IOException {
        Path dir = SharedData.data().resolve("xstorycloze");
        CorpusResult r = new XStoryClozeReader(dir).read(CorpusOptions.defaults());
        assertEquals(List.of("en", "zh", "es", "ar", "hi", "id"), r.languages());
        assertEquals(6 * 1511, r.sentences().size());
        assertTrue(r.rejected().isEmpty() && r.incomplete().isEmpty());
        Sentence first = r.sentences().get(0);
        assertEquals("fec30953-c68e-4d9d-9698-384bfe8fe857", first.getMeaningId());
        assertEquals("I became a Law and Order fan in 2011. I was recovering from a stroke. "
                + "When I got home I tried to watch every episode. It was hard trying to binge watch 20 Year's of a show.",
                first.getText());
        assertEquals("xstorycloze", first.getCorpus());
        assertEquals(dir.resolve("en_eval.jsonl") + ":1", first.getSource());
        // story ids align across languages
        for (int i = 0; i < 1511; i++) {
            assertEquals(r.sentences().get(i).getMeaningId(), r.sentences().get(5 * 1511 + i).getMeaningId());
        }
    }

    @Test
    void subsetAndLimit() throws IOException {
        CorpusResult r = new XStoryClozeReader(SharedData.data().resolve("xstorycloze"))
                .read(CorpusOptions.defaults().withLanguages(List.of("hi", "en")).withLimit(5));
        assertEquals(10, r.sentences().size());
        assertEquals("hi", r.sentences().get(0).getLang());
        assertEquals(r.sentences().get(0).getMeaningId(), r.sentences().get(5).getMeaningId());
    }
}
