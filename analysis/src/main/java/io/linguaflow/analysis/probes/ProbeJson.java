package io.linguaflow.analysis.probes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * JSON form of probe results: {@code {"layers": [{"layer", "accuracy_mean", "accuracy_std", "folds": [{"seed",
 * "fold", "train_tokens", "test_tokens", "accuracy"}]}], "options": {...}}} plus what the caller adds.
 */
public final class ProbeJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ProbeJson() {
    }

    public static ObjectNode toJson(List<LanguageProbe.LayerResult> layers, LanguageProbe.Options o) {
        ObjectNode root = MAPPER.createObjectNode();
        var arr = root.putArray("layers");
        for (LanguageProbe.LayerResult r : layers) {
            ObjectNode l = arr.addObject();
            l.put("layer", r.layer());
            l.put("accuracy_mean", r.accuracyMean());
            l.put("accuracy_std", r.accuracyStd());
            var folds = l.putArray("folds");
            for (LanguageProbe.Fold f : r.folds()) {
                folds.addObject().put("seed", f.seed()).put("fold", f.fold()).put("train_tokens", f.trainTokens())
                        .put("test_tokens", f.testTokens()).put("accuracy", f.accuracy());
            }
        }
        ObjectNode opts = root.putObject("options");
        opts.put("folds", o.folds());
        o.seeds().forEach(opts.putArray("seeds")::add);
        opts.put("epochs", o.epochs());
        opts.put("learning_rate", o.learningRate());
        opts.put("standardise", o.standardise());
        opts.put("optimiser", "Tribuo LinearSGDTrainer, LogMulticlass loss, AdaGrad (epsilon 0.1), minibatch 1");
        return root;
    }

    public static void write(ObjectNode json, Path file) throws IOException {
        MAPPER.writeValue(file.toFile(), json);
    }
}
