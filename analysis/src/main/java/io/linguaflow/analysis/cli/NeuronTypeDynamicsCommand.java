package io.linguaflow.analysis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.neurontypes.TypeDynamics;
import io.linguaflow.analysis.neurontypes.TypeSets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code linguaflow neuron-type-dynamics}: layer profiles with phases, and changes between two classifications. */
@Command(name = "neuron-type-dynamics", mixinStandardHelpOptions = true,
        description = {
            "Neuron-type dynamics (Zhang et al. 2025): per neuron-types result the layer profile of specific / related /",
            "general neurons with the four phases marked where the criteria apply (docs/definitions.md); with two",
            "results (two checkpoints or models) also the per-layer changes (second - first) and each type's overlap."})
public final class NeuronTypeDynamicsCommand implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--types", required = true, paramLabel = "T.json", arity = "1",
            description = "a neuron-types result; give it once (profile) or twice (first, second: changes)")
    List<Path> types;

    @Option(names = "--phase-threshold", defaultValue = "0.1",
            description = "a layer is low in specific + related when <= this fraction of their maximum (default ${DEFAULT-VALUE})")
    double phaseThreshold;

    @Option(names = "--out", required = true, paramLabel = "D.json", description = "output JSON file")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            if (types.size() > 2) {
                throw new IllegalArgumentException("--types given " + types.size() + " times; give one or two results");
            }
            ObjectNode root = MAPPER.createObjectNode();
            ArrayNode profiles = root.putArray("profiles");
            TypeSets first = null;
            for (Path t : types) {
                TypeSets s = TypeSets.read(t);
                profiles.add(profile(t, s));
                if (first == null) {
                    first = s;
                } else {
                    root.set("changes", changes(TypeDynamics.changes(first, s)));
                }
            }
            MAPPER.writeValue(out.toFile(), root);
            spec.commandLine().getOut().println("neuron-type-dynamics: " + types.size() + " result(s) -> " + out);
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("neuron-type-dynamics: " + e.getMessage());
            return 1;
        }
    }

    private ObjectNode profile(Path file, TypeSets s) {
        ObjectNode p = MAPPER.createObjectNode();
        p.put("source", file.toString());
        int[] sp = s.perLayer(TypeSets.Kind.SPECIFIC);
        int[] re = s.perLayer(TypeSets.Kind.RELATED);
        int[] ge = s.perLayer(TypeSets.Kind.GENERAL);
        ints(p.putArray("specific"), sp);
        ints(p.putArray("related"), re);
        ints(p.putArray("general"), ge);
        TypeDynamics.Phases ph = TypeDynamics.phases(sp, re, ge, phaseThreshold);
        ObjectNode o = p.putObject("phases");
        o.put("marked", ph.marked());
        o.put("threshold", ph.lowThreshold());
        if (!ph.marked()) {
            o.put("reason", ph.reason());
        } else {
            range(o, "multilingual_understanding", 0, ph.understandingEnd());
            range(o, "shared_semantic_space_reasoning", ph.understandingEnd(), ph.sharedEnd());
            range(o, "multilingual_output_space_transformation", ph.sharedEnd(), ph.layers() - 1);
            range(o, "vocabulary_space_outputting", ph.layers() - 1, ph.layers());
            ph.checks().forEach(o.putObject("checks")::put);
        }
        return p;
    }

    private static void range(ObjectNode o, String name, int from, int to) {
        o.putArray(name).add(from).add(to - 1);
    }

    private static ObjectNode changes(TypeDynamics.Changes c) {
        ObjectNode o = MAPPER.createObjectNode();
        for (TypeSets.Kind k : TypeSets.Kind.values()) {
            ObjectNode t = o.putObject(k.id());
            ints(t.putArray("delta_per_layer"), c.deltaPerLayer().get(k));
            overlap(t.putObject("overlap"), c.overlap().get(k));
            ArrayNode pl = t.putArray("overlap_per_layer");
            for (TypeDynamics.Overlap x : c.overlapPerLayer().get(k)) {
                overlap(pl.addObject(), x);
            }
        }
        return o;
    }

    private static void overlap(ObjectNode o, TypeDynamics.Overlap x) {
        o.put("first", x.sizeA()).put("second", x.sizeB()).put("shared", x.shared()).put("jaccard", x.jaccard())
                .put("shared_over_first", x.overFirst()).put("shared_over_second", x.overSecond());
    }

    private static void ints(ArrayNode a, int[] xs) {
        for (int x : xs) {
            a.add(x);
        }
    }
}
