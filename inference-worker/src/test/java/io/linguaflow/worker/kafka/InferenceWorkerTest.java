package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.SampleActivations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * Two fixture checkpoints through a real broker and registry: every (checkpoint, sample, layer)
 * exactly once under read_committed, with the values HuggingFace computes ({@code reference/<model>/layer_means.npy}).
 */
class InferenceWorkerTest {

    /** bloom-tiny: the whole corpus; llama-tiny: the first rows (en, fr, es), enough for a second checkpoint. */
    private static final Map<String, Integer> SAMPLES = Map.of("bloom-tiny", 450, "llama-tiny", 150);
    private static final int PER_REQUEST = 25;

    @Test
    void everySampleAndLayerOnceWithTheReferenceValues() throws Exception {
        List<String> models = List.of("bloom-tiny", "llama-tiny");
        Topics topics = WorkerKit.freshTopics("happy", 2);
        // the two checkpoints' requests interleaved, as a planner working on both would send them
        List<List<InferenceRequest>> perModel = new ArrayList<>();
        for (String m : models) {
            perModel.add(WorkerKit.requests(m + "@0", Fixtures.model(m), 0, SAMPLES.get(m), PER_REQUEST));
        }
        List<InferenceRequest> all = new ArrayList<>();
        for (int i = 0; i < perModel.get(0).size(); i++) {
            for (List<InferenceRequest> rs : perModel) {
                if (i < rs.size()) {
                    all.add(rs.get(i));
                }
            }
        }
        WorkerKit.produce(topics, all);

        long t0 = System.nanoTime();
        InferenceWorker worker = new InferenceWorker(WorkerKit.settings(topics, "happy-1", 4, 1));
        Thread thread = new Thread(worker, "worker-happy");
        thread.start();
        int layers = 4;
        int expected = (SAMPLES.get("bloom-tiny") + SAMPLES.get("llama-tiny")) * layers;
        List<ConsumerRecord<String, ActivationRecord>> got = new ArrayList<>();
        try (KafkaConsumer<String, ActivationRecord> c = WorkerKit.activations(topics, "read_committed")) {
            assertTrue(WorkerKit.pollUntil(c, got, l -> l.size() >= expected, Duration.ofSeconds(90)),
                    "only " + got.size() + " of " + expected + " activation records within 90 s");
            double seconds = (System.nanoTime() - t0) / 1e9;
            WorkerKit.drain(c, got, Duration.ofSeconds(1)); // nothing more may follow
            System.out.printf("[kafka-worker] %d requests -> %d activation records in %.1f s%n", all.size(), got.size(), seconds);
        } finally {
            worker.stop();
            assertTrue(worker.awaitFinished(Duration.ofSeconds(30)), "worker did not stop");
        }
        assertEquals(expected, got.size(), "activation records");

        Map<String, ActivationRecord> byIdentity = new HashMap<>();
        for (ConsumerRecord<String, ActivationRecord> r : got) {
            ActivationRecord a = r.value();
            assertEquals(null, byIdentity.put(WorkerKit.identity(a), a), "duplicate " + WorkerKit.identity(a));
            assertEquals(Keys.activation(a.getCheckpointId(), a.getLayer()), r.key());
        }
        for (String m : models) {
            checkAgainstReference(m, byIdentity);
        }
    }

    private static void checkAgainstReference(String model, Map<String, ActivationRecord> byIdentity) throws Exception {
        JsonNode samples = Fixtures.json(Fixtures.reference(model).resolve("reference.json")).get("samples");
        double maxValue = 0;
        double maxNorm = 0;
        double maxNll = 0;
        try (Npy means = Npy.open(Fixtures.reference(model).resolve("layer_means.npy"));
             LanguageModel direct = LanguageModel.load(Fixtures.model(model), Device.cpu())) {
            int layers = (int) means.shape()[1];
            int d = (int) means.shape()[2];
            // positive counts have no HF reference: the record must carry exactly what the runtime counted
            List<SampleActivations> some = direct.activations(
                    List.of(WorkerKit.sample(0).getText(), WorkerKit.sample(149).getText()), Ablation.none(), false);
            for (int i = 0; i < SAMPLES.get(model); i++) {
                double[] want = means.row(i);
                double wholeSq = 0;
                for (double x : want) {
                    wholeSq += x * x;
                }
                String sampleId = WorkerKit.sample(i).getSampleId();
                for (int l = 0; l < layers; l++) {
                    ActivationRecord a = byIdentity.get(model + "@0 " + sampleId + " " + l);
                    assertNotNull(a, model + " sample " + sampleId + " layer " + l + " missing");
                    assertEquals(i, a.getIndex());
                    assertEquals(layers, a.getLayers());
                    assertEquals(d, a.getNeuronsPerLayer());
                    assertEquals("happy-1", a.getWorker());
                    assertEquals(samples.get(i).get("n_tokens").asInt(), a.getTokenCount(), sampleId);
                    float[] values = WorkerKit.floats(a.getValues());
                    assertEquals(d, values.length);
                    double layerSq = 0;
                    for (int k = 0; k < d; k++) {
                        double w = want[l * d + k];
                        maxValue = Math.max(maxValue, Math.abs(w - values[k]));
                        layerSq += w * w;
                    }
                    maxNorm = Math.max(maxNorm, Math.abs(Math.sqrt(layerSq) - a.getLayerNorm()));
                    maxNorm = Math.max(maxNorm, Math.abs(Math.sqrt(wholeSq) - a.getWholeModelNorm()));
                    maxNll = Math.max(maxNll, Math.abs(samples.get(i).get("mean_nll").asDouble() - a.getMeanNll()));
                    int[] positives = WorkerKit.ints(a.getPositiveCounts());
                    if (i == 0 || i == 149) {
                        assertArrayEquals(some.get(i == 0 ? 0 : 1).positiveCounts()[l], positives, sampleId + " layer " + l);
                    }
                    for (int p : positives) {
                        assertTrue(p >= 0 && p <= a.getTokenCount(), "positive count " + p);
                    }
                }
            }
        }
        System.out.printf("[kafka-worker] %s (%d samples): max |value - HF| %.2e, max |norm - HF| %.2e, max |meanNll - HF| %.2e%n",
                model, SAMPLES.get(model), maxValue, maxNorm, maxNll);
        assertTrue(maxValue <= 1e-5, model + ": layer means deviate by " + maxValue);
        assertTrue(maxNorm <= 1e-5, model + ": norms deviate by " + maxNorm);
        assertTrue(maxNll <= 1e-4, model + ": mean NLL deviates by " + maxNll);
    }
}
