package io.linguaflow.training.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.linguaflow.training.corpus.TrainingCorpus;
import io.linguaflow.worker.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTokenizerTest {

    @TempDir
    Path tmp;

    /** Every corpus sentence, plus text the corpus never shows (digits, other scripts, spacing). */
    @Test
    void hfTokenizersEncodeAndDecodeAsTheJavaEncoder() throws Exception {
        List<String> texts = new ArrayList<>(TrainingCorpus.bundled().texts());
        BpeTokenizer tok = BpeTrainer.train(texts, 400);
        assertTrue(tok.vocabSize() > 4 + 256 && tok.vocabSize() <= 4 + 256 + 400, "vocabulary " + tok.vocabSize());
        tok.write(tmp);
        texts.addAll(List.of("Room 42, 3.5 m²  —  ok?\n", "Привет, мир! 😀", "don't  stop\ttabs", " leading space"));
        try (TextTokenizer worker = TextTokenizer.load(tmp);
             HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(tmp.resolve(TextTokenizer.FILE), Map.of())) {
            for (String t : texts) {
                long[] java = Arrays.stream(tok.encode(t)).asLongStream().toArray();
                assertArrayEquals(java, worker.encode(t), t);
                assertEquals(t, hf.decode(java), "decode of " + t);
            }
        }
    }

    @Test
    void mergesDependOnlyOnTheTexts() throws Exception {
        List<String> texts = TrainingCorpus.bundled().texts();
        assertEquals(BpeTrainer.train(texts, 300).merges(), BpeTrainer.train(texts, 300).merges());
    }
}
