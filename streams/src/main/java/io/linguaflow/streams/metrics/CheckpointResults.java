package io.linguaflow.streams.metrics;

import io.linguaflow.analysis.metrics.PairClassSums;
import io.linguaflow.analysis.neurontypes.ActivationProbabilities;
import io.linguaflow.analysis.neurontypes.NeuronTypesResult;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.LayerMetrics;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.NeuronTypes;
import io.linguaflow.schemas.codec.LittleEndian;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.LanguageLayer;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.common.PairSumsCodec;
import io.linguaflow.streams.common.Time;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Combines the layer partials of one checkpoint (one per layer, layers 0..M−1) into its published records. Only data
 * moves here: the whole-model sums are {@link PairClassSums#sumOverLayers} of the layers' whole-model partials
 * (docs/math.md §3), the key regions are the union of the layers' selections (z is per neuron, so per layer), and
 * neuron types are {@code analysis.neurontypes} on the summed activation counts.
 *
 * @param plan     the planner's plan, or null when activations arrived for a checkpoint nobody planned
 * @param partials the latest partial of each layer present, ascending by layer
 */
public record CheckpointResults(String checkpointId, CheckpointPlan plan, List<LayerPartial> partials) {

    /** The key of a layer's latest partial in {@link MetricsTopology#LAYERS_STORE}: {@code <checkpointId>|<layer>}. */
    static String storeKey(String checkpointId, int layer) {
        return Keys.activation(checkpointId, layer);
    }

    /**
     * The latest partials of one checkpoint in {@code layers} ({@link MetricsTopology#LAYERS_STORE}, this instance's
     * tasks only); no partials when it holds none.
     */
    public static CheckpointResults load(ReadOnlyKeyValueStore<String, LayerPartial> layers, String checkpointId, CheckpointPlan plan) {
        List<LayerPartial> partials = new ArrayList<>();
        try (KeyValueIterator<String, LayerPartial> it = layers.prefixScan(checkpointId + "|", new StringSerializer())) {
            it.forEachRemaining(kv -> partials.add(kv.value));
        }
        return sorted(checkpointId, plan, partials);
    }

    /** Every checkpoint with partials in {@code layers} (this instance's tasks only), ordered by id. */
    public static List<CheckpointResults> loadAll(ReadOnlyKeyValueStore<String, LayerPartial> layers,
                                                  Function<String, CheckpointPlan> plans) {
        Map<String, List<LayerPartial>> byCheckpoint = new TreeMap<>();
        try (KeyValueIterator<String, LayerPartial> it = layers.all()) {
            it.forEachRemaining(kv -> byCheckpoint.computeIfAbsent(kv.value.getCheckpointId(), x -> new ArrayList<>()).add(kv.value));
        }
        return byCheckpoint.entrySet().stream().map(e -> sorted(e.getKey(), plans.apply(e.getKey()), e.getValue())).toList();
    }

    private static CheckpointResults sorted(String checkpointId, CheckpointPlan plan, List<LayerPartial> partials) {
        partials.sort(Comparator.comparingInt(LayerPartial::getLayer));
        return new CheckpointResults(checkpointId, plan, partials);
    }

    /** Number of layers M (from the partials). */
    public int layers() {
        return partials.get(0).getLayers();
    }

    /** True when every layer sent its complete partial. */
    public boolean complete() {
        return partials.size() == layers() && partials.stream().allMatch(LayerPartial::getComplete);
    }

    /** Languages: the plan's corpus order, else layer 0's order. */
    public List<String> languages() {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        if (plan != null) {
            out.addAll(plan.getLanguages());
        }
        partials.forEach(p -> p.getLanguages().forEach(l -> out.add(l.getLang())));
        return List.copyOf(out);
    }

    /** The least number of samples any layer holds (0 while a layer has none). */
    public int samplesSeen() {
        return partials.size() < layers() ? 0 : partials.stream().mapToInt(LayerPartial::getSamples).min().orElse(0);
    }

    /**
     * The released SADS regroups rows by their position in the authors' language-major file order, which a stream
     * of samples does not have; the batch command, given that order, reproduces it.
     */
    static final String LF_COMPAT_SADS = "lf-compat: key neurons follow the released scoring (+1e-5, double division by the "
            + "pair count); SADS is the intended same-meaning score, not the released stride S+1 regrouping; "
            + "`linguaflow analyze --lf-compat` on the same vectors gives that one";

    public Metrics metrics() {
        int m = layers();
        int d = partials.get(0).getNeuronsPerLayer();
        List<String> languages = languages();
        LinkedHashSet<String> warnings = new LinkedHashSet<>();
        partials.forEach(p -> warnings.addAll(p.getWarnings()));
        if (plan != null && plan.getLfCompat()) {
            warnings.add(LF_COMPAT_SADS);
        }

        PairClassSums overall = null;
        if (partials.size() == m) {
            try {
                overall = PairClassSums.sumOverLayers(partials.stream().map(p -> PairSumsCodec.fromAvro(p.getWholeModel())).toList());
            } catch (IllegalArgumentException e) {
                warnings.add("interim: whole-model metrics wait until every layer holds the same samples (" + e.getMessage() + ")");
            }
        } else {
            warnings.add("interim: " + partials.size() + " of " + m + " layers reported; whole-model metrics wait for all");
        }
        List<LayerMetrics> perLayer = new ArrayList<>();
        for (LayerPartial p : partials) {
            PairClassSums s = PairSumsCodec.fromAvro(p.getPerLayer());
            int keyNeurons = p.getLanguages().stream().mapToInt(l -> l.getKeyNeurons().size()).sum();
            perLayer.add(new LayerMetrics(p.getLayer(), s.lrds(), s.sads(), s.meanSameLanguage(), s.meanSameMeaning(), s.meanDifferent(),
                    keyNeurons));
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String lang : languages) {
            counts.put(lang, keyNeurons(lang).size());
        }
        int sklr = counts.values().stream().mapToInt(Integer::intValue).sum();
        double nan = Double.NaN;
        return Metrics.newBuilder().setCheckpointId(checkpointId).setModel(plan == null ? "" : plan.getModel())
                .setStep(plan == null ? null : plan.getStep()).setCorpus(partials.get(0).getCorpus()).setLanguages(languages)
                .setLayers(m).setNeuronsPerLayer(d).setSamplesSeen(samplesSeen())
                .setSamplesExpected(plan == null ? 0 : plan.getSamplesExpected()).setComplete(complete())
                .setLrds(overall == null ? nan : overall.lrds()).setSads(overall == null ? nan : overall.sads())
                .setMeanSameLangDiffMeaning(overall == null ? nan : overall.meanSameLanguage())
                .setMeanDiffLangSameMeaning(overall == null ? nan : overall.meanSameMeaning())
                .setMeanDiffLangDiffMeaning(overall == null ? nan : overall.meanDifferent())
                .setPerLayer(perLayer).setThreshold(partials.get(0).getThreshold())
                .setThresholdReachable(partials.get(0).getThresholdReachable()).setKeyNeuronCounts(counts).setSklr(sklr)
                .setSklrFraction((double) sklr / ((double) m * d)).setMeanNll(meanNll())
                .setLfCompat(plan != null && plan.getLfCompat()).setWarnings(new ArrayList<>(warnings)).setComputedAt(computedAt()).build();
    }

    /**
     * Per language, the token-weighted mean NLL Σ token NLL / Σ predicted tokens (its exp is the paper's perplexity),
     * from layer 0's partial (every layer's records carry the same per-sample NLL); null when workers sent none.
     */
    public Map<String, Double> meanNll() {
        LayerPartial first = partials.get(0);
        Map<String, Double> out = new LinkedHashMap<>();
        for (LanguageLayer l : first.getLanguages()) {
            if (l.getPredictedTokens() > 0) {
                out.put(l.getLang(), l.getNllSum() / l.getPredictedTokens());
            }
        }
        return out.isEmpty() ? null : out;
    }

    /** When the newest partial was computed: the results are a function of the partials, so every instance agrees. */
    public java.time.Instant computedAt() {
        return partials.stream().map(LayerPartial::getComputedAt).max(java.util.Comparator.naturalOrder()).orElseThrow();
    }

    /** Flat ids k = layer·D + d of the language's key neurons, ascending. */
    public List<Integer> keyNeurons(String lang) {
        List<Integer> ids = new ArrayList<>();
        for (LayerPartial p : partials) {
            int offset = p.getLayer() * p.getNeuronsPerLayer();
            for (LanguageLayer l : p.getLanguages()) {
                if (l.getLang().equals(lang)) {
                    l.getKeyNeurons().forEach(k -> ids.add(offset + k));
                }
            }
        }
        return ids;
    }

    public List<KeyRegion> keyRegions() {
        int m = layers();
        List<KeyRegion> out = new ArrayList<>();
        for (String lang : languages()) {
            List<Integer> perLayer = new ArrayList<>(java.util.Collections.nCopies(m, 0));
            for (LayerPartial p : partials) {
                for (LanguageLayer l : p.getLanguages()) {
                    if (l.getLang().equals(lang)) {
                        perLayer.set(p.getLayer(), l.getKeyNeurons().size());
                    }
                }
            }
            out.add(KeyRegion.newBuilder().setCheckpointId(checkpointId).setLang(lang).setThreshold(partials.get(0).getThreshold())
                    .setLayers(m).setNeuronsPerLayer(partials.get(0).getNeuronsPerLayer()).setNeurons(keyNeurons(lang))
                    .setPerLayerCounts(perLayer).setComplete(complete()).setComputedAt(computedAt()).build());
        }
        return out;
    }

    /**
     * Per-language activation probabilities from the complete partials' positive counts; null when a layer or a
     * language carries no counts (workers that do not measure them).
     */
    public ActivationProbabilities activationProbabilities() {
        if (!complete()) {
            return null;
        }
        List<String> languages = languages();
        int d = partials.get(0).getNeuronsPerLayer();
        ActivationProbabilities.Builder b = ActivationProbabilities.builder("checkpoint '" + checkpointId + "'", languages, layers(), d);
        for (LayerPartial p : partials) {
            for (LanguageLayer l : p.getLanguages()) {
                if (l.getPositiveCounts() == null || l.getTokenCount() == 0) {
                    return null;
                }
                b.putLayer(p.getLayer(), languages.indexOf(l.getLang()), LittleEndian.int64s("positiveCounts", l.getPositiveCounts(), d),
                        l.getTokenCount());
            }
        }
        return b.build();
    }

    /** The Avro record of a classification of this checkpoint. */
    public NeuronTypes neuronTypes(NeuronTypesResult r) {
        int m = r.layers();
        int d = r.neuronsPerLayer();
        Map<String, List<Integer>> masks = new LinkedHashMap<>();
        for (int k = 0; k < r.languages().size(); k++) {
            List<Integer> ids = new ArrayList<>();
            for (int layer = 0; layer < m; layer++) {
                for (int n : r.mask(k, layer)) {
                    ids.add(layer * d + n);
                }
            }
            masks.put(r.languages().get(k), ids);
        }
        List<Integer> general = new ArrayList<>();
        for (int layer = 0; layer < m; layer++) {
            for (int n : r.general(layer)) {
                general.add(layer * d + n);
            }
        }
        return NeuronTypes.newBuilder().setCheckpointId(checkpointId).setMethod(r.method().id()).setLanguages(r.languages())
                .setLayers(m).setNeuronsPerLayer(d).setLambda(r.lambda().isPresent() ? r.lambda().getAsDouble() : null)
                .setTau(r.tau()).setTopRate(r.topRate()).setMasks(masks).setSpecificPerLayer(boxed(r.specificPerLayer()))
                .setRelatedPerLayer(boxed(r.relatedPerLayer())).setGeneralPerLayer(boxed(r.generalPerLayer())).setGeneral(general)
                .setAppear(boxed(r.appear())).setComplete(true).setComputedAt(Time.now()).build();
    }

    private static List<Integer> boxed(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
