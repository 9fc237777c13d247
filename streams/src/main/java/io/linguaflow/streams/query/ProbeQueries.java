package io.linguaflow.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.probes.BestLayer;
import io.linguaflow.analysis.probes.LanguageProbe;
import io.linguaflow.schemas.avro.ProbeLayer;
import io.linguaflow.streams.aggregator.StoreKeys;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.instruments.InstrumentTopology;
import java.util.ArrayList;
import java.util.List;

/**
 * The language-identification probes of a checkpoint (Riemenschneider &amp; Frank; {@code analysis.probes.LanguageProbe},
 * computed by the instruments per complete layer): each layer's {@code ProbeLayer} lives in
 * {@value InstrumentTopology#PROBES_STORE} under {@code <cp>|<layer>}, partitioned like the activations, so the instance
 * that gets {@code /probes} gathers the layers from their owners as the similarity map gathers its blocks (in-process,
 * or the owner's {@link Api#PROBE}).
 */
final class ProbeQueries {

    private final LocalStores stores;
    private final Instances instances;

    ProbeQueries(LocalStores stores, Instances instances) {
        this.stores = stores;
        this.instances = instances;
    }

    /**
     * Every reported layer's probe in layer order, how many of the checkpoint's layers reported, and the best layer so
     * far; 404 when the instruments are off, the checkpoint is unknown, or no layer has a probe yet.
     */
    JsonNode probes(String cp) {
        Gathered g = gather(cp, false);
        if (g.probes().isEmpty()) {
            throw QueryException.notFound("no probe result of checkpoint '" + cp + "' yet: a layer's probe is computed when the layer "
                    + "is complete, from the sampled tokens the workers capture with --emit-token-sample");
        }
        ObjectNode out = Reply.JSON.createObjectNode();
        out.put("checkpointId", cp);
        out.put("layers", g.layers());
        out.put("reported", g.probes().size());
        out.put("complete", g.probes().size() == g.layers());
        out.set("best", best(g.probes()));
        ArrayNode probes = out.putArray("probes");
        g.probes().forEach(probes::add);
        return out;
    }

    /** One layer's probe, from the owner of {@code <cp>|<layer>}; 404 when it has none. */
    JsonNode layer(String cp, int layer, boolean forwarded) {
        stores.requireInstruments(InstrumentTopology.PROBES_STORE);
        return instances.owned(InstrumentTopology.PROBES_STORE, StoreKeys.layer(cp, layer), Api.path(Api.PROBE, cp, layer), forwarded, () -> {
            ProbeLayer p = stores.<ProbeLayer>store(InstrumentTopology.PROBES_STORE).get(StoreKeys.layer(cp, layer));
            if (p == null) {
                throw QueryException.notFound("no probe of layer " + layer + " of checkpoint '" + cp + "' (unknown layer, not "
                        + "complete yet, or its records carry no sampled tokens)");
            }
            return AvroJson.of(p);
        });
    }

    /**
     * The best layer of a checkpoint whose every layer has its probe (final then: a layer's probe is computed once), or
     * null: instruments off, unknown checkpoint, a layer without a probe.
     */
    JsonNode bestOfAllLayersOrNull(String cp) {
        try {
            Gathered g = gather(cp, true);
            return g.probes().size() == g.layers() ? best(g.probes()) : null;
        } catch (QueryException e) {
            if (e.status == 404) {
                return null;
            }
            throw e;
        }
    }

    /** The checkpoint's layer count and its layers' probes in layer order. */
    private record Gathered(int layers, List<JsonNode> probes) {
    }

    /** @param stopAtMissing stop at the first layer without a probe (enough for {@link #bestOfAllLayersOrNull}) */
    private Gathered gather(String cp, boolean stopAtMissing) {
        stores.requireInstruments(InstrumentTopology.PROBES_STORE);
        CheckpointPlan plan = stores.plan(cp);
        if (plan == null) {
            throw QueryException.notFound("unknown checkpoint '" + cp + "'");
        }
        List<JsonNode> probes = new ArrayList<>();
        JsonNode first = layerOrNull(cp, 0);
        // the plan has the layer count when the lander read it from config.json; else each probe says it
        int layers = plan.getLayers() != null ? plan.getLayers() : first == null ? 1 : first.get("layers").asInt();
        if (first != null) {
            probes.add(first);
        } else if (stopAtMissing) {
            return new Gathered(layers, probes);
        }
        for (int layer = 1; layer < layers; layer++) {
            JsonNode p = layerOrNull(cp, layer);
            if (p != null) {
                probes.add(p);
            } else if (stopAtMissing) {
                break;
            }
        }
        return new Gathered(layers, probes);
    }

    private JsonNode layerOrNull(String cp, int layer) {
        try {
            return layer(cp, layer, false);
        } catch (QueryException e) {
            if (e.status == 404) {
                return null;
            }
            throw e;
        }
    }

    /** {@code {"layer", "accuracyMean"}} of {@link BestLayer} over the given probes. */
    private static JsonNode best(List<JsonNode> probes) {
        List<LanguageProbe.LayerResult> results = new ArrayList<>();
        for (JsonNode p : probes) {
            JsonNode mean = p.get("accuracyMean"); // null where the accuracy is NaN (AvroJson)
            results.add(new LanguageProbe.LayerResult(p.get("layer").asInt(), mean.isNumber() ? mean.asDouble() : Double.NaN,
                    Double.NaN, List.of()));
        }
        BestLayer b = BestLayer.of(results);
        return b == null ? null : Reply.JSON.valueToTree(b);
    }
}
