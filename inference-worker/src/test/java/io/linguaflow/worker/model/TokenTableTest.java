package io.linguaflow.worker.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.linguaflow.checkpoint.SafeTensors;
import io.linguaflow.checkpoint.SafetensorsHeader;
import io.linguaflow.worker.Fixtures;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The token embedding is read from the checkpoint file row by row until something needs it whole: the rows of a
 * batch (repeated ids included) equal the file's numbers and the rows of the whole table, bit for bit, in every
 * stored dtype; a forward pass leaves the table out of the engine, logits bring it in, and the forward pass after
 * that gives the same bits.
 */
class TokenTableTest {

    @ParameterizedTest
    @ValueSource(strings = {"bloom-tiny", "bloom-tiny-fp16", "bloom-tiny-bf16", "llama-tiny"})
    void rowsReadFromTheFileEqualTheWholeTable(String name) throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.model(name));
             SafeTensors file = SafeTensors.open(Fixtures.model(name));
             NDManager manager = Engine.getEngine("PyTorch").newBaseManager(Device.cpu())) {
            SafetensorsHeader.Tensor t = file.find(file.names().stream()
                    .filter(n -> n.endsWith("word_embeddings.weight") || n.endsWith("embed_tokens.weight"))
                    .findFirst().orElseThrow()).orElseThrow();
            int vocab = Math.toIntExact(t.shape()[0]);
            int width = Math.toIntExact(t.shape()[1]);
            long[] ids = new Random(7).longs(40, 0, vocab).toArray();
            ids[5] = ids[17] = ids[33]; // a token repeated in a batch
            ids[0] = 0;
            ids[1] = vocab - 1;
            float[] expected = new float[ids.length * width];
            FloatBuffer dst = FloatBuffer.wrap(expected);
            for (long id : ids) {
                file.readFloats(t, id * width, width, dst);
            }
            List<TokenTable> opened = new ArrayList<>();
            try (TokenTable table = TokenTable.open(ckpt, new Checkpoint.TensorSpec(t.name(), t.shape()), manager, opened)) {
                NDArray idArray = manager.create(ids, new Shape(ids.length));
                float[] fromFile = table.rows(idArray).toFloatArray();
                assertFalse(table.resident(), name);
                float[] fromWhole = table.whole().get(new NDIndex("{}", idArray)).toFloatArray();
                assertTrue(table.resident(), name);
                assertArrayEquals(expected, fromFile, 0f, name + ": rows read from the file");
                assertArrayEquals(expected, fromWhole, 0f, name + ": rows of the whole table");
                assertArrayEquals(expected, table.rows(idArray).toFloatArray(), 0f, name + ": rows once whole");
            }
        }
    }

    @Test
    void theForwardPassLeavesTheEmbeddingOnDiskAndLogitsLoadIt() throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(Fixtures.model("bloom-tiny"));
             NDManager manager = Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
             Bloom model = Bloom.load(ckpt, manager);
             NDManager batch = manager.newSubManager()) {
            NDArray ids = batch.create(new long[] {5, 17, 17, 260, 3, 9, 0, 0}, new Shape(2, 4));
            int[] lengths = {4, 2};
            float[] before = model.forward(ids, lengths, MlpHook.NONE).toFloatArray();
            assertFalse(model.embeddingResident(), "a forward pass reads the batch's rows from the file");
            try (NDScope firstLogits = new NDScope()) { // as the runtime calls it: the table outlives that scope
                model.logits(model.forward(ids, lengths, MlpHook.NONE));
            }
            assertTrue(model.embeddingResident(), "the tied LM head is the whole embedding");
            assertArrayEquals(before, model.forward(ids, lengths, MlpHook.NONE).toFloatArray(), 0f,
                    "the forward pass over the whole table");
        }
    }
}
