package io.linguaflow.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.checkpoint.GenerationConfig;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.Generation;
import io.linguaflow.worker.runtime.LanguageModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code linguaflow generate}: text from a prompt, optionally with a key region zeroed at every token (Zeng et al.
 * Appendix A). Output {@code {"prompt_ids":[...], "generated_ids":[...], "text":"..."}}; conventions in
 * {@link Generation}.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generates from a prompt (greedy = HF generate(do_sample=False); or seeded sampling with "
                + "temperature and top-p), optionally with a neuron set zeroed at every token of every layer.")
public final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "the prompt")
    String prompt;

    @Option(names = "--ablate", paramLabel = "K.json",
            description = "neuron sets, as for the perplexity command ({\"<lang>\":[flat ids], ...} or {\"neurons\":[...]})")
    Path ablate;

    @Option(names = "--region", paramLabel = "LANG", description = "the set of K.json to zero (needed when it holds several)")
    String region;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "32", description = "at most N new tokens (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--greedy", description = "argmax decoding (the default when no sampling option is given)")
    boolean greedy;

    @Option(names = "--seed", paramLabel = "S", description = "sampling: the generator's seed (default 0)")
    Long seed;

    @Option(names = "--temperature", paramLabel = "T", description = "sampling: logits are divided by T (default 1)")
    Double temperature;

    @Option(names = "--top-p", paramLabel = "P", description = "sampling: nucleus mass in (0, 1] (default 1: all tokens)")
    Double topP;

    @Option(names = "--out", required = true, paramLabel = "G.json", description = "output JSON file")
    Path out;

    @Override
    public Integer call() throws Exception {
        return Cli.run(() -> {
            Generation.Options options = options();
            int[] ids = neuronSet();
            ObjectNode result = new ObjectMapper().createObjectNode();
            try (LanguageModel m = modelOptions.load()) {
                Ablation a;
                try {
                    a = Ablation.ofFlatIds(ids, m.config().numLayers(), m.config().intermediateSize());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(ablate + ": set '" + region + "': " + e.getMessage(), e);
                }
                Generation.Result g = Generation.generate(m, prompt, a,
                        GenerationConfig.read(m.dir()).eosTokenIds(), options);
                result.putPOJO("prompt_ids", g.promptIds());
                result.putPOJO("generated_ids", g.generatedIds());
                result.put("text", g.text());
            }
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), result);
            return 0;
        });
    }

    private Generation.Options options() {
        boolean sampling = seed != null || temperature != null || topP != null;
        if (greedy && sampling) {
            throw new IllegalArgumentException("--greedy cannot be combined with --seed, --temperature or --top-p");
        }
        return sampling
                ? Generation.Options.sampling(maxNewTokens, seed == null ? 0 : seed, temperature == null ? 1 : temperature,
                        topP == null ? 1 : topP)
                : Generation.Options.greedy(maxNewTokens);
    }

    /** The flat ids of the chosen set of {@code --ablate}, none without it. */
    private int[] neuronSet() throws java.io.IOException {
        if (ablate == null) {
            if (region != null) {
                throw new IllegalArgumentException("--region " + region + " needs --ablate K.json");
            }
            return new int[0];
        }
        Map<String, int[]> sets = PerplexityCommand.readSets(ablate);
        if (region == null) {
            if (sets.size() != 1) {
                throw new IllegalArgumentException(ablate + " holds the sets " + sets.keySet() + ": choose one with --region");
            }
            region = sets.keySet().iterator().next();
        }
        int[] ids = sets.get(region);
        if (ids == null) {
            throw new IllegalArgumentException(ablate + " has no set '" + region + "' (it has " + sets.keySet() + ")");
        }
        return ids;
    }
}
