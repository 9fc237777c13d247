package io.linguaflow.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.eval.XStoryCloze;
import io.linguaflow.worker.runtime.MultipleChoice.Question;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** XStoryCloze scoring equals a brute-force sum of token log-probabilities taken from full-vocabulary logits. */
class MultipleChoiceTest {

    @ParameterizedTest
    @ValueSource(strings = {"bloom-tiny", "llama-tiny"})
    void scoresEqualBruteForceFromFullLogits(String name) throws Exception {
        List<Question> qs = new ArrayList<>();
        // brute force costs one forward pass per continuation token: a few English stories keep it fast
        qs.addAll(XStoryCloze.read(SharedData.data().resolve("xstorycloze").resolve("en_eval.jsonl")).subList(0, 3));
        try (LanguageModel m = LanguageModel.load(Fixtures.model(name), Device.cpu())) {
            double[][] got = MultipleChoice.logLikelihoods(m, qs, Ablation.none());
            double max = 0;
            for (int q = 0; q < qs.size(); q++) {
                for (int c = 0; c < 2; c++) {
                    long[] ctx = m.tokenizer().encodeWithoutSpecialTokens(qs.get(q).context());
                    long[] whole = m.tokenizer().encodeWithoutSpecialTokens(qs.get(q).context() + " " + qs.get(q).choices().get(c));
                    assertArrayEquals(ctx, Arrays.copyOf(whole, ctx.length), "context tokens are a prefix here");
                    // brute force: log p(whole[p] | whole[0..p)) from the full logits of every prefix
                    List<long[]> prefixes = new ArrayList<>();
                    for (int p = ctx.length; p < whole.length; p++) {
                        prefixes.add(Arrays.copyOf(whole, p));
                    }
                    List<float[]> logits = m.lastTokenLogits(prefixes);
                    double ll = 0;
                    for (int j = 0; j < prefixes.size(); j++) {
                        ll += logSoftmax(logits.get(j), (int) whole[ctx.length + j]);
                    }
                    max = Math.max(max, Math.abs(ll - got[q][c]));
                    assertTrue(got[q][c] < 0);
                }
            }
            FixtureParityTest.report(name, "XStoryCloze log-likelihood vs brute force, max |diff|", max);
            assertTrue(max <= 1e-4, "max diff " + max);
        }
    }

    private static double logSoftmax(float[] logits, int target) {
        double mx = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            mx = Math.max(mx, x);
        }
        double s = 0;
        for (float x : logits) {
            s += Math.exp(x - mx);
        }
        return logits[target] - mx - Math.log(s);
    }

    @Test
    void harnessEncodingMovesTrailingSpacesAndAccuracyTakesTheArgmax() throws Exception {
        try (LanguageModel m = LanguageModel.load(Fixtures.model("bloom-tiny"), Device.cpu())) {
            MultipleChoice.Pair p = MultipleChoice.encodePair(m, "The weather is ", "nice today.");
            MultipleChoice.Pair q = MultipleChoice.encodePair(m, "The weather is", " nice today.");
            assertArrayEquals(q.context(), p.context());
            assertArrayEquals(q.continuation(), p.continuation());
        }
        List<Question> qs = List.of(new Question("1", "a", List.of("x", "y"), 1), new Question("2", "b", List.of("x", "y"), 0),
                new Question("3", "c", List.of("x", "y"), 0));
        assertEquals(2.0 / 3, MultipleChoice.accuracy(qs, new double[][] {{-2, -1}, {-1, -3}, {-5, -4}}), 1e-12);
    }
}
