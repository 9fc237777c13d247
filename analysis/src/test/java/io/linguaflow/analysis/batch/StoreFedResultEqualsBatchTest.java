package io.linguaflow.analysis.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.analysis.stats.LayerGroups;
import io.linguaflow.analysis.stats.LayerVector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Streaming equals batch at the level of the published JSON: layer records arrive in random order and
 * update one encoded value per (layer, group) in a key-value map (the streams state layout); the result
 * assembled from that map with {@link AnalysisBuilder} matches {@link Analyzer} on the same vectors.
 */
class StoreFedResultEqualsBatchTest {

    /** A (layer → group key → encoded GroupSums) store, read through the narrow interface. */
    private static final class EncodedLayer implements LayerGroups {
        private final Map<String, byte[]> values;

        EncodedLayer(Map<String, byte[]> values) {
            this.values = values;
        }

        @Override
        public GroupSums total() {
            return GroupSums.decode(values.get("total"));
        }

        @Override
        public List<GroupSums> languageGroups(List<String> order) {
            return order.stream().map(l -> GroupSums.decode(values.get("lang/" + l))).toList();
        }

        @Override
        public Collection<GroupSums> languageGroups() {
            return decodeAll("lang/");
        }

        @Override
        public Collection<GroupSums> meaningGroups() {
            return decodeAll("meaning/");
        }

        private List<GroupSums> decodeAll(String prefix) {
            return values.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(e -> GroupSums.decode(e.getValue())).toList();
        }
    }

    @Test
    void resultFromAnEncodedStoreEqualsTheBatchResult() throws IOException {
        Random rnd = new Random(17);
        int layers = 3;
        int d = 40;
        List<String> ids = new ArrayList<>();
        List<String> langs = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        for (int l = 0; l < 7; l++) {
            double[] dir = new double[layers * d];
            for (int k = 0; k < dir.length; k++) {
                dir[k] = rnd.nextDouble() < 0.1 ? 2 * rnd.nextGaussian() : 0.1 * rnd.nextGaussian();
            }
            for (int s = 0; s < 12; s++) {
                if (rnd.nextDouble() < 0.15 && s > 1) {
                    continue;
                }
                double[] v = new double[layers * d];
                for (int k = 0; k < v.length; k++) {
                    v[k] = 1 + dir[k] + 0.5 * rnd.nextGaussian();
                }
                ids.add("s" + s);
                langs.add("l" + l);
                rows.add(v);
            }
        }
        Corpus corpus = Corpus.of(ids, langs);
        AnalysisResult batch = Analyzer.analyze(new ArrayVectors(rows.toArray(new double[0][]), layers), corpus, AnalysisOptions.defaults());

        // stream: one record per (sample, layer) in random order, each updating three encoded values
        List<Map<String, byte[]>> store = new ArrayList<>();
        for (int m = 0; m < layers; m++) {
            store.add(new TreeMap<>());
        }
        List<int[]> records = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            for (int m = 0; m < layers; m++) {
                records.add(new int[] {i, m});
            }
        }
        Collections.shuffle(records, rnd);
        for (int[] r : records) {
            double[] row = rows.get(r[0]);
            double[] slice = new double[d];
            System.arraycopy(row, r[1] * d, slice, 0, d);
            LayerVector v = LayerVector.of(slice, LayerVector.norm(row));
            Map<String, byte[]> layer = store.get(r[1]);
            update(layer, "total", GroupSums.vectorSums(d), v);
            update(layer, "lang/" + langs.get(r[0]), GroupSums.withNeuronStatistics(d), v);
            update(layer, "meaning/" + ids.get(r[0]), GroupSums.vectorSums(d), v);
        }
        AnalysisBuilder builder = new AnalysisBuilder(corpus.languages(), corpus.meanings().size(), rows.size(), layers, d, 2.0, null);
        for (int m = 0; m < layers; m++) {
            builder.addLayer(m, new EncodedLayer(store.get(m)));
        }
        AnalysisResult streamed = builder.build(List.of());

        JsonNode a = AnalysisJson.toJson(batch);
        JsonNode b = AnalysisJson.toJson(streamed);
        assertTrue(batch.keyRegions().sklr() > 0, "the data has key neurons");
        assertSameJson("", a, b);
    }

    private static void update(Map<String, byte[]> layer, String key, GroupSums fresh, LayerVector v) {
        byte[] old = layer.get(key);
        GroupSums g = old == null ? fresh : GroupSums.decode(old);
        g.add(v);
        layer.put(key, g.encode());
    }

    /** Same structure and values; floating-point numbers within 1e-12, everything else equal (corpus warnings aside). */
    private static void assertSameJson(String path, JsonNode a, JsonNode b) {
        if (path.equals("/warnings")) {
            return; // the batch side adds corpus warnings; the key-region flag is compared as threshold_reachable
        }
        if (a.isObject()) {
            List<String> fa = new ArrayList<>();
            a.fieldNames().forEachRemaining(fa::add);
            List<String> fb = new ArrayList<>();
            b.fieldNames().forEachRemaining(fb::add);
            assertEquals(fa, fb, path);
            for (String f : fa) {
                assertSameJson(path + "/" + f, a.get(f), b.get(f));
            }
        } else if (a.isArray()) {
            assertEquals(a.size(), b.size(), path);
            Iterator<JsonNode> ia = a.elements();
            Iterator<JsonNode> ib = b.elements();
            int i = 0;
            while (ia.hasNext()) {
                assertSameJson(path + "/" + i++, ia.next(), ib.next());
            }
        } else if (a.isDouble()) {
            assertEquals(a.asDouble(), b.asDouble(), 1e-12, path);
        } else {
            assertEquals(a, b, path);
        }
    }
}
