package io.linguaflow.streams.aggregator;

import io.linguaflow.analysis.similarity.SimilarityMap;
import io.linguaflow.analysis.stats.Normalisation;
import io.linguaflow.schemas.Keys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The stored vectors of one (checkpoint, layer) from {@value AggregatorTopology#VECTORS_STORE}, in corpus order (by index,
 * then sample id): what that layer's block of the similarity map is computed from, on the instance that owns the layer.
 *
 * @param sampleIds  {@code <lang>|<meaningId>} of each sample, in corpus order
 * @param slices     h̄ᵢᵐ of each sample
 * @param layerNorms ‖h̄ᵢᵐ‖
 * @param modelNorms ‖h̄ᵢ‖ (whole model)
 */
public record LayerSamples(List<String> sampleIds, double[][] slices, double[] layerNorms, double[] modelNorms) {

    public LayerSamples {
        sampleIds = List.copyOf(sampleIds);
    }

    /** Reads the layer's entries of {@code store} (this instance's tasks only); no samples when it holds none. */
    public static LayerSamples read(ReadOnlyKeyValueStore<String, byte[]> store, String checkpointId, int layer) {
        String prefix = StoreKeys.samplePrefix(StoreKeys.layer(checkpointId, layer));
        List<KeyValue<String, StoredVector>> entries = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(prefix, new StringSerializer())) {
            it.forEachRemaining(kv -> entries.add(KeyValue.pair(kv.key.substring(prefix.length()), StoredVector.decode(kv.key, kv.value))));
        }
        entries.sort(Comparator.comparingInt((KeyValue<String, StoredVector> e) -> e.value.index()).thenComparing(e -> e.key));
        int n = entries.size();
        List<String> ids = new ArrayList<>(n);
        double[][] slices = new double[n][];
        double[] layerNorms = new double[n];
        double[] modelNorms = new double[n];
        for (int i = 0; i < n; i++) {
            StoredVector v = entries.get(i).value;
            ids.add(entries.get(i).key);
            slices[i] = v.values();
            layerNorms[i] = v.layerNorm();
            modelNorms[i] = v.modelNorm();
        }
        return new LayerSamples(ids, slices, layerNorms, modelNorms);
    }

    public int size() {
        return sampleIds.size();
    }

    /** The layer's block: its summand of the whole-model map (MODEL) or the per-layer map (LAYER). */
    public SimilarityMap block(Normalisation n) {
        return SimilarityMap.layerBlock(slices, n == Normalisation.MODEL ? modelNorms : layerNorms);
    }

    /** The language of each sample ({@link Keys#sampleLang}). */
    public static List<String> languagesOf(List<String> sampleIds) {
        return sampleIds.stream().map(Keys::sampleLang).toList();
    }

    /** SHA-256 (hex) of the sample ids in order, each followed by '\n': layers whose blocks are summed must agree on it. */
    public String digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String id : sampleIds) {
                sha.update(id.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
