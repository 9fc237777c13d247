package io.linguaflow.training.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.checkpoint.HfConfig;
import io.linguaflow.checkpoint.SafeTensors;
import io.linguaflow.checkpoint.SafetensorsWriter;
import io.linguaflow.checkpoint.TrainingStep;
import io.linguaflow.training.model.ModelShape;
import io.linguaflow.training.tokenizer.BpeTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes HF checkpoint directories {@code OUT/step-N} ({@code config.json}, {@code model.safetensors}, the tokenizer
 * files, {@code trainer_state.json}). Each is assembled in {@code OUT/.step-N.partial} and renamed into place in one
 * atomic move, so a directory watcher sees a checkpoint whole or not at all.
 */
public final class CheckpointWriter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path out;
    private final ModelShape shape;
    private final BpeTokenizer tokenizer;
    private final int maxSteps;
    /** One entry per published checkpoint, repeated in each trainer_state.json as the HF Trainer does. */
    private final ArrayNode history = JSON.createArrayNode();

    public CheckpointWriter(Path out, ModelShape shape, BpeTokenizer tokenizer, int maxSteps) {
        this.out = out;
        this.shape = shape;
        this.tokenizer = tokenizer;
        this.maxSteps = maxSteps;
    }

    /** The directory name of step {@code n}, which {@link TrainingStep} parses. */
    public static String name(int step) {
        return "step-" + step;
    }

    /** Writes everything but the trainer state into {@code OUT/.step-N.partial}; it loads as a checkpoint already. */
    public Path prepare(int step, List<SafetensorsWriter.Tensor> weights) throws IOException {
        Path dir = out.resolve("." + name(step) + ".partial");
        deleteTree(dir);
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(HfConfig.FILE).toFile(), shape.config(JSON));
        SafetensorsWriter.writeF32(dir.resolve(SafeTensors.SINGLE), weights);
        tokenizer.write(dir);
        return dir;
    }

    /** Adds {@code trainer_state.json} to a prepared directory and moves it to {@code OUT/step-N}. */
    public Path publish(Path prepared, int step, double loss, double learningRate) throws IOException {
        history.addObject().put("step", step).put("loss", loss).put("learning_rate", learningRate);
        ObjectNode state = JSON.createObjectNode();
        state.put("global_step", step);
        state.put("max_steps", maxSteps);
        state.set("log_history", history.deepCopy());
        JSON.writeValue(prepared.resolve(TrainingStep.TRAINER_STATE).toFile(), state);
        return Files.move(prepared, out.resolve(name(step)), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes the partial directories left by an interrupted run. */
    public void discardPartials() throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".partial")).toList()) {
                deleteTree(p);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
