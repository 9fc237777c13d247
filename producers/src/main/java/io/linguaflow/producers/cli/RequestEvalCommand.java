package io.linguaflow.producers.cli;

import io.linguaflow.producers.kafka.RecordPublisher;
import io.linguaflow.schemas.avro.EvalRequest;
import java.util.Optional;
import io.linguaflow.producers.request.EvalRequests;
import io.linguaflow.producers.request.KeyRegions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code request-eval}: builds an {@code EvalRequest} and prints it as one JSON line (or publishes it to
 * {@code eval-requests} with {@code --bootstrap}). Neurons to ablate: the union of key-region sets and/or ids.
 */
@Command(name = "request-eval", mixinStandardHelpOptions = true,
        description = "Build an EvalRequest (e.g. XStoryCloze, optionally with neurons ablated); publish it (or print it as a JSON line).")
public final class RequestEvalCommand extends ProducerCommand {

    @Mixin
    TargetOptions target;

    @Option(names = "--task", description = "Task (default ${DEFAULT-VALUE}).")
    String task = "xstorycloze";

    @Option(names = "--languages", required = true, split = ",", description = "Languages to evaluate.")
    List<String> languages;

    @Option(names = "--key-regions", description = "Key-regions JSON to take --ablate-sets from.")
    Path keyRegions;

    @Option(names = "--ablate-sets", split = ",", description = "Ablate the union of these key-region sets.")
    List<String> ablateSets;

    @Option(names = "--ablate", split = ",", description = "Flat neuron ids to ablate.")
    List<Integer> ablate = new ArrayList<>();

    @Option(names = "--limit", description = "At most this many items per language.")
    Integer limit;

    @Option(names = "--cross-lingual", description = "Zeng et al. Appendix B: the story in each language, the English "
            + "endings of the same story as choices.")
    boolean crossLingual;

    @Option(names = "--samples", description = "The result also lists each item's log-likelihoods and label.")
    boolean samples;

    @Option(names = "--region", description = "Name of the ablated set in the result (default: the one --ablate-sets "
            + "name, if only one).")
    String region;

    @Option(names = "--request-id", description = "Request id (default: derived from the content).")
    String requestId;

    @Override
    int run() throws Exception {
        List<Integer> ids = new ArrayList<>(ablate);
        if (ablateSets != null) {
            if (keyRegions == null) {
                throw new IllegalArgumentException("--ablate-sets needs --key-regions");
            }
            ids.addAll(KeyRegions.read(keyRegions).select(ablateSets).union());
        }
        String name = region == null && ablateSets != null && ablateSets.size() == 1 ? ablateSets.get(0) : region;
        EvalRequest request = EvalRequests.build(target.resolve(), task, languages, ids, limit, crossLingual, samples,
                name, requestId);
        Optional<RecordPublisher> publisher = publisher();
        if (publisher.isPresent()) {
            try (RecordPublisher p = publisher.get()) {
                p.eval(request);
            }
            err().println("published eval request " + request.getRequestId());
            err().flush();
        } else {
            out().println(request);
            out().flush();
        }
        return 0;
    }
}
