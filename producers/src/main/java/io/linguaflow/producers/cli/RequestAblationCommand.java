package io.linguaflow.producers.cli;

import io.linguaflow.producers.kafka.RecordPublisher;
import io.linguaflow.schemas.avro.AblationRequest;
import java.util.Optional;
import io.linguaflow.producers.request.AblationRequests;
import io.linguaflow.producers.request.KeyRegions;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code request-ablation}: builds an {@code AblationRequest} from a key-regions JSON and publishes it to
 * {@code ablation-requests} (or prints it as one JSON line without {@code --bootstrap}).
 */
@Command(name = "request-ablation", mixinStandardHelpOptions = true,
        description = "Build an AblationRequest from key regions; publish it (or print it as a JSON line).")
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
        AblationRequest request = AblationRequests.build(target.resolve(), corpus, regions, seed, window, requestId);
        Optional<RecordPublisher> publisher = publisher();
        if (publisher.isPresent()) {
            try (RecordPublisher p = publisher.get()) {
                p.ablation(request);
            }
            err().println("published ablation request " + request.getRequestId());
            err().flush();
        } else {
            out().println(request);
            out().flush();
        }
        return 0;
    }
}
