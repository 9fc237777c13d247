package io.linguaflow.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.experts.CrossLanguageOverlap;
import io.linguaflow.analysis.experts.ExpertNeurons;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.ExpertOverlap;
import io.linguaflow.schemas.avro.ExpertRanking;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.instruments.InstrumentTopology;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * The expert neurons of a checkpoint (Suau et al. as used by Riemenschneider &amp; Frank; {@code analysis.experts}),
 * published once per checkpoint by the instruments' combiner into {@value InstrumentTopology#EXPERTS_STORE} under
 * {@code <cp>|<concept>|<lang>}, partitioned by the checkpoint: its owner ({@code queryMetadataForKey(store, cp)})
 * answers, in-process or forwarded. Without parameters: which concepts are ranked in which languages, and how much the
 * languages share each concept's experts ({@link CrossLanguageOverlap}); with {@code concept} and {@code lang}: that
 * ranking (k experts by AP and the overlaps with the other languages). Answers are bounded: names and means, or one
 * ranking of k experts.
 */
final class ExpertQueries {

    private static final StringSerializer KEYS = new StringSerializer();

    private final LocalStores stores;
    private final Instances instances;

    ExpertQueries(LocalStores stores, Instances instances) {
        this.stores = stores;
        this.instances = instances;
    }

    /** The listing ({@code concept} and {@code lang} null) or one ranking; 400 when only one of the two is given. */
    JsonNode experts(String cp, String concept, String lang, boolean forwarded) {
        if ((concept == null) != (lang == null)) {
            throw QueryException.badRequest("query parameters 'concept' and 'lang' go together: both for one ranking, neither "
                    + "for the list of concepts and languages");
        }
        stores.requireInstruments(InstrumentTopology.EXPERTS_STORE);
        CheckpointPlan plan = stores.plan(cp); // global: known on every instance, so no call is forwarded for it
        if (plan == null) {
            throw QueryException.notFound("unknown checkpoint '" + cp + "'");
        }
        String path = Api.path(Api.EXPERTS, cp) + (concept == null ? ""
                : "?concept=" + Api.encode(concept) + "&lang=" + Api.encode(lang));
        return instances.owned(InstrumentTopology.EXPERTS_STORE, cp, path, forwarded, () -> {
            if (concept != null) {
                ExpertRanking r = stores.<ExpertRanking>store(InstrumentTopology.EXPERTS_STORE).get(Keys.expertRanking(cp, concept, lang));
                if (r == null) {
                    throw QueryException.notFound("checkpoint '" + cp + "' has no expert ranking of concept " + Api.quote(concept)
                            + " in language " + Api.quote(lang) + (rankings(cp).isEmpty() ? ": " + why(plan)
                            : " (see /checkpoints/{id}/experts for the concepts and languages it has)"));
                }
                return AvroJson.of(r);
            }
            List<ExpertRanking> all = rankings(cp);
            if (all.isEmpty()) {
                throw QueryException.notFound("checkpoint '" + cp + "' has no expert neurons: " + why(plan));
            }
            return listing(cp, all);
        });
    }

    /** The checkpoint's mean cross-language Jaccard ({@link CrossLanguageOverlap#mean()}), or null where it has no experts. */
    JsonNode meanJaccardOrNull(String cp) {
        try {
            return experts(cp, null, null, false).get("meanJaccard");
        } catch (QueryException e) {
            if (e.status == 404) {
                return null;
            }
            throw e;
        }
    }

    /** This instance's rankings of {@code cp}, in key order (concept, then language). */
    private List<ExpertRanking> rankings(String cp) {
        List<ExpertRanking> out = new ArrayList<>();
        try (KeyValueIterator<String, ExpertRanking> it = stores.<ExpertRanking>store(InstrumentTopology.EXPERTS_STORE)
                .prefixScan(cp + "|", KEYS)) { // '|' is never part of a checkpoint id
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    private static String why(CheckpointPlan plan) {
        return plan.getConceptsByMeaning() == null
                ? "its corpus carries no concept labels (produce-corpus --labels-column)"
                : "not published yet (once every layer is complete, from the maxima the workers capture with --emit-maxima)";
    }

    private static JsonNode listing(String cp, List<ExpertRanking> all) {
        Map<String, List<String>> langsOfConcept = new TreeMap<>();
        Map<String, List<ExpertNeurons.Overlap>> pairs = new TreeMap<>();
        Set<String> languages = new LinkedHashSet<>();
        for (ExpertRanking r : all) {
            langsOfConcept.computeIfAbsent(r.getConcept(), c -> new ArrayList<>()).add(r.getLang());
            languages.add(r.getLang());
            List<ExpertNeurons.Overlap> p = pairs.computeIfAbsent(r.getConcept(), c -> new ArrayList<>());
            for (ExpertOverlap o : r.getOverlaps()) {
                if (r.getLang().compareTo(o.getLang()) < 0) { // both rankings of a pair name it: count it once
                    p.add(new ExpertNeurons.Overlap(r.getLang(), o.getLang(), o.getShared(), o.getSharedOverK(), o.getJaccard()));
                }
            }
        }
        CrossLanguageOverlap overlap = CrossLanguageOverlap.of(pairs);
        ObjectNode out = Reply.JSON.createObjectNode();
        out.put("checkpointId", cp);
        out.put("k", all.get(0).getK());
        ArrayNode langs = out.putArray("languages");
        languages.stream().sorted().forEach(langs::add);
        out.set("meanJaccard", Reply.JSON.valueToTree(overlap.mean()));
        ArrayNode concepts = out.putArray("concepts");
        langsOfConcept.forEach((c, ls) -> {
            ObjectNode n = concepts.addObject();
            n.put("concept", c);
            ls.forEach(n.putArray("languages")::add);
            n.set("meanJaccard", Reply.JSON.valueToTree(overlap.perConcept().get(c)));
        });
        return out;
    }
}
