package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.Device;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.codec.LittleEndian;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.Capture;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.RuntimeOptions;
import io.linguaflow.worker.runtime.SampleActivations;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worker's records carry the optional maxima and token sample exactly when its runtime captures them. */
class ActivationRecordsCaptureTest {

    @Test
    void optionalFieldsFollowTheCaptureSetting() throws Exception {
        Path dir = Fixtures.model("llama-tiny");
        InferenceRequest request = WorkerKit.request("ck", dir, 0, List.of(WorkerKit.sample(3), WorkerKit.sample(200)));
        Capture capture = new Capture(true, 2, 5, Capture.TokenSource.MLP_ACTIVATION);
        try (LanguageModel off = LanguageModel.load(dir, Device.cpu());
             LanguageModel on = LanguageModel.load(dir, Device.cpu(), RuntimeOptions.DEFAULT.withCapture(capture))) {
            List<ActivationRecord> plain = ActivationRecords.compute(off, request, "w");
            List<ActivationRecord> rich = ActivationRecords.compute(on, request, "w");
            List<SampleActivations> direct = on.activations(List.of(WorkerKit.sample(3).getText(),
                    WorkerKit.sample(200).getText()), Ablation.none(), true);
            int layers = on.config().numLayers();
            int d = on.config().intermediateSize();
            assertEquals(plain.size(), rich.size());
            for (int i = 0; i < rich.size(); i++) {
                ActivationRecord p = plain.get(i);
                ActivationRecord r = rich.get(i);
                assertNull(p.getMaxValues());
                assertNull(p.getSampledTokenPositions());
                assertNull(p.getSampledTokenVectors());
                assertNull(p.getSampledTokenSource());
                assertEquals(p.getValues(), r.getValues());
                SampleActivations a = direct.get(i / layers);
                int layer = r.getLayer();
                assertArrayEquals(a.layerMaxima()[layer], LittleEndian.float32s("maxValues", r.getMaxValues(), d));
                int[] pos = LittleEndian.int32s("positions", r.getSampledTokenPositions(), 2);
                assertArrayEquals(a.tokenSample().positions(), pos);
                assertArrayEquals(a.tokenSample().vectors()[layer],
                        LittleEndian.float32s("vectors", r.getSampledTokenVectors(), 2 * d));
                assertEquals("mlp_activation", r.getSampledTokenSource());
            }
        }
    }
}
