package io.linguaflow.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
 * {@code linguaflow eval}: zero-shot XStoryCloze accuracy per language (lm-eval-harness scoring), monolingual or
 * cross-lingual (Zeng et al. Appendix B, {@link XStoryCloze}), plain and optionally with neuron sets zeroed. Output
 * {@code {"cross_lingual":b, "baseline":{lang:{acc,n}}, "ablated":{set:{lang:{acc,n}}}}}; with {@code --samples}
 * each language's entry also holds {@code "samples":[{"story_id","loglik":[l1,l2],"label"}]} (label 0 or 1).
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

    @Option(names = "--cross-lingual", description = "Zeng et al. Appendix B: the story in each language, then "
            + "\"The ending in English:\"; the choices are the English endings of the same story_id (needs en_eval.jsonl)")
    boolean crossLingual;

    @Option(names = "--samples", description = "also write each story's log-likelihoods and label per language")
    boolean samples;

    @Option(names = "--out", required = true, paramLabel = "R.json", description = "output JSON file")
    Path out;

    @Override
    public Integer call() throws Exception {
        return Cli.run(() -> {
            Map<String, int[]> sets = ablate == null ? Map.of() : PerplexityCommand.readSets(ablate);
            ObjectMapper json = new ObjectMapper();
            ObjectNode result = json.createObjectNode();
            result.put("cross_lingual", crossLingual);
            try (LanguageModel m = modelOptions.load()) {
                ObjectNode base = result.putObject("baseline");
                ObjectNode ablated = result.putObject("ablated");
                for (String lang : langs) {
                    List<Question> qs = XStoryCloze.read(data, lang, limit, crossLingual);
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

    private void score(ObjectNode node, LanguageModel m, List<Question> qs, Ablation a) {
        double[][] loglik = MultipleChoice.logLikelihoods(m, qs, a);
        node.put("acc", MultipleChoice.accuracy(qs, loglik));
        node.put("n", qs.size());
        if (samples) {
            ArrayNode list = node.putArray("samples");
            for (int q = 0; q < qs.size(); q++) {
                ObjectNode s = list.addObject();
                s.put("story_id", qs.get(q).id());
                ArrayNode ll = s.putArray("loglik");
                for (double x : loglik[q]) {
                    ll.add(x);
                }
                s.put("label", qs.get(q).gold());
            }
        }
    }
}
