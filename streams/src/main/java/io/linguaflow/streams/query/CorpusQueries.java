package io.linguaflow.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.streams.planner.PlannerTopology;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * The sentences of a corpus, as the planner stored them ({@value PlannerTopology#SAMPLES_STORE}, keyed
 * {@code <corpus>|<lang>|<meaningId>}): the planner partitions by corpus, so one instance holds a whole corpus and
 * answers for it.
 */
final class CorpusQueries {

    private final LocalStores stores;
    private final Instances instances;

    CorpusQueries(LocalStores stores, Instances instances) {
        this.stores = stores;
        this.instances = instances;
    }

    /** Every sentence of {@code corpus} in corpus order (row index), with its sample id; 404 for a corpus not seen. */
    JsonNode sentences(String corpus, boolean forwarded) {
        return instances.owned(PlannerTopology.SAMPLES_STORE, corpus, Api.path(Api.SENTENCES, corpus), forwarded, () -> {
            List<Sentence> rows = new ArrayList<>();
            try (KeyValueIterator<String, Sentence> it = stores.<Sentence>store(PlannerTopology.SAMPLES_STORE)
                    .prefixScan(corpus + "|", new StringSerializer())) {
                it.forEachRemaining(kv -> rows.add(kv.value));
            }
            if (rows.isEmpty()) {
                throw QueryException.notFound("unknown corpus '" + corpus + "'");
            }
            rows.sort(Comparator.comparingInt(Sentence::getIndex));
            ObjectNode out = Reply.JSON.createObjectNode();
            out.put("corpus", corpus);
            ArrayNode a = out.putArray("sentences");
            for (Sentence s : rows) {
                ObjectNode n = a.addObject();
                n.put("sampleId", Keys.sampleId(s.getLang(), s.getMeaningId()));
                n.put("lang", s.getLang());
                n.put("meaningId", s.getMeaningId());
                n.put("index", s.getIndex());
                n.put("text", s.getText());
            }
            return out;
        });
    }
}
