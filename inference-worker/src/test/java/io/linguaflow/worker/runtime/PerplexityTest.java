package io.linguaflow.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.linguaflow.worker.Fixtures;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Token-weighted perplexity with non-overlapping context windows, against a window-by-window brute force. */
class PerplexityTest {

    @Test
    void windowsAreNonOverlappingAndKeepTheRemainder() {
        long[] ids = new long[11];
        Arrays.setAll(ids, i -> i);
        List<long[]> w = Perplexity.windows(ids, 4);
        assertEquals(3, w.size());
        assertArrayEquals(new long[] {0, 1, 2, 3}, w.get(0));
        assertArrayEquals(new long[] {4, 5, 6, 7}, w.get(1));
        assertArrayEquals(new long[] {8, 9, 10}, w.get(2));
        assertThrows(IllegalArgumentException.class, () -> Perplexity.windows(ids, 1));
    }

    @Test
    void longTextsAreScoredWindowByWindow() throws Exception {
        List<String> texts = Fixtures.texts(Fixtures.corpus());
        String longText = String.join(" ", texts.subList(0, 160)); // > 2 windows of llama-tiny's 512 positions
        String shortText = texts.get(3);
        try (LanguageModel m = LanguageModel.load(Fixtures.model("llama-tiny"), Device.cpu())) {
            int window = m.config().contextLength();
            long[] ids = m.tokenizer().encode(longText);
            assertTrue(ids.length > 2 * window, "only " + ids.length + " tokens");
            List<long[]> pieces = Perplexity.windows(ids, window);
            double sum = 0;
            long count = 0;
            for (double[] nll : m.tokenNll(pieces, Ablation.none())) {
                for (double x : nll) {
                    sum += x;
                }
                count += nll.length;
            }
            double[] shortNll = m.tokenNll(List.of(m.tokenizer().encode(shortText)), Ablation.none()).get(0);
            double shortSum = Arrays.stream(shortNll).sum();

            Map<String, Perplexity.Totals> t = Perplexity.totals(m, List.of(longText, shortText, shortText),
                    List.of("a", "b", "b"), Ablation.none());
            assertEquals(List.of("a", "b"), List.copyOf(t.keySet()));
            assertEquals(ids.length - pieces.size(), t.get("a").predicted(), "each window predicts all but its first");
            assertEquals(count, t.get("a").predicted());
            assertEquals(sum, t.get("a").nllSum(), 1e-6 * count);
            assertEquals(2L * shortNll.length, t.get("b").predicted());
            assertEquals(Math.exp(shortSum / shortNll.length), t.get("b").perplexity(), 1e-5 * t.get("b").perplexity()); // padded with the long windows
        }
    }
}
