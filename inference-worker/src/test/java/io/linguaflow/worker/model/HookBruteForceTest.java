package io.linguaflow.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.SampleActivations;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device-side pooling, positive counts and ablation of the runtime equal a brute-force computation in Java
 * from the full per-token tensors the hooks see (BLOOM: GeLU output; LLaMA: SiLU(gate) and SiLU(gate) * up).
 */
class HookBruteForceTest {

    /** Copies every per-token tensor the forward pass shows the hook. */
    private static final class Recorder implements MlpHook {
        final float[][] gates;
        final float[][] acts;

        Recorder(int layers) {
            gates = new float[layers][];
            acts = new float[layers][];
        }

        @Override
        public NDArray onGate(int layer, NDArray gate) {
            gates[layer] = gate.toFloatArray();
            return gate;
        }

        @Override
        public void onActivation(int layer, NDArray activation) {
            acts[layer] = activation.toFloatArray();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bloom-tiny", "llama-tiny"})
    void poolingCountsAndAblationEqualBruteForce(String name) throws Exception {
        String text = Fixtures.texts(Fixtures.corpus()).get(123);
        Recorder rec;
        long[] ids;
        int layers;
        int width;
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.model(name));
             NDManager m = Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
             CausalLM lm = CausalLM.load(ckpt, m);
             LanguageModel runtime = LanguageModel.load(Fixtures.model(name), Device.cpu())) {
            layers = lm.config().numLayers();
            width = lm.config().intermediateSize();
            ids = runtime.tokenizer().encode(text);
            rec = new Recorder(layers);
            lm.forward(m.create(ids, new Shape(1, ids.length)), new int[] {ids.length}, rec);

            SampleActivations got = runtime.activationsOfIds(List.of(ids), Ablation.none(), false).get(0);
            int n = ids.length;
            for (int l = 0; l < layers; l++) {
                for (int d = 0; d < width; d++) {
                    double sum = 0;
                    int pos = 0;
                    for (int t = 0; t < n; t++) {
                        sum += rec.acts[l][t * width + d];
                        pos += rec.gates[l][t * width + d] > 0 ? 1 : 0;
                    }
                    assertEquals((float) (sum / n), got.layerMeans()[l][d], 1e-7, "mean " + l + "/" + d);
                    assertEquals(pos, got.positiveCounts()[l][d], "count " + l + "/" + d);
                }
            }
            if (name.startsWith("llama")) {
                // the activation is SiLU(gate) * up, so it is not the gate tensor itself
                assertTrue(Arrays.stream(new int[] {0, 1, 2, 3}).anyMatch(
                        l -> Math.abs(rec.acts[l][5] - rec.gates[l][5]) > 1e-4));
            }

            // ablation: the zeroed neurons are 0 at every token and every layer, the others are not all 0
            int[] flat = {3, width + 10, 2 * width + width - 1, 3 * width};
            SampleActivations abl = runtime.activationsOfIds(List.of(ids), Ablation.ofFlatIds(flat, layers, width), false)
                    .get(0);
            for (int k : flat) {
                assertEquals(0f, abl.layerMeans()[k / width][k % width]);
                assertEquals(0, abl.positiveCounts()[k / width][k % width]);
            }
            assertTrue(abl.layerMeans()[0][4] != 0f);
            assertEquals(got.layerMeans()[0][4], abl.layerMeans()[0][4], "layer 0 before the ablated neuron's effect");
        }
    }
}
