package io.linguaflow.streams.aggregator;

import io.linguaflow.analysis.batch.AnalysisOptions;
import io.linguaflow.analysis.keyregions.KeyRegions;
import io.linguaflow.analysis.keyregions.LayerScores;
import io.linguaflow.analysis.keyregions.ZScores;
import io.linguaflow.analysis.metrics.PairClassSums;
import io.linguaflow.analysis.stats.GroupScalars;
import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.analysis.stats.Normalisation;
import io.linguaflow.schemas.codec.LittleEndian;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.LanguageLayer;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.avro.LayerState;
import io.linguaflow.streams.avro.PairSums;
import io.linguaflow.streams.common.PairSumsCodec;
import io.linguaflow.streams.common.Time;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A layer's {@link LayerPartial} read from the aggregator's stores: the pair-class sums from the groups' scalars
 * (docs/math.md §3), the key neurons from the language groups (docs/math.md §4), the NLL sums and, when the layer is
 * complete, the positive-activation counts for neuron types. Formulas are {@code analysis}'; this class only reads and
 * assembles.
 */
final class LayerPartials {

    private static final StringSerializer KEYS = new StringSerializer();

    private final GroupSumsStore groups;
    private final KeyValueStore<String, byte[]> scalars;
    private final KeyValueStore<String, byte[]> nll;

    LayerPartials(GroupSumsStore groups, KeyValueStore<String, byte[]> scalars, KeyValueStore<String, byte[]> nll) {
        this.groups = groups;
        this.scalars = scalars;
        this.nll = nll;
    }

    /** Layer {@code layer} of {@code checkpointId}: pair-class sums in both normalisations and its key neurons; counts when complete. */
    LayerPartial of(String checkpointId, int layer, LayerState state, CheckpointPlan plan, boolean complete) {
        String layerKey = StoreKeys.layer(checkpointId, layer);
        // the language groups are live until the layer completes: their scalars, and the total's (T is their union: every
        // sample is in one language), come from them once per partial; so do the live meanings', while a collapsed
        // meaning has only its stored scalars (LayerAggregator#collapseIfComplete)
        Map<String, Scalars> languageScalars = new LinkedHashMap<>();
        String languagePrefix = StoreKeys.languagePrefix(layerKey);
        GroupSums all = GroupSums.vectorSums(state.getNeuronsPerLayer());
        for (String key : groups.keys(languagePrefix)) {
            GroupSums language = groups.sums(key);
            languageScalars.put(key.substring(languagePrefix.length()), Scalars.of(language));
            all.merge(language);
        }
        Scalars total = Scalars.of(all);
        Map<String, Scalars> meaningScalars = meaningScalars(layerKey);
        List<String> languages = order(plan, languageScalars.keySet());
        double threshold = plan == null ? AnalysisOptions.DEFAULT_THRESHOLD : plan.getThreshold();
        boolean lfCompat = plan != null && plan.getLfCompat();
        int d = state.getNeuronsPerLayer();

        List<String> warnings = new ArrayList<>();
        if (state.getUnplanned() > 0) {
            warnings.add("layer " + layer + ": " + state.getUnplanned() + " sample(s) counted before the plan landed are not in it"
                    + " (named in the aggregator's log); these statistics include them");
        }
        List<GroupSums> languageGroups = new ArrayList<>();
        long[] samples = languages.stream().mapToLong(lang -> languageScalars.get(lang).model().count()).toArray();
        KeyRegions regions = null;
        if (LayerScores.scorable(samples)) {
            for (String lang : languages) {
                languageGroups.add(groups.sums(StoreKeys.language(layerKey, lang)));
            }
            LayerScores scores = LayerScores.of(languageGroups, lfCompat);
            regions = new KeyRegions.Builder(languages, 1, d, threshold).addLayer(0, scores.z()).build();
            if (regions.warning() != null) {
                warnings.add(regions.warning());
            }
        } else {
            warnings.add("layer " + layer + ": key regions need at least 2 languages with at least 2 samples each");
        }
        List<LanguageLayer> perLanguage = new ArrayList<>();
        for (int l = 0; l < languages.size(); l++) {
            String lang = languages.get(l);
            List<Integer> keyNeurons = new ArrayList<>();
            if (regions != null) {
                for (long k : regions.neurons().get(lang)) {
                    keyNeurons.add((int) k);
                }
            }
            LanguageLayer.Builder b = LanguageLayer.newBuilder().setLang(lang)
                    .setSamples((int) languageScalars.get(lang).model().count()).setKeyNeurons(keyNeurons);
            byte[] nllSums = nll.get(StoreKeys.nll(layerKey, lang));
            if (nllSums != null) {
                ByteBuffer n = ByteBuffer.wrap(nllSums);
                b.setNllSum(n.getDouble(0)).setPredictedTokens(n.getLong(8));
            }
            if (complete && regions != null && languageGroups.get(l).positiveCounts() != null) {
                b.setPositiveCounts(LittleEndian.int64s(languageGroups.get(l).positiveCounts())).setTokenCount(languageGroups.get(l).tokenCount());
            }
            perLanguage.add(b.build());
        }
        boolean reachable = regions == null
                ? ZScores.maxReachable(languages.size()) > threshold : regions.thresholdReachable();
        return LayerPartial.newBuilder().setCheckpointId(checkpointId).setCorpus(state.getCorpus()).setLayer(layer)
                .setLayers(state.getLayers()).setNeuronsPerLayer(d).setSamples(state.getSamples()).setComplete(complete)
                .setWholeModel(pairSums(total, languageScalars, meaningScalars, Normalisation.MODEL))
                .setPerLayer(pairSums(total, languageScalars, meaningScalars, Normalisation.LAYER))
                .setLanguages(perLanguage).setThreshold(threshold).setThresholdReachable(reachable).setWarnings(warnings)
                .setComputedAt(Time.now()).build();
    }

    /**
     * Every meaning's scalars by meaning id: the collapsed meanings' as stored, the live ones' from their groups (which
     * win over scalars a build before b65499b (2026-12-07) stored for live meanings too).
     */
    private Map<String, Scalars> meaningScalars(String layerKey) {
        String prefix = StoreKeys.meaningPrefix(layerKey);
        Map<String, Scalars> out = new TreeMap<>();
        try (KeyValueIterator<String, byte[]> it = scalars.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(kv -> out.put(kv.key.substring(prefix.length()), Scalars.decode(kv.value)));
        }
        for (String key : groups.keys(prefix)) {
            out.put(key.substring(prefix.length()), Scalars.of(groups.sums(key)));
        }
        return out;
    }

    /** The plan's language order (corpus order), then any language the plan does not know, in key order. */
    private static List<String> order(CheckpointPlan plan, Set<String> present) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        if (plan != null) {
            plan.getLanguages().stream().filter(present::contains).forEach(out::add);
        }
        out.addAll(present);
        return List.copyOf(out);
    }

    private static PairSums pairSums(Scalars total, Map<String, Scalars> languages, Map<String, Scalars> meanings, Normalisation n) {
        List<GroupScalars> l = languages.values().stream().map(s -> s.get(n)).toList();
        List<GroupScalars> s = meanings.values().stream().map(x -> x.get(n)).toList();
        return PairSumsCodec.toAvro(PairClassSums.of(total.get(n), l, s));
    }
}
