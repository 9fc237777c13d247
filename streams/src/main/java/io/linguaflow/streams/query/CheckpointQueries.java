package io.linguaflow.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.LayerMetrics;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.NeuronTypes;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.common.LatestProgress;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.metrics.CheckpointResults;
import io.linguaflow.streams.metrics.MetricsTopology;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Checkpoints and their results: the list (gathered from all instances, plus planned checkpoints), metrics, one layer's
 * metrics, a key region and the neuron types. Each per-checkpoint answer comes from the owner of the checkpoint's
 * partition in {@value MetricsTopology#LAYERS_STORE}: in-process here, else through {@link Instances}.
 */
final class CheckpointQueries {

    /** The stages of checkpoints that may have no plan: listed from their progress alone. */
    private static final Set<Stage> PROGRESS_ONLY = EnumSet.of(Stage.WAITING_FOR_CORPUS, Stage.SKIPPED_DUPLICATE, Stage.FAILED);

    private final LocalStores stores;
    private final Instances instances;

    CheckpointQueries(LocalStores stores, Instances instances) {
        this.stores = stores;
        this.instances = instances;
    }

    /**
     * Every checkpoint: the local lists of all instances, plus planned ones without results yet (global plans store), with
     * the latest progress message (global progress store). A reported failure makes an incomplete checkpoint FAILED; a
     * checkpoint known only from its progress (waiting for its corpus, skipped as a duplicate, failed) has that stage.
     */
    JsonNode list() {
        Map<String, ObjectNode> all = new TreeMap<>();
        for (JsonNode local : instances.gather(Api.CHECKPOINTS + "?scope=local", this::localList)) {
            local.forEach(n -> all.put(n.get("checkpointId").asText(), (ObjectNode) n));
        }
        try (KeyValueIterator<String, CheckpointPlan> it = stores.<CheckpointPlan>store(Plans.STORE).all()) {
            it.forEachRemaining(kv -> all.computeIfAbsent(kv.key, cp -> status(cp, kv.value, "PLANNED", 0, 0, kv.value.getLayers())));
        }
        try (KeyValueIterator<String, Progress> it = stores.<Progress>store(LatestProgress.STORE).all()) {
            it.forEachRemaining(kv -> {
                Progress p = kv.value;
                ObjectNode n = all.get(kv.key);
                if (n == null && !PROGRESS_ONLY.contains(p.getStage())) {
                    return; // the plans store lists it: its progress can be read before its plan
                }
                if (n == null) {
                    n = status(kv.key, null, p.getStage().name(), 0, 0, null);
                    n.put("samplesExpected", p.getSamplesExpected());
                    all.put(kv.key, n);
                } else if (p.getStage() == Stage.FAILED && !n.get("status").asText().equals("COMPLETE")) {
                    n.put("status", "FAILED");
                }
                n.put("message", p.getMessage());
            });
        }
        ArrayNode out = Reply.JSON.createArrayNode();
        all.values().forEach(out::add);
        return out;
    }

    /** One checkpoint's entry of {@link #list()}, with its status and latest message; 404 when no instance knows it. */
    JsonNode status(String cp) {
        for (JsonNode n : list()) {
            if (n.get("checkpointId").asText().equals(cp)) {
                return n;
            }
        }
        throw QueryException.notFound("unknown checkpoint '" + cp + "'");
    }

    /** Status of every checkpoint whose partials this instance holds. */
    JsonNode localList() {
        ArrayNode out = Reply.JSON.createArrayNode();
        for (CheckpointResults r : CheckpointResults.loadAll(stores.<LayerPartial>store(MetricsTopology.LAYERS_STORE), stores::plan)) {
            out.add(status(r.checkpointId(), r.plan(), r.complete() ? "COMPLETE" : "AGGREGATING", r.samplesSeen(), r.partials().size(),
                    r.layers()));
        }
        return out;
    }

    JsonNode metrics(String cp, boolean forwarded) {
        return owned(cp, Api.path(Api.METRICS, cp), forwarded, () -> AvroJson.of(stores.results(cp).metrics()));
    }

    JsonNode layer(String cp, int layer, boolean forwarded) {
        return owned(cp, Api.path(Api.LAYER, cp, layer), forwarded, () -> {
            Metrics m = stores.results(cp).metrics();
            for (LayerMetrics l : m.getPerLayer()) {
                if (l.getLayer() == layer) {
                    return AvroJson.of(l);
                }
            }
            throw QueryException.notFound("checkpoint '" + cp + "' has no layer " + layer + " (layers 0.." + (m.getLayers() - 1) + ")");
        });
    }

    JsonNode keyRegion(String cp, String lang, boolean forwarded) {
        return owned(cp, Api.path(Api.KEY_REGION, cp, lang), forwarded, () -> {
            for (KeyRegion r : stores.results(cp).keyRegions()) {
                if (r.getLang().equals(lang)) {
                    return AvroJson.of(r);
                }
            }
            throw QueryException.notFound("checkpoint '" + cp + "' has no language '" + lang + "'");
        });
    }

    JsonNode neuronTypes(String cp, boolean forwarded) {
        return owned(cp, Api.path(Api.NEURON_TYPES, cp), forwarded, () -> {
            NeuronTypes t = stores.<NeuronTypes>store(MetricsTopology.NEURON_TYPES_STORE).get(cp);
            if (t == null) {
                throw QueryException.notFound(stores.plan(cp) == null ? "unknown checkpoint '" + cp + "'"
                        : "checkpoint '" + cp + "' has no neuron types (not complete yet, or its records carry no activation counts)");
            }
            return AvroJson.of(t);
        });
    }

    /** The checkpoint's results and neuron types live in the task of its partition of {@value MetricsTopology#LAYERS_STORE}. */
    private JsonNode owned(String cp, String path, boolean forwarded, java.util.function.Supplier<JsonNode> local) {
        return instances.owned(MetricsTopology.LAYERS_STORE, cp, path, forwarded, local);
    }

    private static ObjectNode status(String cp, CheckpointPlan plan, String status, int samplesSeen, int layersReported, Integer layers) {
        ObjectNode n = Reply.JSON.createObjectNode();
        n.put("checkpointId", cp);
        n.put("model", plan == null ? null : plan.getModel());
        if (plan == null || plan.getStep() == null) {
            n.putNull("step");
        } else {
            n.put("step", plan.getStep());
        }
        n.put("corpus", plan == null ? null : plan.getCorpus());
        n.put("status", status);
        n.put("samplesExpected", plan == null ? 0 : plan.getSamplesExpected());
        n.put("samplesSeen", samplesSeen);
        n.put("layersReported", layersReported);
        if (layers == null) {
            n.putNull("layers");
        } else {
            n.put("layers", layers);
        }
        n.putNull("message");
        return n;
    }
}
