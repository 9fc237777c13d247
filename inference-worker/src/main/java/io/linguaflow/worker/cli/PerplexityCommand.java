package io.linguaflow.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.Perplexity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code linguaflow perplexity}: per-language token-weighted perplexity, plain and with neuron sets zeroed
 * (Lingua Franca deactivation). Output {@code {"baseline":{lang:ppl}, "ablated":{set:{lang:ppl}}}}.
 */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Per-language token-weighted perplexity exp(sum NLL / predicted tokens), optionally with "
                + "neuron sets zeroed at every token of every layer.")
public final class PerplexityCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--corpus", required = true, paramLabel = "C.tsv", description = "TSV with header id, lang, text")
    Path corpus;

    @Option(names = "--ablate", paramLabel = "K.json",
            description = "{\"<lang>\":[flat neuron ids], ...} (each set in turn) or {\"neurons\":[...]} (one set); "
                    + "flat id = layer * D + neuron")
    Path ablate;

    @Option(names = "--out", required = true, paramLabel = "P.json", description = "output JSON file")
    Path out;

    @Override
    public Integer call() throws Exception {
        return Cli.run(() -> {
            io.linguaflow.analysis.corpus.Corpus c = Corpus.read(corpus);
            Map<String, int[]> sets = ablate == null ? Map.of() : readSets(ablate);
            ObjectMapper json = new ObjectMapper();
            ObjectNode result = json.createObjectNode();
            try (LanguageModel m = modelOptions.load()) {
                put(result.putObject("baseline"), Perplexity.perGroup(m, c.texts(), c.langs(), Ablation.none()));
                ObjectNode ablated = result.putObject("ablated");
                for (Map.Entry<String, int[]> e : sets.entrySet()) {
                    Ablation a;
                    try {
                        a = Ablation.ofFlatIds(e.getValue(), m.config().numLayers(), m.config().intermediateSize());
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalArgumentException(ablate + ": set '" + e.getKey() + "': " + ex.getMessage(), ex);
                    }
                    put(ablated.putObject(e.getKey()), Perplexity.perGroup(m, c.texts(), c.langs(), a));
                }
            }
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            json.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), result);
            return 0;
        });
    }

    private static void put(ObjectNode node, Map<String, Double> ppl) {
        ppl.forEach(node::put);
    }

    /** Reads K.json: an object of named integer arrays. */
    static Map<String, int[]> readSets(Path file) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || root.size() == 0) {
            throw new IOException(file + ": expected {\"<lang>\":[neuron ids], ...} or {\"neurons\":[...]}");
        }
        Map<String, int[]> sets = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            JsonNode arr = e.getValue();
            if (!arr.isArray()) {
                throw new IOException(file + ": '" + e.getKey() + "' must be an array of neuron ids");
            }
            int[] ids = new int[arr.size()];
            for (int i = 0; i < ids.length; i++) {
                if (!arr.get(i).canConvertToInt()) {
                    throw new IOException(file + ": '" + e.getKey() + "'[" + i + "] is not an integer: " + arr.get(i));
                }
                ids[i] = arr.get(i).asInt();
            }
            sets.put(e.getKey(), ids);
        }
        return sets;
    }
}
