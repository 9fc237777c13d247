package io.linguaflow.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.neurontypes.TypeDynamics;
import io.linguaflow.analysis.neurontypes.TypeSets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The neuron-type changes from one checkpoint to another (Zhang et al. 2025 Fig. 4, Table 4): both checkpoints'
 * {@code NeuronTypes} (each from the owner of its checkpoint, through {@link CheckpointQueries#neuronTypes}) compared
 * by {@link TypeDynamics#changes}; this class only assembles.
 */
final class NeuronTypeChangeQueries {

    private final CheckpointQueries checkpoints;

    NeuronTypeChangeQueries(CheckpointQueries checkpoints) {
        this.checkpoints = checkpoints;
    }

    /** Changes from checkpoint {@code from} to checkpoint {@code cp}. */
    JsonNode changes(String cp, String from) {
        return changes(from, checkpoints.neuronTypes(from, false), cp, checkpoints.neuronTypes(cp, false));
    }

    /** The answer for two {@code NeuronTypes} records as the neuron-types route gives them. */
    static JsonNode changes(String from, JsonNode fromTypes, String to, JsonNode toTypes) {
        TypeSets a = sets(from, fromTypes);
        TypeSets b = sets(to, toTypes);
        TypeDynamics.Changes c;
        try {
            c = TypeDynamics.changes(a, b);
        } catch (IllegalArgumentException e) {
            throw QueryException.badRequest("checkpoints '" + from + "' and '" + to + "': " + e.getMessage());
        }
        ObjectNode out = Reply.JSON.createObjectNode();
        out.put("checkpointId", to);
        out.put("from", from);
        out.put("layers", b.layers());
        out.put("neuronsPerLayer", b.neuronsPerLayer());
        languages(out.putArray("fromLanguages"), a);
        languages(out.putArray("languages"), b);
        ObjectNode types = out.putObject("types");
        for (TypeSets.Kind k : TypeSets.Kind.values()) {
            ObjectNode t = types.putObject(k.id());
            ArrayNode delta = t.putArray("deltaPerLayer");
            for (int d : c.deltaPerLayer().get(k)) {
                delta.add(d);
            }
            overlap(t.putObject("overlap"), c.overlap().get(k));
            ArrayNode perLayer = t.putArray("overlapPerLayer");
            for (TypeDynamics.Overlap o : c.overlapPerLayer().get(k)) {
                overlap(perLayer.addObject(), o);
            }
        }
        return out;
    }

    private static TypeSets sets(String cp, JsonNode types) {
        JsonNode general = types.get("general");
        if (general == null || !general.isArray()) {
            throw QueryException.notFound("the neuron types of checkpoint '" + cp + "' carry no general neuron ids (written "
                    + "before they were added; reprocess the checkpoint)");
        }
        List<String> langs = new ArrayList<>();
        types.get("languages").forEach(l -> langs.add(l.asText()));
        Map<String, int[]> masks = new LinkedHashMap<>();
        types.get("masks").fields().forEachRemaining(e -> masks.put(e.getKey(), ints(e.getValue())));
        return TypeSets.ofFlatIds("neuron types of checkpoint '" + cp + "'", langs, types.get("layers").asInt(),
                types.get("neuronsPerLayer").asInt(), masks, ints(general));
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static void languages(ArrayNode out, TypeSets s) {
        s.languages().forEach(out::add);
    }

    /** Table 4's overlap ratio with each of its possible denominators (TypeDynamics.Overlap). */
    private static void overlap(ObjectNode out, TypeDynamics.Overlap o) {
        out.put("fromSize", o.sizeA());
        out.put("size", o.sizeB());
        out.put("shared", o.shared());
        out.put("jaccard", o.jaccard());
        out.put("sharedOverFrom", o.overFirst());
        out.put("sharedOverSize", o.overSecond());
    }
}
