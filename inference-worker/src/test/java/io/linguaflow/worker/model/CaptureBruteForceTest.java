package io.linguaflow.worker.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.Capture;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.RuntimeOptions;
import io.linguaflow.worker.runtime.SampleActivations;
import io.linguaflow.worker.runtime.TokenSample;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The optional captures of the runtime (per-neuron maxima over tokens, sampled token vectors), computed in padded
 * batches, equal a brute-force computation from the per-token tensors of an unpadded single-sample pass.
 */
class CaptureBruteForceTest {

    /** Copies the per-token activation and block output of every layer. */
    private static final class Recorder implements MlpHook {
        final float[][] acts;
        final float[][] blocks;

        Recorder(int layers) {
            acts = new float[layers][];
            blocks = new float[layers][];
        }

        @Override
        public NDArray onGate(int layer, NDArray gate) {
            return gate;
        }

        @Override
        public void onActivation(int layer, NDArray activation) {
            acts[layer] = activation.toFloatArray();
        }

        @Override
        public void onBlockOutput(int layer, NDArray hidden) {
            blocks[layer] = hidden.toFloatArray();
        }
    }

    @ParameterizedTest
    @CsvSource({"bloom-tiny,BLOCK_OUTPUT,0", "llama-tiny,BLOCK_OUTPUT,1", "llama-tiny,MLP_ACTIVATION,1"})
    void maximaAndSampledTokensEqualBruteForce(String name, Capture.TokenSource source, int bos) throws Exception {
        List<String> texts = Fixtures.texts(Fixtures.corpus()).subList(100, 107); // different lengths: padding
        Capture capture = new Capture(true, 3, 7, source);
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.model(name));
             NDManager m = Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
             CausalLM lm = CausalLM.load(ckpt, m);
             LanguageModel plain = LanguageModel.load(Fixtures.model(name), Device.cpu(), new RuntimeOptions(4, 4 * 512, 0));
             LanguageModel runtime = LanguageModel.load(Fixtures.model(name), Device.cpu(),
                     new RuntimeOptions(4, 4 * 512, 0, capture))) {
            int layers = lm.config().numLayers();
            int d = lm.config().intermediateSize();
            int h = lm.config().hiddenSize();
            List<SampleActivations> got = runtime.activations(texts, Ablation.none(), false);
            List<SampleActivations> without = plain.activations(texts, Ablation.none(), false);
            assertEquals(bos, runtime.tokenizer().leadingSpecialTokens());
            for (int i = 0; i < texts.size(); i++) {
                long[] ids = runtime.tokenizer().encode(texts.get(i));
                int n = ids.length;
                Recorder rec = new Recorder(layers);
                lm.forward(m.create(ids, new Shape(1, n)), new int[] {n}, rec);
                SampleActivations a = got.get(i);
                assertNull(without.get(i).layerMaxima());
                assertNull(without.get(i).tokenSample());
                assertArrayEquals(without.get(i).layerMeans()[1], a.layerMeans()[1], "capture leaves the means alone");
                TokenSample s = a.tokenSample();
                int[] want = TokenSample.positions(ids, bos, 3, 7);
                assertArrayEquals(want, s.positions());
                assertEquals(Math.min(3, n - bos), s.positions().length);
                assertTrue(s.positions().length == 0 || s.positions()[0] >= bos, "BOS is never sampled");
                int w = source == Capture.TokenSource.BLOCK_OUTPUT ? h : d;
                assertEquals(w, s.width());
                for (int l = 0; l < layers; l++) {
                    for (int k = 0; k < d; k++) {
                        float max = Float.NEGATIVE_INFINITY;
                        for (int t = bos; t < n; t++) { // BOS left out
                            max = Math.max(max, rec.acts[l][t * d + k]);
                        }
                        assertEquals(max, a.layerMaxima()[l][k], 1e-5 * Math.max(1, Math.abs(max)), "max " + l + "/" + k);
                    }
                    float[] full = source == Capture.TokenSource.BLOCK_OUTPUT ? rec.blocks[l] : rec.acts[l];
                    for (int p = 0; p < s.positions().length; p++) {
                        for (int j = 0; j < w; j++) {
                            float x = full[s.positions()[p] * w + j];
                            assertEquals(x, s.vectors()[l][p * w + j], 1e-4 * Math.max(1, Math.abs(x)),
                                    "token " + p + " layer " + l + " dim " + j);
                        }
                    }
                }
            }
        }
    }
}
