package io.linguaflow.streams.cli;

import io.linguaflow.analysis.ablation.AblationTable;
import io.linguaflow.streams.config.EvaluationSettings;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code streams} options of what is evaluated per checkpoint once its key regions are final ({@link EvaluationSettings}). */
public final class EvaluationOptions {

    @Option(names = "--eval-corpus", paramLabel = "CORPUS",
            description = {"corpus (as produced to the sentences topic) Table 1's perplexities are measured on; with it, every",
                "checkpoint's ablation table is asked for (default: none, no table)"})
    String evalCorpus;

    @Option(names = "--no-ablation-table", description = "do not ask for Table 1 even with --eval-corpus")
    boolean noAblationTable;

    @Option(names = "--random-seed", defaultValue = "" + AblationTable.DEFAULT_RANDOM_SEED, paramLabel = "S",
            description = "seed of Table 1's random baselines, recorded in the table (default ${DEFAULT-VALUE})")
    long randomSeed;

    @Option(names = "--xstorycloze-langs", split = ",", paramLabel = "en,zh,...",
            description = "XStoryCloze languages asked for per checkpoint, monolingual and cross-lingual (default: none)")
    List<String> storyCloze = List.of();

    @Option(names = "--xstorycloze-stories", paramLabel = "N", description = "at most N stories per language (default: all)")
    Integer stories;

    @Option(names = "--xstorycloze-ablated", description = "also each XStoryCloze variant with each language's key region ablated")
    boolean storyClozeAblated;

    public EvaluationSettings settings() {
        return EvaluationSettings.off().withEvalCorpus(evalCorpus).withAblationTable(!noAblationTable).withRandomSeed(randomSeed)
                .withStoryCloze(storyCloze, stories, storyClozeAblated);
    }
}
