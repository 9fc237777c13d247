package io.linguaflow.worker.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.linguaflow.checkpoint.SafeTensors;
import io.linguaflow.checkpoint.SafetensorsHeader;
import io.linguaflow.worker.Fixtures;
import java.nio.FloatBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tensors larger than one load block are read block by block and joined: every tensor of the fixture models,
 * loaded in 4 KiB blocks (the 4000 x 64 embedding in 63 of them), equals the tensor read straight from the file.
 */
class CheckpointLoadTest {

    @ParameterizedTest
    @ValueSource(strings = {"bloom-tiny", "bloom-tiny-fp16", "llama-tiny"})
    void blockByBlockLoadingEqualsTheFile(String name) throws Exception {
        int multiBlock = 0;
        try (Checkpoint blocks = Checkpoint.open(Fixtures.model(name), 4096);
             SafeTensors file = SafeTensors.open(Fixtures.model(name));
             NDManager manager = Engine.getEngine("PyTorch").newBaseManager(Device.cpu())) {
            for (String tensor : file.names()) {
                SafetensorsHeader.Tensor t = file.find(tensor).orElseThrow();
                float[] expected = new float[Math.toIntExact(t.numel())];
                file.readFloats(t, 0, expected.length, FloatBuffer.wrap(expected));
                try (NDArray loaded = blocks.load(manager, new Checkpoint.TensorSpec(tensor, t.shape()))) {
                    assertArrayEquals(t.shape(), loaded.getShape().getShape(), tensor);
                    assertArrayEquals(expected, loaded.toFloatArray(), 0f, tensor);
                }
                multiBlock += 4L * t.numel() > 4096 && t.shape().length > 0 && t.shape()[0] > 1 ? 1 : 0;
            }
        }
        assertTrue(multiBlock > 0, "some tensors of " + name + " span several blocks");
    }
}
