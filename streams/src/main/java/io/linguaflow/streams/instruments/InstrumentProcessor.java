package io.linguaflow.streams.instruments;

import io.linguaflow.analysis.experts.ExpertNeurons;
import io.linguaflow.analysis.experts.Responses;
import io.linguaflow.analysis.probes.LanguageProbe;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.ProbeFold;
import io.linguaflow.schemas.avro.ProbeLayer;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.streams.aggregator.StoreKeys;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.ExpertPartial;
import io.linguaflow.streams.avro.LayerExperts;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.common.PlannedSamples;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.common.Time;
import io.linguaflow.streams.config.InstrumentSettings;
import io.linguaflow.streams.config.VectorRetention;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a layer's instruments once, when the aggregator sends its complete partial (every planned sample is in): the
 * probe on the sampled tokens → {@link ProbeLayer}, the layer's expert candidates on the maxima → {@link ExpertPartial}.
 * Inputs are assembled as the batch commands assemble them (rows by corpus index, token positions ascending, languages
 * from the sample ids), so the results equal {@code linguaflow probe} and {@code linguaflow experts} on the same data.
 * A defect of the inputs (one language, too few sentences for the folds, a sample without the fields others have) is
 * logged and published as a dead letter naming checkpoint and layer; the thread and the other instrument go on.
 */
final class InstrumentProcessor extends ContextualProcessor<String, SpecificRecord, String, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(InstrumentProcessor.class);
    private static final StringSerializer KEYS = new StringSerializer();

    private final InstrumentSettings settings;
    private final VectorRetention retention;
    private final Duration interval;
    /** Layers whose samples are deleted later ({@link VectorRetention}): re-checked at every punctuation. */
    private final Set<String> retaining = new LinkedHashSet<>();
    private KeyValueStore<String, byte[]> samples;
    private KeyValueStore<String, byte[]> layers;
    private KeyValueStore<String, ProbeLayer> probes;
    private KeyValueStore<String, CheckpointPlan> plans;

    /** One planned sample's stored inputs. */
    private record Row(String sampleId, InstrumentSample sample) {
        String lang() {
            return Keys.sampleLang(sampleId);
        }

        String meaningId() {
            return sampleId.substring(sampleId.indexOf('|') + 1);
        }
    }

    InstrumentProcessor(InstrumentSettings settings, VectorRetention retention, Duration interval) {
        this.settings = settings;
        this.retention = retention;
        this.interval = interval;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        samples = context.getStateStore(InstrumentTopology.SAMPLES_STORE);
        layers = context.getStateStore(InstrumentTopology.LAYERS_STORE);
        probes = context.getStateStore(InstrumentTopology.PROBES_STORE);
        plans = context.getStateStore(Plans.STORE);
        if (retention.delayed()) {
            try (KeyValueIterator<String, byte[]> it = layers.all()) {
                it.forEachRemaining(kv -> {
                    if (!LayerMark.decode(kv.value).dropped()) {
                        retaining.add(kv.key);
                    }
                });
            }
            context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::dropExpired);
        }
    }

    /** When the layer's instruments ran (wall-clock ms) and whether its samples are deleted since. */
    private record LayerMark(long ranAt, boolean dropped) {
        byte[] encode() {
            return ByteBuffer.allocate(9).putLong(ranAt).put((byte) (dropped ? 1 : 0)).array();
        }

        static LayerMark decode(byte[] b) {
            ByteBuffer buf = ByteBuffer.wrap(b);
            return new LayerMark(buf.getLong(), buf.get() != 0);
        }
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (!(record.value() instanceof LayerPartial p) || !p.getComplete()) {
            return; // interim partials and the aggregator's dead letters
        }
        String layerKey = StoreKeys.layer(p.getCheckpointId(), p.getLayer());
        if (layers.get(layerKey) != null) {
            return; // ran before (a restart or a re-sent partial): never twice
        }
        CheckpointPlan plan = plans.get(p.getCheckpointId());
        List<Row> rows = plan == null ? List.of() : rows(layerKey, plan);
        if (!rows.isEmpty()) { // no extension fields in this layer's records: the instruments are off for it
            String where = "checkpoint '" + p.getCheckpointId() + "', layer " + p.getLayer();
            long now = record.timestamp();
            String probe = "language probe of " + where;
            try {
                probe(p, plan, rows, probe, now);
            } catch (IllegalArgumentException | IllegalStateException e) {
                reject(layerKey, probe, e, now);
            }
            String experts = "expert neurons of " + where;
            try {
                experts(p, plan, rows, experts, now);
            } catch (IllegalArgumentException | IllegalStateException e) {
                reject(layerKey, experts, e, now);
            }
        }
        long ranAt = context().currentSystemTimeMs();
        boolean dropped = !rows.isEmpty() && retention.expired(ranAt, ranAt);
        if (dropped) {
            deleteSamples(layerKey);
        } else if (!rows.isEmpty() && retention.delayed()) {
            retaining.add(layerKey);
        }
        layers.put(layerKey, new LayerMark(ranAt, dropped || rows.isEmpty()).encode());
    }

    /** The layer's stored samples that the plan lists, in corpus order (index, then sample id). */
    private List<Row> rows(String layerKey, CheckpointPlan plan) {
        String prefix = StoreKeys.samplePrefix(layerKey);
        List<Row> rows = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = samples.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(kv -> {
                String sampleId = kv.key.substring(prefix.length());
                if (PlannedSamples.whyNotPlanned(plan, sampleId) == null) { // strays counted before the plan are not rows
                    rows.add(new Row(sampleId, InstrumentSample.decode(kv.key, kv.value)));
                }
            });
        }
        rows.sort(Comparator.comparingInt((Row r) -> r.sample().index()).thenComparing(Row::sampleId));
        return rows;
    }

    /**
     * The rows that carry {@code field}; every planned sample must, or the instrument would see part of the corpus.
     * Here and below {@code where} names the instrument, checkpoint and layer: errors start with it.
     */
    private static List<Row> complete(List<Row> rows, CheckpointPlan plan, java.util.function.Predicate<InstrumentSample> has,
                                      String field, String where) {
        List<Row> with = rows.stream().filter(r -> has.test(r.sample())).toList();
        if (with.size() != plan.getSamplesExpected()) {
            String missing = rows.stream().filter(r -> !has.test(r.sample())).map(Row::sampleId).findFirst().orElse(null);
            throw new IllegalArgumentException(where + ": " + with.size() + " of the " + plan.getSamplesExpected()
                    + " planned samples carry " + field + (missing == null ? "" : " (not e.g. '" + missing + "')")
                    + "; every worker of a checkpoint must capture the same fields");
        }
        return with;
    }

    private void probe(LayerPartial p, CheckpointPlan plan, List<Row> rows, String where, long now) {
        if (rows.stream().noneMatch(r -> r.sample().hasTokens())) {
            return;
        }
        List<Row> with = complete(rows, plan, InstrumentSample::hasTokens, "sampled tokens", where);
        String source = null;
        int width = 0;
        List<float[]> features = new ArrayList<>();
        List<String> langs = new ArrayList<>();
        List<Integer> sentences = new ArrayList<>();
        for (Row r : with) {
            InstrumentSample s = r.sample();
            if (source != null && !source.equals(s.source())) {
                throw new IllegalArgumentException(where + ": sample '" + r.sampleId() + "' has " + s.source()
                        + " tokens, earlier samples " + source);
            }
            source = s.source();
            if (s.positions().length > 0 && width != 0 && s.width() != width) {
                throw new IllegalArgumentException(where + ": sample '" + r.sampleId() + "' has tokens of width " + s.width()
                        + ", earlier samples " + width);
            }
            width = s.positions().length > 0 ? s.width() : width;
            for (int t = 0; t < s.positions().length; t++) { // positions ascending, as stored
                features.add(s.token(t));
                langs.add(r.lang());
                sentences.add(s.index());
            }
        }
        if (features.isEmpty()) {
            throw new IllegalArgumentException(where + ": no sample has a sampled token");
        }
        LanguageProbe.Tokens tokens = new LanguageProbe.Tokens(features.toArray(new float[0][]), langs,
                sentences.stream().mapToInt(Integer::intValue).toArray());
        LanguageProbe.Options o = LanguageProbe.Options.DEFAULTS;
        LanguageProbe.LayerResult r = LanguageProbe.crossValidate(p.getLayer(), tokens, o, where);
        List<ProbeFold> folds = r.folds().stream().map(f -> new ProbeFold(f.seed(), f.fold(), f.trainTokens(), f.testTokens(),
                f.accuracy())).toList();
        ProbeLayer result = ProbeLayer.newBuilder().setCheckpointId(p.getCheckpointId()).setLayer(p.getLayer()).setLayers(p.getLayers())
                .setSource(source).setWidth(width).setSentences(with.size()).setTokens(features.size())
                .setLanguages(List.copyOf(plan.getLanguages())).setFolds(o.folds()).setSeeds(o.seeds()).setEpochs(o.epochs())
                .setLearningRate(o.learningRate()).setStandardise(o.standardise()).setAccuracyMean(r.accuracyMean())
                .setAccuracyStd(r.accuracyStd()).setFoldResults(folds).setComputedAt(Time.now()).build();
        String key = StoreKeys.layer(p.getCheckpointId(), p.getLayer());
        probes.put(key, result);
        context().forward(new Record<>(key, result, now));
    }

    private void experts(LayerPartial p, CheckpointPlan plan, List<Row> rows, String where, long now) {
        Map<String, List<String>> conceptsByMeaning = plan.getConceptsByMeaning();
        if (conceptsByMeaning == null || conceptsByMeaning.isEmpty() || rows.stream().noneMatch(r -> r.sample().hasMaxima())) {
            return; // a corpus without labels has no experts; that is not an error
        }
        List<Row> with = complete(rows, plan, InstrumentSample::hasMaxima, "maxValues", where);
        int d = p.getNeuronsPerLayer();
        float[][] maxima = new float[with.size()][];
        List<String> langs = new ArrayList<>(with.size());
        List<Set<String>> concepts = new ArrayList<>(with.size());
        for (int i = 0; i < maxima.length; i++) {
            Row r = with.get(i);
            maxima[i] = r.sample().maxima();
            langs.add(r.lang());
            concepts.add(new LinkedHashSet<>(conceptsByMeaning.getOrDefault(r.meaningId(), List.of())));
        }
        // per layer the top min(k, D): the model-wide top k is the top k of these (ExpertNeurons.merge)
        ExpertNeurons.Result r = ExpertNeurons.find(Responses.of(maxima), langs, concepts, Math.min(settings.expertTopK(), d), where);
        int offset = p.getLayer() * d;
        List<LayerExperts> rankings = new ArrayList<>();
        r.concepts().forEach((concept, byLang) -> byLang.forEach((lang, ranking) -> rankings.add(new LayerExperts(concept, lang,
                ranking.positives(), ranking.negatives(),
                ranking.experts().stream().map(x -> offset + x.neuron()).toList(),
                ranking.experts().stream().map(ExpertNeurons.Expert::ap).toList()))));
        List<String> skipped = r.skipped().stream().map(s -> s.concept() + "|" + s.language()).toList();
        ExpertPartial partial = ExpertPartial.newBuilder().setCheckpointId(p.getCheckpointId()).setLayer(p.getLayer())
                .setLayers(p.getLayers()).setNeuronsPerLayer(d).setK(settings.expertTopK())
                .setLanguages(List.copyOf(plan.getLanguages())).setRankings(rankings).setSkipped(skipped)
                .setComputedAt(Time.now()).build();
        context().forward(new Record<>(p.getCheckpointId(), partial, now));
    }

    private void reject(String layerKey, String input, RuntimeException e, long now) {
        DeadLetter d = InstrumentTopology.deadLetter(input, e);
        LOG.warn("{}", d.getError());
        context().forward(new Record<>(layerKey, d, now));
    }

    private void dropExpired(long now) {
        retaining.removeIf(layerKey -> {
            byte[] stored = layers.get(layerKey);
            if (stored == null) {
                return true;
            }
            LayerMark mark = LayerMark.decode(stored);
            if (mark.dropped() || !retention.expired(mark.ranAt(), now)) {
                return mark.dropped();
            }
            deleteSamples(layerKey);
            layers.put(layerKey, new LayerMark(mark.ranAt(), true).encode());
            return true;
        });
    }

    private void deleteSamples(String layerKey) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = samples.prefixScan(StoreKeys.samplePrefix(layerKey), KEYS)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(samples::delete);
    }
}
