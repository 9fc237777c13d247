package io.linguaflow.worker.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.worker.runtime.Capture;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.RuntimeOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that load a model. */
public final class ModelOptions {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "HuggingFace checkpoint directory (config.json, model.safetensors[.index.json], tokenizer.json)")
    Path model;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "16",
            description = "samples per forward pass, length-bucketed (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--device", paramLabel = "cpu|gpu", defaultValue = "cpu",
            description = "cpu (default) or gpu (needs the -Pcuda build)")
    String device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "libtorch intra-op threads (default: one per core)")
    int threads;

    LanguageModel load() throws CheckpointException {
        return load(Capture.NONE);
    }

    /** Loads the model capturing {@code capture} besides the mean-pooled statistics. */
    LanguageModel load(Capture capture) throws CheckpointException {
        RuntimeOptions o = RuntimeOptions.DEFAULT.withBatchSize(batchSize).withThreads(threads).withCapture(capture);
        return LanguageModel.load(model, device(device), o);
    }

    /** The value of a {@code --device cpu|gpu} option; gpu only where libtorch sees one. */
    public static Device device(String name) {
        return switch (name) {
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (Engine.getEngine("PyTorch").getGpuCount() == 0) {
                    throw new IllegalArgumentException("--device gpu: libtorch sees no GPU (CUDA runtime needs the -Pcuda build)");
                }
                yield Device.gpu();
            }
            default -> throw new IllegalArgumentException("--device must be cpu or gpu, got '" + name + "'");
        };
    }
}
