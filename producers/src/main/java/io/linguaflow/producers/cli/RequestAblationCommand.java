package io.linguaflow.producers.cli;

import io.linguaflow.producers.request.AblationRequests;
import io.linguaflow.producers.request.KeyRegions;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code request-ablation}: builds an {@code AblationRequest} from a key-regions JSON and prints it as one JSON
 * line (publishing to {@code ablation-requests} comes with the Kafka wiring).
 */
@Command(name = "request-ablation", mixinStandardHelpOptions = true,
        description = "Build an AblationRequest from key regions; print it as a JSON line.")
public final class RequestAblationCommand extends ProducerCommand {

    @Mixin
    TargetOptions target;

    @Option(names = "--key-regions", required = true, description = "JSON {\"<lang>\": [flat neuron ids]} from analyze.")
    Path keyRegions;

    @Option(names = "--sets", split = ",", description = "Sets to ablate, in this order (default: all).")
    List<String> sets;

    @Option(names = "--corpus", required = true, description = "Corpus to measure perplexity on.")
    String corpus;

    @Option(names = "--random-baseline-seed", description = "Also ablate as many random neurons per set, with this seed.")
    Long seed;

    @Option(names = "--window", description = "Window (= stride) in tokens (default: the model's context length).")
    Integer window;

    @Option(names = "--request-id", description = "Request id (default: derived from the content).")
    String requestId;

    @Override
    int run() throws Exception {
        KeyRegions regions = KeyRegions.read(keyRegions);
        if (sets != null) {
            regions = regions.select(sets);
        }
        out().println(AblationRequests.build(target.resolve(), corpus, regions, seed, window, requestId));
        out().flush();
        return 0;
    }
}
