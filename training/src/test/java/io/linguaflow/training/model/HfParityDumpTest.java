package io.linguaflow.training.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.training.corpus.TrainingCorpus;
import io.linguaflow.worker.runtime.LanguageModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Input of the manual HF parity check ({@code src/test/python/hf_parity.py}, see docs/training.md): with
 * {@code -Dlinguaflow.hfParity=OUT/step-N}, writes the worker's token ids and last-token logits for the first 3
 * meanings of {@code OUT/corpus.tsv} to {@code OUT/java_logits.json}. Skipped otherwise.
 */
class HfParityDumpTest {

    @Test
    void dumpsWorkerLogits() throws Exception {
        String property = System.getProperty("linguaflow.hfParity");
        assumeTrue(property != null, "manual check: set -Dlinguaflow.hfParity=OUT/step-N");
        Path dir = Path.of(property);
        List<String> texts = TrainingCorpus.read(dir.resolveSibling("corpus.tsv")).texts();
        texts = texts.subList(0, Math.min(27, texts.size()));
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        try (LanguageModel m = LanguageModel.load(dir, Device.cpu())) {
            List<long[]> ids = m.encode(texts);
            List<float[]> logits = m.lastTokenLogits(ids);
            ArrayNode t = root.putArray("texts");
            ArrayNode i = root.putArray("input_ids");
            ArrayNode l = root.putArray("last_token_logits");
            for (int k = 0; k < texts.size(); k++) {
                t.add(texts.get(k));
                ArrayNode row = i.addArray();
                for (long id : ids.get(k)) {
                    row.add(id);
                }
                ArrayNode lr = l.addArray();
                for (float v : logits.get(k)) {
                    lr.add(v);
                }
            }
        }
        json.writeValue(dir.resolveSibling("java_logits.json").toFile(), root);
    }
}
