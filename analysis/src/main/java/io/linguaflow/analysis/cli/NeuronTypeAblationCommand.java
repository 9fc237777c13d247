package io.linguaflow.analysis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.neurontypes.TypeSets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code linguaflow neuron-type-ablation}: neuron-type sets as an ablation file for {@code perplexity --ablate}. */
@Command(name = "neuron-type-ablation", mixinStandardHelpOptions = true,
        description = {
            "Converts a neuron-types result into ablation sets (K.json: named arrays of flat neuron ids l*D + n, as",
            "perplexity/eval --ablate read): per language its neurons of the given types (general ones in every",
            "language), or with --combined one set, the union of the types."})
public final class NeuronTypeAblationCommand implements Callable<Integer> {

    @Option(names = "--types", required = true, paramLabel = "T.json", description = "a neuron-types result")
    Path types;

    @Option(names = "--type", split = ",", defaultValue = "specific", paramLabel = "TYPE",
            description = "specific, related, general, comma-separated (default ${DEFAULT-VALUE})")
    List<String> kinds;

    @Option(names = "--combined", description = "one set named by the types (e.g. specific+related) instead of one per language")
    boolean combined;

    @Option(names = "--out", required = true, paramLabel = "K.json", description = "output JSON file")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            List<TypeSets.Kind> k = new ArrayList<>();
            for (String s : kinds) {
                k.add(TypeSets.Kind.of(s.trim()));
            }
            Map<String, int[]> sets = TypeSets.read(types).ablationSets(k, !combined);
            ObjectMapper m = new ObjectMapper();
            ObjectNode o = m.createObjectNode();
            sets.forEach((name, ids) -> {
                var a = o.putArray(name);
                for (int f : ids) {
                    a.add(f);
                }
            });
            m.writeValue(out.toFile(), o);
            StringBuilder s = new StringBuilder("neuron-type-ablation:");
            sets.forEach((name, ids) -> s.append(' ').append(name).append(' ').append(ids.length));
            spec.commandLine().getOut().println(s.append(" -> ").append(out));
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("neuron-type-ablation: " + e.getMessage());
            return 1;
        }
    }
}
