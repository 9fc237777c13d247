package io.linguaflow.training.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.checkpoint.HfConfig;
import io.linguaflow.checkpoint.SafeTensors;
import io.linguaflow.checkpoint.SafetensorsWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Autograd through the worker's BLOOM forward pass equals central finite differences of the loss, for the entry
 * with the largest gradient of every parameter tensor of a tiny model (1 layer, hidden 8, vocab 12). Weights are
 * drawn wider than at initialisation and LayerNorms and biases are non-trivial, so every term matters.
 */
class GradientCheckTest {

    @TempDir
    Path tmp;

    @Test
    void autogradMatchesFiniteDifferences() throws Exception {
        ModelShape shape = new ModelShape(12, 8, 1, 2);
        SplittableRandom r = new SplittableRandom(7);
        List<SafetensorsWriter.Tensor> weights = new ArrayList<>();
        for (SafetensorsWriter.Tensor t : shape.initialWeights(r)) {
            float[] v = t.values().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (t.shape().length == 2 ? v[i] * 25 : v[i] + 0.3 * r.nextGaussian());
            }
            weights.add(new SafetensorsWriter.Tensor(t.name(), t.shape(), v));
        }
        new ObjectMapper().writeValue(tmp.resolve(HfConfig.FILE).toFile(), shape.config(new ObjectMapper()));
        SafetensorsWriter.writeF32(tmp.resolve(SafeTensors.SINGLE), weights);

        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager m = engine.newBaseManager(Device.cpu()); TrainableBloom model = TrainableBloom.load(tmp, m)) {
            long[] ids = new long[2 * 7];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.nextInt(12);
            }
            NDArray batch = m.create(ids, new Shape(2, 7));
            try (GradientCollector gc = engine.newGradientCollector()) {
                gc.backward(model.loss(batch));
            }
            JniUtils.setGradMode(false);
            int checked = 0;
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                NDArray p = e.getValue();
                float[] g = p.getGradient().toFloatArray();
                int k = 0;
                for (int i = 1; i < g.length; i++) {
                    k = Math.abs(g[i]) > Math.abs(g[k]) ? i : k;
                }
                double eps = 1e-2;
                double up = shifted(model, batch, p, k, eps);
                double down = shifted(model, batch, p, k, -eps);
                double fd = (up - down) / (2 * eps);
                assertTrue(Math.abs(fd - g[k]) <= 2e-4 + 2e-2 * Math.abs(g[k]),
                        e.getKey() + "[" + k + "]: autograd " + g[k] + ", finite difference " + fd);
                checked++;
            }
            assertTrue(checked == model.parameters().size() && checked == 3 + 12 + 2);
        }
    }

    /** The loss with entry {@code k} of {@code p} moved by {@code eps} (restored afterwards). */
    private static double shifted(TrainableBloom model, NDArray batch, NDArray p, int k, double eps) {
        float[] d = new float[Math.toIntExact(p.size())];
        d[k] = (float) eps;
        try (NDArray delta = p.getManager().create(d, p.getShape())) {
            p.addi(delta);
            double loss = model.loss(batch).getFloat();
            p.subi(delta);
            return loss;
        }
    }
}
