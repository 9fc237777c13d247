package io.linguaflow.streams.query;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** Checkpoints side by side: the trend of a model over its training steps, and the comparison of two checkpoints. */
final class TrendQueries {

    /** The most final summaries kept (neuron-type changes, best probe, expert overlap: a few hundred bytes each). */
    private static final int FINALS_KEPT = 4096;

    /** What a trend shows of one checkpoint's metrics, in answer order (NaN metrics are null, as in the metrics). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Point(String checkpointId, Long step, boolean complete, int samplesSeen, int samplesExpected, Double lrds, Double sads,
                 Double meanSameLangDiffMeaning, Double meanDiffLangSameMeaning, Double meanDiffLangDiffMeaning, int sklr,
                 Double sklrFraction, Map<String, Integer> keyNeuronCounts) {
    }

    /** What a comparison subtracts (null, i.e. NaN, counts as 0) and whose key regions it overlaps. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Headline(double lrds, double sads, double sklr, List<String> languages) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Region(Set<Integer> neurons) {
    }

    private final CheckpointQueries checkpoints;
    private final EvaluationQueries evaluations;
    private final ProbeQueries probes;
    private final ExpertQueries experts;
    /**
     * Summaries of final results by kind and checkpoint(s): the trend is polled, and these answers never change (neuron-type
     * changes of consecutive complete checkpoints, a probe of every layer, published experts).
     */
    private final Map<String, JsonNode> finals = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JsonNode> eldest) {
            return size() > FINALS_KEPT;
        }
    };

    TrendQueries(CheckpointQueries checkpoints, EvaluationQueries evaluations, ProbeQueries probes, ExpertQueries experts) {
        this.checkpoints = checkpoints;
        this.evaluations = evaluations;
        this.probes = probes;
        this.experts = experts;
    }

    /**
     * Metrics of every checkpoint of a model, ordered by training step (checkpoints without a step last, by id), each with
     * its evaluation results ({@link EvaluationQueries}; empty when none), when complete its neuron-type changes from
     * the previous complete checkpoint ({@link NeuronTypeChangeQueries}; null for the first, and where either has no
     * neuron types), the best layer of its probes once every layer has one ({@link ProbeQueries}) and the mean
     * cross-language Jaccard of its experts ({@link ExpertQueries}; both null where there are none, e.g. instruments off).
     */
    JsonNode trend(String model) {
        List<Point> points = new ArrayList<>();
        for (JsonNode c : checkpoints.list()) {
            if (model.equals(c.path("model").asText(null)) && c.get("layersReported").asInt() > 0) { // has results, whatever its status
                JsonNode metrics = checkpoints.metrics(c.get("checkpointId").asText(), false);
                points.add(Reply.JSON.convertValue(metrics, Point.class));
            }
        }
        if (points.isEmpty()) {
            throw QueryException.notFound("no analysed checkpoint of model '" + model + "'");
        }
        points.sort(Comparator.comparing((Point p) -> p.step() == null ? Long.MAX_VALUE : p.step()).thenComparing(Point::checkpointId));
        ObjectNode out = Reply.JSON.createObjectNode();
        out.put("model", model);
        ArrayNode a = out.putArray("checkpoints");
        String previous = null; // the latest earlier complete checkpoint
        for (Point p : points) { // XStoryCloze accuracy (Figures 4 and 7) next to LRDS, SADS and SKLR
            ObjectNode point = Reply.JSON.valueToTree(p);
            point.set("evaluations", evaluations.evaluationsOrEmpty(p.checkpointId(), false).get("tasks"));
            point.set("neuronTypeChanges", p.complete() && previous != null ? typeChanges(previous, p.checkpointId()) : null);
            previous = p.complete() ? p.checkpointId() : previous;
            point.set("probeBest", kept("probe|" + p.checkpointId(), () -> probes.bestOfAllLayersOrNull(p.checkpointId())));
            point.set("expertMeanJaccard", kept("experts|" + p.checkpointId(), () -> experts.meanJaccardOrNull(p.checkpointId())));
            a.add(point);
        }
        return out;
    }

    /**
     * The neuron-type changes from {@code from} to {@code to} (both complete, so their neuron types are final and the
     * answer can be kept), or null where either has no neuron types or they lack the general ids.
     */
    private JsonNode typeChanges(String from, String to) {
        return kept("types|" + from + "\n" + to, () -> {
            JsonNode a = neuronTypesOrNull(from);
            JsonNode b = a == null ? null : neuronTypesOrNull(to);
            return b == null ? NullNode.getInstance() : typeChangesSummary(NeuronTypeChangeQueries.changes(from, a, to, b));
        });
    }

    /** The kept summary under {@code key}, else {@code fin}'s answer, kept unless null (not there yet: asked again). */
    private JsonNode kept(String key, Supplier<JsonNode> fin) {
        synchronized (finals) {
            if (finals.containsKey(key)) {
                return finals.get(key);
            }
        }
        JsonNode summary = fin.get();
        if (summary != null) {
            synchronized (finals) {
                finals.put(key, summary);
            }
        }
        return summary;
    }

    /** The checkpoint's neuron types, or null where it has none or they lack the general ids the changes need. */
    private JsonNode neuronTypesOrNull(String cp) {
        try {
            JsonNode t = checkpoints.neuronTypes(cp, false);
            return t.path("general").isArray() ? t : null;
        } catch (QueryException e) {
            if (e.status == 404) {
                return null;
            }
            throw e;
        }
    }

    /** Per type, the whole-model overlap with the previous checkpoint and the change of the type's count (Table 4, Fig. 4). */
    private static ObjectNode typeChangesSummary(JsonNode changes) {
        ObjectNode out = Reply.JSON.createObjectNode();
        out.put("from", changes.get("from").asText());
        changes.get("types").fields().forEachRemaining(t -> {
            ObjectNode type = out.putObject(t.getKey());
            type.setAll((ObjectNode) t.getValue().get("overlap"));
            type.put("countChange", type.get("size").asInt() - type.get("fromSize").asInt());
        });
        return out;
    }

    /** Metrics side by side, b − a of LRDS, SADS and SKLR and, per language of both, the overlap of the key regions. */
    JsonNode compare(String a, String b) {
        JsonNode ma = checkpoints.metrics(a, false);
        JsonNode mb = checkpoints.metrics(b, false);
        Headline ha = Reply.JSON.convertValue(ma, Headline.class);
        Headline hb = Reply.JSON.convertValue(mb, Headline.class);
        ObjectNode out = Reply.JSON.createObjectNode();
        out.set("a", ma);
        out.set("b", mb);
        out.put("lrdsDifference", hb.lrds() - ha.lrds());
        out.put("sadsDifference", hb.sads() - ha.sads());
        out.put("sklrDifference", hb.sklr() - ha.sklr());
        ObjectNode overlap = out.putObject("keyRegionOverlap");
        for (String lang : ha.languages()) {
            if (!hb.languages().contains(lang)) {
                continue;
            }
            Set<Integer> ra = region(a, lang);
            Set<Integer> rb = region(b, lang);
            Set<Integer> both = new HashSet<>(ra);
            both.retainAll(rb);
            int union = ra.size() + rb.size() - both.size();
            ObjectNode o = overlap.putObject(lang);
            o.put("a", ra.size());
            o.put("b", rb.size());
            o.put("both", both.size());
            o.put("jaccard", union == 0 ? 1.0 : (double) both.size() / union);
        }
        return out;
    }

    private Set<Integer> region(String cp, String lang) {
        return Reply.JSON.convertValue(checkpoints.keyRegion(cp, lang, false), Region.class).neurons();
    }
}
