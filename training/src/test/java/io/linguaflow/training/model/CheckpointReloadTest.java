package io.linguaflow.training.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.linguaflow.training.checkpoint.CheckpointWriter;
import io.linguaflow.training.corpus.TrainingCorpus;
import io.linguaflow.training.data.PackedSequences;
import io.linguaflow.training.optim.AdamW;
import io.linguaflow.training.tokenizer.BpeTokenizer;
import io.linguaflow.training.tokenizer.BpeTrainer;
import io.linguaflow.worker.runtime.LanguageModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint written mid-training loads through the worker's runtime to the logits of the model in memory. */
class CheckpointReloadTest {

    @TempDir
    Path tmp;

    @Test
    void workerLogitsEqualTheTrainedModelsLogits() throws Exception {
        TrainingCorpus corpus = TrainingCorpus.bundled();
        BpeTokenizer tok = BpeTrainer.train(corpus.texts(), 200);
        ModelShape shape = new ModelShape(tok.vocabSize(), 32, 2, 4);
        CheckpointWriter writer = new CheckpointWriter(tmp, shape, tok, 3);
        PackedSequences data = new PackedSequences(corpus, tok, 16, 1);
        Engine engine = Engine.getEngine("PyTorch");
        List<String> texts = corpus.texts().subList(0, 18);
        try (NDManager m = engine.newBaseManager(Device.cpu());
             TrainableBloom model = TrainableBloom.load(writer.prepare(0, shape.initialWeights(new SplittableRandom(1))), m);
             AdamW opt = new AdamW(model.parameters(), AdamW.Settings.BLOOM, m)) {
            for (int step = 1; step <= 3; step++) {
                try (GradientCollector gc = engine.newGradientCollector()) {
                    gc.backward(model.loss(m.create(data.next(4), new Shape(4, 17))));
                }
                opt.step(1e-2);
            }
            Path dir = writer.publish(writer.prepare(3, model.weights()), 3, 0, 0);

            try (LanguageModel worker = LanguageModel.load(dir, Device.cpu())) {
                List<long[]> ids = worker.encode(texts);
                List<float[]> logits = worker.lastTokenLogits(ids);
                double worst = 0;
                for (int i = 0; i < texts.size(); i++) {
                    assertArrayEquals(Arrays.stream(tok.encode(texts.get(i))).asLongStream().toArray(), ids.get(i));
                    float[] mine;
                    try (NDManager s = m.newSubManager()) {
                        NDArray x = s.create(ids.get(i), new Shape(1, ids.get(i).length));
                        mine = model.logits(x).get(new NDIndex(0, -1)).toFloatArray();
                    }
                    for (int v = 0; v < mine.length; v++) {
                        worst = Math.max(worst, Math.abs(mine[v] - logits.get(i)[v]));
                    }
                }
                System.out.printf("reload: last-token logits of %d texts, max |diff| %.2e%n", texts.size(), worst);
                assertTrue(worst <= 1e-5, "max |diff| " + worst);
            }
        }
    }
}
