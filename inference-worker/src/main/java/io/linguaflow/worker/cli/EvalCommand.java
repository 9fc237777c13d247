package io.linguaflow.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.worker.eval.XStoryCloze;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.MultipleChoice;
import io.linguaflow.worker.runtime.MultipleChoice.Question;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code linguaflow eval}: zero-shot XStoryCloze accuracy per language (lm-eval-harness scoring), plain and
 * optionally with neuron sets zeroed. Output {@code {"baseline":{lang:{acc,n}}, "ablated":{set:{lang:{acc,n}}}}}.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Zero-shot XStoryCloze accuracy per language: argmax of the summed log-likelihood of "
                + "\" \" + ending given the story (lm-eval-harness multiple_choice, unnormalised acc).")
public final class EvalCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--xstorycloze", required = true, paramLabel = "DIR", description = "folder with <lang>_eval.jsonl")
    Path data;

    @Option(names = "--langs", split = ",", defaultValue = "en,es,zh,hi,id,ar", description = "languages (default: ${DEFAULT-VALUE})")
    List<String> langs;

    @Option(names = "--limit", defaultValue = "0", description = "first N stories per language (0 = all)")
    int limit;

    @Option(names = "--ablate", paramLabel = "K.json", description = "neuron sets, as for the perplexity command")
    Path ablate;

    @Option(names = "--out", required = true, paramLabel = "R.json", description = "output JSON file")
    Path out;

    @Override
    public Integer call() throws Exception {
        return Cli.run(() -> {
            Map<String, int[]> sets = ablate == null ? Map.of() : PerplexityCommand.readSets(ablate);
            ObjectMapper json = new ObjectMapper();
            ObjectNode result = json.createObjectNode();
            try (LanguageModel m = modelOptions.load()) {
                ObjectNode base = result.putObject("baseline");
                ObjectNode ablated = result.putObject("ablated");
                for (String lang : langs) {
                    List<Question> qs = XStoryCloze.read(data, lang, limit);
                    score(base.putObject(lang), m, qs, Ablation.none());
                    for (Map.Entry<String, int[]> e : sets.entrySet()) {
                        ObjectNode set = ablated.has(e.getKey()) ? (ObjectNode) ablated.get(e.getKey()) : ablated.putObject(e.getKey());
                        score(set.putObject(lang), m, qs, Ablation.ofFlatIds(e.getValue(), m.config().numLayers(),
                                m.config().intermediateSize()));
                    }
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

    private static void score(ObjectNode node, LanguageModel m, List<Question> qs, Ablation a) {
        node.put("acc", MultipleChoice.accuracy(m, qs, a));
        node.put("n", qs.size());
    }
}
