package io.linguaflow.streams.instruments;

import io.linguaflow.analysis.experts.ExpertNeurons;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.Expert;
import io.linguaflow.schemas.avro.ExpertOverlap;
import io.linguaflow.schemas.avro.ExpertRanking;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.streams.aggregator.StoreKeys;
import io.linguaflow.streams.avro.ExpertPartial;
import io.linguaflow.streams.avro.LayerExperts;
import io.linguaflow.streams.common.Time;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each layer's expert candidates of a checkpoint and, once every layer has reported, publishes the model-wide
 * top k per (concept, language) with the overlaps across languages ({@link ExpertNeurons#merge}: exactly
 * {@link ExpertNeurons#find} over all neurons), once; then the layers' candidates are deleted.
 */
final class ExpertsCombiner extends ContextualProcessor<String, ExpertPartial, String, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(ExpertsCombiner.class);
    private static final StringSerializer KEYS = new StringSerializer();

    private KeyValueStore<String, ExpertPartial> partials;
    private KeyValueStore<String, ExpertRanking> rankings;
    private KeyValueStore<String, Long> finals;

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        partials = context.getStateStore(InstrumentTopology.EXPERT_LAYERS_STORE);
        rankings = context.getStateStore(InstrumentTopology.EXPERTS_STORE);
        finals = context.getStateStore(InstrumentTopology.EXPERTS_FINAL_STORE);
    }

    @Override
    public void process(Record<String, ExpertPartial> record) {
        ExpertPartial p = record.value();
        if (p == null || finals.get(p.getCheckpointId()) != null) {
            return; // published: never revised
        }
        String cp = p.getCheckpointId();
        partials.put(StoreKeys.layer(cp, p.getLayer()), p);
        List<String> keys = new ArrayList<>();
        List<ExpertPartial> layers = new ArrayList<>();
        try (KeyValueIterator<String, ExpertPartial> it = partials.prefixScan(cp + "|", KEYS)) { // '|' never in an id
            it.forEachRemaining(kv -> {
                keys.add(kv.key);
                layers.add(kv.value);
            });
        }
        if (layers.size() < p.getLayers()) {
            return;
        }
        try {
            publish(cp, layers, record.timestamp());
        } catch (IllegalArgumentException e) {
            DeadLetter d = InstrumentTopology.deadLetter("expert neurons of checkpoint '" + cp + "'", e);
            LOG.warn("{}", d.getError());
            context().forward(new Record<>(cp, d, record.timestamp()));
        }
        keys.forEach(partials::delete);
        finals.put(cp, context().currentSystemTimeMs());
        context().commit(); // publish now rather than at the next commit interval
    }

    private void publish(String cp, List<ExpertPartial> layers, long timestamp) {
        ExpertPartial first = layers.get(0);
        int k = first.getK();
        long neurons = (long) first.getLayers() * first.getNeuronsPerLayer();
        if (k > neurons) { // as find: a k beyond the neuron count is a mistake, not "all neurons"
            throw new IllegalArgumentException("top-k " + k + " must be between 1 and the neuron count "
                    + neurons + " (" + first.getLayers() + " layers x " + first.getNeuronsPerLayer() + ")");
        }
        List<ExpertNeurons.Result> parts = new ArrayList<>();
        for (ExpertPartial p : layers) {
            if (p.getK() != k || p.getNeuronsPerLayer() != first.getNeuronsPerLayer()) {
                throw new IllegalArgumentException("layer " + p.getLayer() + " ranked top " + p.getK()
                        + " of " + p.getNeuronsPerLayer() + " neurons, layer " + first.getLayer() + " top " + k + " of "
                        + first.getNeuronsPerLayer());
            }
            parts.add(result(p));
        }
        // the partials' neuron ids are flat already: no offsets
        ExpertNeurons.Result merged = ExpertNeurons.merge(parts, new int[parts.size()], k);
        merged.concepts().forEach((concept, byLang) -> byLang.forEach((lang, ranking) -> {
            List<ExpertOverlap> overlaps = new ArrayList<>();
            for (ExpertNeurons.Overlap o : merged.overlaps().get(concept)) {
                if (o.a().equals(lang) || o.b().equals(lang)) {
                    overlaps.add(new ExpertOverlap(o.a().equals(lang) ? o.b() : o.a(), o.shared(), o.sharedOverK(), o.jaccard()));
                }
            }
            ExpertRanking r = ExpertRanking.newBuilder().setCheckpointId(cp).setConcept(concept).setLang(lang).setK(k)
                    .setPositives(ranking.positives()).setNegatives(ranking.negatives())
                    .setExperts(ranking.experts().stream().map(x -> new Expert(x.neuron(), x.ap())).toList())
                    .setOverlaps(overlaps).setComputedAt(Time.now()).build();
            String key = Keys.expertRanking(cp, concept, lang);
            rankings.put(key, r);
            context().forward(new Record<>(key, r, timestamp));
        }));
    }

    /** A layer's candidates as the analysis' partial result (concepts and languages in the layer's order). */
    private static ExpertNeurons.Result result(ExpertPartial p) {
        Map<String, Map<String, ExpertNeurons.Ranking>> concepts = new LinkedHashMap<>();
        for (LayerExperts e : p.getRankings()) {
            List<ExpertNeurons.Expert> experts = new ArrayList<>(e.getNeurons().size());
            for (int i = 0; i < e.getNeurons().size(); i++) {
                experts.add(new ExpertNeurons.Expert(e.getNeurons().get(i), e.getAps().get(i)));
            }
            concepts.computeIfAbsent(e.getConcept(), c -> new LinkedHashMap<>())
                    .put(e.getLang(), new ExpertNeurons.Ranking(experts, e.getPositives(), e.getNegatives()));
        }
        return new ExpertNeurons.Result(p.getK(), concepts, Map.of(), List.of());
    }
}
