package io.linguaflow.streams.aggregator;

import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.schemas.Keys;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A layer's groups recomputed from its similarity vectors ({@value AggregatorTopology#VECTORS_STORE}), which hold every
 * sample the layer counted with everything {@link GroupSums#add} reads. The sums are order-independent (docs/math.md §10),
 * so this equals, bit for bit, the groups the records built one by one: the aggregator need not log an incomplete layer's
 * groups when it keeps the vectors (docs/state-layout.md "Groups rebuilt from the vectors").
 */
public final class GroupsFromVectors {

    private GroupsFromVectors() {
    }

    /**
     * Those of the layer's language and meaning groups whose {@link StoreKeys} key is {@code wanted}, by key;
     * empty when the layer has no vectors. The language groups' activation counts are those logged in {@code groups}
     * ({@link GroupSumsStore#hold}) where there are any; else those of the vectors (written by older builds).
     */
    public static Map<String, GroupSums> of(ReadOnlyKeyValueStore<String, byte[]> vectors, ReadOnlyKeyValueStore<String, byte[]> groups,
            String layerKey, Predicate<String> wanted) {
        Map<String, GroupSums> sums = new LinkedHashMap<>();
        Map<String, Boolean> decided = new HashMap<>(); // wanted is asked once per group, not once per sample
        String prefix = StoreKeys.samplePrefix(layerKey);
        try (KeyValueIterator<String, byte[]> it = vectors.prefixScan(prefix, new StringSerializer())) {
            it.forEachRemaining(kv -> {
                String sampleId = kv.key.substring(prefix.length());
                GroupSums.Slice x = null; // normalised once, for the first group that wants the sample
                for (String key : List.of(StoreKeys.language(layerKey, Keys.sampleLang(sampleId)), StoreKeys.meaning(layerKey, Keys.sampleMeaning(sampleId)))) {
                    if (decided.computeIfAbsent(key, wanted::test)) {
                        if (x == null) {
                            x = GroupSums.slice(StoredVector.decode(kv.key, kv.value).layerVector());
                        }
                        int d = x.dimension();
                        sums.computeIfAbsent(key, k -> StoreKeys.isLanguage(layerKey, k) ? GroupSums.withNeuronStatistics(d) : GroupSums.vectorSums(d)).add(x);
                    }
                }
            });
        }
        sums.forEach((key, g) -> {
            byte[] counts = StoreKeys.isLanguage(layerKey, key) ? groups.get(StoreKeys.countsOf(key)) : null;
            if (counts != null) {
                g.restoreActivationCounts(counts);
            }
        });
        return sums;
    }
}
