package io.linguaflow.worker.runtime;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.worker.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void smoke() throws Exception {
        for (String name : Fixtures.MODELS) {
            List<Fixtures.Row> rows = Fixtures.corpus();
            JsonNode ref = Fixtures.json(Fixtures.reference(name).resolve("reference.json"));
            long t0 = System.nanoTime();
            try (LanguageModel m = LanguageModel.load(Fixtures.model(name), Device.cpu());
                 Npy means = Npy.open(Fixtures.reference(name).resolve("layer_means.npy"))) {
                long t1 = System.nanoTime();
                List<SampleActivations> acts = m.activations(Fixtures.texts(rows), Ablation.none(), true);
                long t2 = System.nanoTime();
                double maxMean = 0, maxNll = 0; int idMismatch = 0;
                int L = m.config().numLayers(), D = m.config().intermediateSize();
                for (int i = 0; i < rows.size(); i++) {
                    JsonNode s = ref.get("samples").get(i);
                    long[] ids = acts.get(i).inputIds();
                    boolean same = ids.length == s.get("input_ids").size();
                    for (int k = 0; same && k < ids.length; k++) same = ids[k] == s.get("input_ids").get(k).asLong();
                    if (!same) idMismatch++;
                    double[] r = means.row(i);
                    for (int l = 0; l < L; l++) for (int d = 0; d < D; d++)
                        maxMean = Math.max(maxMean, Math.abs(r[l * D + d] - acts.get(i).layerMeans()[l][d]));
                    maxNll = Math.max(maxNll, Math.abs(s.get("mean_nll").asDouble() - acts.get(i).meanNll()));
                }
                System.out.printf("%s load %.2fs run %.2fs idMismatch %d maxMean %.3g maxNll %.3g threads %d%n", name,
                        (t1 - t0) / 1e9, (t2 - t1) / 1e9, idMismatch, maxMean, maxNll, LanguageModel.threads());
            }
        }
    }
}
