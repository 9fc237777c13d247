package io.linguaflow.analysis.cli;

import io.linguaflow.analysis.neurontypes.ActivationProbabilities;
import io.linguaflow.analysis.neurontypes.LambdaSweep;
import io.linguaflow.analysis.neurontypes.Method;
import io.linguaflow.analysis.neurontypes.NeuronTypes;
import io.linguaflow.analysis.neurontypes.NeuronTypesJson;
import io.linguaflow.analysis.neurontypes.NeuronTypesResult;
import io.linguaflow.analysis.neurontypes.ProbabilityFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code linguaflow neuron-types}: language-specific / language-related / general neurons (Zhang et al.) or
 * LAPE neurons from activation probabilities, written as JSON.
 */
@Command(name = "neuron-types", mixinStandardHelpOptions = true,
        description = {
            "Classifies FFN neurons into language-specific (N = 1), language-related (1 < N < K) and general (N = K)",
            "from per-language activation probabilities (Zhang et al. 2025), or selects LAPE neurons (Tang et al. 2024).",
            "Writes masks per language per layer, lambda (searched unless given), tau, and per-layer counts as JSON."})
public final class NeuronTypesCommand implements Callable<Integer> {

    static final class Input {
        @Option(names = "--probabilities", paramLabel = "P.npy", required = true,
                description = "float32 .npy of shape [L, D, K]: p[l, n, k] = fraction of language k's tokens on which neuron n of layer l is > 0")
        Path probabilities;

        @Option(names = "--counts", paramLabel = "DIR", required = true,
                description = "NJUNLP counts layout: DIR/tokens.json and DIR/<lang>.npz (over_zero_full/over_zero_prefix); p = response-only probability")
        Path counts;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--languages", split = ",", paramLabel = "LANG",
            description = "language names in the order of the last axis of P (with --probabilities: default the languages of P.json beside P.npy, as extract writes it; with --counts: which languages and their order, default tokens.json)")
    List<String> languages;

    @Option(names = "--method", defaultValue = "zhang", paramLabel = "zhang|lape",
            description = "zhang (entropy - lambda * max p, default) or lape")
    String method;

    @Option(names = "--top-rate", defaultValue = "0.01", description = "share of all neurons selected (default ${DEFAULT-VALUE})")
    double topRate;

    @Option(names = "--activation-bar-ratio", defaultValue = "0.95",
            description = "tau = kthvalue of all p at round(L*D*K*ratio) (default ${DEFAULT-VALUE}: top 5%%)")
    double activationBarRatio;

    @Option(names = "--lambda", description = "fixed lambda for --method zhang; default: binary search as the reference autosweep")
    Double lambda;

    @Option(names = "--lambda-lo", defaultValue = "0.0", description = "lambda search bracket low (default ${DEFAULT-VALUE})")
    double lambdaLo;

    @Option(names = "--lambda-hi", defaultValue = "0.2", description = "lambda search bracket high (default ${DEFAULT-VALUE})")
    double lambdaHi;

    @Option(names = "--lambda-eps", defaultValue = "0.001", description = "lambda search stops when hi - lo <= eps (default ${DEFAULT-VALUE})")
    double lambdaEps;

    @Option(names = "--lambda-max-iters", defaultValue = "64", description = "lambda search iteration cap (default ${DEFAULT-VALUE})")
    int lambdaMaxIters;

    @Option(names = "--out", required = true, paramLabel = "T.json", description = "output JSON file")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Method m = method(method);
            if (m == Method.LAPE && lambda != null) {
                throw new IllegalArgumentException("--lambda applies to --method zhang only");
            }
            ActivationProbabilities p = load();
            NeuronTypes.Options options = new NeuronTypes.Options(m, topRate, activationBarRatio,
                    lambda == null ? OptionalDouble.empty() : OptionalDouble.of(lambda),
                    new LambdaSweep.Settings(lambdaLo, lambdaHi, lambdaEps, lambdaMaxIters));
            long t0 = System.nanoTime();
            NeuronTypesResult r = NeuronTypes.classify(p, options);
            long t1 = System.nanoTime();
            NeuronTypesJson.write(r, out);
            spec.commandLine().getOut().println(summary(r, (t1 - t0) / 1e6));
            return 0;
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            err.println("neuron-types: " + e.getMessage());
            return 1;
        }
    }

    private ActivationProbabilities load() throws IOException {
        if (input.probabilities != null) {
            List<String> langs = languages;
            if (langs == null || langs.isEmpty()) {
                langs = ProbabilityFiles.sidecarLanguages(input.probabilities);
            }
            if (langs == null) {
                throw new IllegalArgumentException("--probabilities " + input.probabilities
                        + " needs --languages (the order of its last axis) or a sidecar .json with 'languages'");
            }
            return ProbabilityFiles.readNpy(input.probabilities, langs);
        }
        return ProbabilityFiles.readNjunlpCounts(input.counts, languages);
    }

    private static Method method(String name) {
        for (Method m : Method.values()) {
            if (m.id().equals(name.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("--method " + name + ": expected zhang or lape");
    }

    private String summary(NeuronTypesResult r, double millis) {
        StringBuilder s = new StringBuilder(r.method().id());
        r.lambda().ifPresent(l -> s.append(": lambda ").append(l));
        r.sweep().ifPresent(w -> s.append(" (searched, ").append(w.trajectory().size()).append(" evaluations)"));
        return s.append(String.format(Locale.ROOT,
                ", k %d, tau %s (float32 bits 0x%08x); specific %d, related %d, general %d; %.0f ms -> %s",
                r.k(), r.tau(), Float.floatToRawIntBits(r.tau()), r.specificTotal(), r.relatedTotal(),
                r.generalTotal(), millis, out)).toString();
    }
}
