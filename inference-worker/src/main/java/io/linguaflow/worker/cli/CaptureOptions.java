package io.linguaflow.worker.cli;

import io.linguaflow.worker.runtime.Capture;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The optional parts of the worker's activation records (all off by default: then records and cost are those of
 * the mean vectors alone).
 */
public final class CaptureOptions {

    @Option(names = "--emit-maxima", description = "also emit each neuron's maximum over the sample's tokens (maxValues; for expert neurons)")
    boolean maxima;

    @Option(names = "--emit-token-sample", paramLabel = "T", defaultValue = "0",
            description = "also emit the vectors of at most T sampled tokens per sample (for language probes; default ${DEFAULT-VALUE} = off)")
    int tokens;

    @Option(names = "--token-seed", paramLabel = "SEED", defaultValue = "1",
            description = "seed of the token sample (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--token-source", paramLabel = "block_output|mlp_activation", defaultValue = "block_output",
            description = "the sampled tokens' vector: the layer's hidden state (default) or the MLP activation")
    String source;

    public Capture capture() {
        return new Capture(maxima, tokens, seed, source(source));
    }

    static Capture.TokenSource source(String name) {
        try {
            return Capture.TokenSource.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--token-source must be block_output or mlp_activation, got '" + name + "'");
        }
    }
}
