package io.linguaflow.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.worker.Fixtures;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real training run ({@code fixtures/checkpoints/bloom-tiny-train/step-N}, hidden 128, trained weights) on
 * its FLORES analysis corpus: ids, layer means (first 8 neurons of every layer), last-token logits and mean NLL
 * equal HF's. Every third row (180 of 540, all languages; the full corpus is 46k tokens) keeps the suite fast.
 */
class TrainingCheckpointsTest {

    @ParameterizedTest
    @ValueSource(strings = {"step-800"})
    void matchesTheHfReference(String step) throws Exception {
        Path root = SharedData.fixtures().resolve("checkpoints");
        JsonNode samples = Fixtures.json(root.resolve("reference").resolve(step).resolve("reference.json")).get("samples");
        List<String> all = Fixtures.texts(Fixtures.corpus(root.resolve("analysis-corpus.tsv")));
        assertEquals(540, all.size());
        List<Integer> rows = java.util.stream.IntStream.range(0, all.size()).filter(i -> i % 3 == 0).boxed().toList();
        List<String> texts = rows.stream().map(all::get).toList();
        double maxMean = 0;
        double maxNll = 0;
        double maxLogit = 0;
        try (LanguageModel m = LanguageModel.load(root.resolve("bloom-tiny-train").resolve(step), Device.cpu())) {
            List<SampleActivations> a = m.activations(texts, Ablation.none(), true);
            List<float[]> logits = m.lastTokenLogits(a.stream().map(SampleActivations::inputIds).toList());
            for (int i = 0; i < texts.size(); i++) {
                JsonNode s = samples.get(rows.get(i));
                long[] ids = new long[s.get("input_ids").size()];
                for (int k = 0; k < ids.length; k++) {
                    ids[k] = s.get("input_ids").get(k).asLong();
                }
                assertArrayEquals(ids, a.get(i).inputIds(), step + " sample " + rows.get(i));
                for (int l = 0; l < 4; l++) {
                    for (int k = 0; k < 8; k++) {
                        maxMean = Math.max(maxMean, Math.abs(s.get("layer_means_first8").get(l).get(k).asDouble()
                                - a.get(i).layerMeans()[l][k]));
                    }
                }
                for (int k = 0; k < 8; k++) {
                    maxLogit = Math.max(maxLogit, Math.abs(s.get("last_token_logits_first8").get(k).asDouble()
                            - logits.get(i)[k]));
                }
                maxNll = Math.max(maxNll, Math.abs(s.get("mean_nll").asDouble() - a.get(i).meanNll()));
            }
        }
        FixtureParityTest.report("train " + step, "layer means (first 8 per layer) max |diff|", maxMean);
        FixtureParityTest.report("train " + step, "last-token logits[0..8] max |diff|", maxLogit);
        FixtureParityTest.report("train " + step, "mean NLL max |diff|", maxNll);
        assertTrue(maxMean <= 1e-5 && maxLogit <= 1e-4 && maxNll <= 1e-4, maxMean + " " + maxLogit + " " + maxNll);
    }
}
