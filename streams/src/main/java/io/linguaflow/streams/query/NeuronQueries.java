package io.linguaflow.streams.query;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.keyregions.LayerScores;
import io.linguaflow.analysis.neurontypes.NeuronType;
import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.streams.aggregator.AggregatorTopology;
import io.linguaflow.streams.aggregator.GroupsFromVectors;
import io.linguaflow.streams.aggregator.StoreKeys;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.LayerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * One neuron: C_l(k), z_l(k) and the key flag per language (from the layer's language groups in
 * {@value AggregatorTopology#GROUPS_STORE}, scored by {@link LayerScores}, docs/math.md §4) and its neuron type
 * (docs/math.md §7). The per-layer view is answered by the owner of the layer; the flat-index view combines it with
 * the checkpoint's metrics and neuron types.
 */
final class NeuronQueries {

    private static final TypeReference<Map<String, List<Integer>>> MASKS = new TypeReference<>() {
    };

    private final LocalStores stores;
    private final Instances instances;
    private final CheckpointQueries checkpoints;

    NeuronQueries(LocalStores stores, Instances instances, CheckpointQueries checkpoints) {
        this.stores = stores;
        this.instances = instances;
        this.checkpoints = checkpoints;
    }

    /** Neuron k = layer·D + d: its per-layer view, and the neuron-type masks it is in. */
    JsonNode neuron(String cp, int k) {
        JsonNode metrics = checkpoints.metrics(cp, false);
        int d = metrics.get("neuronsPerLayer").asInt();
        long neurons = (long) metrics.get("layers").asInt() * d;
        if (k >= neurons) {
            throw QueryException.badRequest("neuron " + k + " outside [0, " + neurons + ") of checkpoint '" + cp + "'");
        }
        ObjectNode out = (ObjectNode) layerNeuron(cp, k / d, k % d, false);
        out.put("neuron", k);
        Map<String, List<Integer>> masks = Reply.JSON.convertValue(checkpoints.neuronTypes(cp, false).get("masks"), MASKS);
        List<String> holding = NeuronType.masksHolding(masks, k);
        ArrayNode inMasks = out.putArray("inNeuronTypeMasks");
        holding.forEach(inMasks::add);
        out.put("neuronType", NeuronType.of(holding.size()).label());
        return out;
    }

    /** Neuron d of a layer, answered by the owner of the layer's groups. */
    JsonNode layerNeuron(String cp, int layer, int d, boolean forwarded) {
        return instances.owned(AggregatorTopology.GROUPS_STORE, StoreKeys.layer(cp, layer), Api.path(Api.LAYER_NEURON, cp, layer, d),
                forwarded, () -> localLayerNeuron(cp, layer, d));
    }

    /** Over the plan's languages with pairs; key flags as the layer's key regions (docs/math.md §4). */
    private JsonNode localLayerNeuron(String cp, int layer, int d) {
        CheckpointPlan plan = stores.plan(cp);
        if (plan == null) {
            throw QueryException.notFound("unknown checkpoint '" + cp + "'");
        }
        ReadOnlyKeyValueStore<String, byte[]> groups = stores.store(AggregatorTopology.GROUPS_STORE);
        String layerKey = StoreKeys.layer(cp, layer);
        LayerState state = stores.<LayerState>store(AggregatorTopology.LAYERS_STORE).get(layerKey);
        // while a layer keeps its vectors its language groups are not logged (docs/state-layout.md): recomputed from them
        Map<String, GroupSums> held = state != null && state.getGroupsFromVectors() && !state.getVectorsDropped()
                ? GroupsFromVectors.of(stores.store(AggregatorTopology.VECTORS_STORE), groups, layerKey, k -> StoreKeys.isLanguage(layerKey, k))
                : null;
        List<String> present = new ArrayList<>();
        List<GroupSums> languageGroups = new ArrayList<>();
        Function<String, GroupSums> languageGroup = held != null ? held::get : key -> {
            byte[] stored = groups.get(key);
            return stored == null ? null : GroupSums.decode(stored);
        };
        for (String lang : plan.getLanguages()) {
            GroupSums g = languageGroup.apply(StoreKeys.language(layerKey, lang));
            if (g == null) {
                continue;
            }
            if (d >= g.dimension()) {
                throw QueryException.badRequest("neuron " + d + " outside [0, " + g.dimension() + ") of layer " + layer);
            }
            present.add(lang);
            languageGroups.add(g);
        }
        LayerScores.Neuron view = LayerScores.neuron(languageGroups, plan.getLfCompat(), d, plan.getThreshold());
        if (view.languages().length == 0) {
            throw QueryException.notFound("checkpoint '" + cp + "' has no aggregated samples in layer " + layer);
        }
        ObjectNode out = Reply.JSON.createObjectNode();
        out.put("checkpointId", cp);
        out.put("layer", layer);
        out.put("index", d);
        out.put("threshold", plan.getThreshold());
        ArrayNode langs = out.putArray("languages");
        for (int l = 0; l < view.languages().length; l++) {
            ObjectNode n = langs.addObject();
            n.put("lang", present.get(view.languages()[l]));
            n.put("contribution", view.contributions()[l]);
            n.put("z", view.z()[l]);
            n.put("key", view.key()[l]);
        }
        return out;
    }
}
