package io.linguaflow.producers.cli;

import io.linguaflow.producers.kafka.RecordPublisher;
import io.linguaflow.producers.request.GenerationRequests;
import io.linguaflow.producers.request.KeyRegions;
import io.linguaflow.schemas.avro.GenerationRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code request-generation}: builds a {@code GenerationRequest} and prints it as one JSON line (or publishes it to
 * {@code generation-requests} with {@code --bootstrap}). Neurons to zero: one key region and/or ids.
 */
@Command(name = "request-generation", mixinStandardHelpOptions = true,
        description = "Build a GenerationRequest (text from a prompt, optionally with a key region zeroed); publish it "
                + "(or print it as a JSON line).")
public final class RequestGenerationCommand extends ProducerCommand {

    @Mixin
    TargetOptions target;

    @Option(names = "--prompt", required = true, description = "The prompt.")
    String prompt;

    @Option(names = "--key-regions", description = "Key-regions JSON to take the --region set from.")
    Path keyRegions;

    @Option(names = "--region", description = "Zero this key-region set (with --key-regions); also names the ablated set.")
    String region;

    @Option(names = "--ablate", split = ",", description = "Flat neuron ids to zero.")
    List<Integer> ablate = new ArrayList<>();

    @Option(names = "--max-new-tokens", description = "At most this many new tokens (default ${DEFAULT-VALUE}).")
    int maxNewTokens = 32;

    @Option(names = "--greedy", description = "Argmax decoding (the default when no sampling option is given).")
    boolean greedy;

    @Option(names = "--seed", description = "Sampling: the generator's seed (worker default 0).")
    Long seed;

    @Option(names = "--temperature", description = "Sampling: logits are divided by it (worker default 1).")
    Double temperature;

    @Option(names = "--top-p", description = "Sampling: nucleus mass in (0, 1] (worker default 1).")
    Double topP;

    @Option(names = "--request-id", description = "Request id (default: derived from the content).")
    String requestId;

    @Override
    int run() throws Exception {
        List<Integer> ids = new ArrayList<>(ablate);
        if (keyRegions != null) {
            if (region == null) {
                throw new IllegalArgumentException("--key-regions needs --region (the set to zero)");
            }
            ids.addAll(KeyRegions.read(keyRegions).select(List.of(region)).union());
        }
        GenerationRequest request = GenerationRequests.build(target.resolve(), prompt, ids, region,
                new GenerationRequests.Decoding(maxNewTokens, greedy, seed, temperature, topP), requestId);
        Optional<RecordPublisher> publisher = publisher();
        if (publisher.isPresent()) {
            try (RecordPublisher p = publisher.get()) {
                p.generation(request);
            }
            err().println("published generation request " + request.getRequestId());
            err().flush();
        } else {
            out().println(request);
            out().flush();
        }
        return 0;
    }
}
