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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * layer's expert candidates on the maxima → {@link ExpertPartial} at once, in the partial's transaction; the probe on
 * the sampled tokens → {@link ProbeLayer} on a trainer thread, since one layer's probe takes about a minute at
 * BLOOM-7b1 shape, longer than a transaction may stay open (docs/design.md §4c). Inputs are assembled as the batch
 * commands assemble them (rows by corpus index, token positions ascending, languages from the sample ids), so the
 * results equal {@code linguaflow probe} and {@code linguaflow experts} on the same data.
 *
 * <p>The probe is exactly-once as every other result: the layer's mark says "probe pending" from the partial's
 * transaction on, and the result is published in the same transaction that clears it (a punctuation of the stream
 * thread collects it). A task that stops first (crash, rebalance) loses only the computation: its successor finds the
 * pending mark and the samples (kept while a probe is pending, whatever the retention) and trains again, with the same
 * result, because the probe is deterministic. A defect of the inputs (one language, too few sentences for the folds, a
 * sample without the fields others have) is logged and published as a dead letter naming checkpoint and layer; the
 * thread and the other instrument go on.
 */
final class InstrumentProcessor extends ContextualProcessor<String, SpecificRecord, String, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(InstrumentProcessor.class);
    private static final StringSerializer KEYS = new StringSerializer();
    /** How often the stream thread looks for a finished probe. */
    private static final Duration PROBE_POLL = Duration.ofSeconds(1);

    private final InstrumentSettings settings;
    private final VectorRetention retention;
    private final Duration interval;
    /** Layers whose samples are deleted later ({@link VectorRetention}): re-checked at every punctuation. */
    private final Set<String> retaining = new LinkedHashSet<>();
    /** Layers whose probe is pending and not running, in completion order (rebuilt from the marks after a restart). */
    private final Deque<String> probeQueue = new ArrayDeque<>();
    private KeyValueStore<String, byte[]> samples;
    private KeyValueStore<String, byte[]> layers;
    private KeyValueStore<String, ProbeLayer> probes;
    private KeyValueStore<String, CheckpointPlan> plans;
    /** One trainer thread per task, started with its first probe. */
    private ExecutorService trainer;
    private ProbeJob running;

    /** One planned sample's stored inputs. */
    private record Row(String sampleId, InstrumentSample sample) {
        String lang() {
            return Keys.sampleLang(sampleId);
        }

        String meaningId() {
            return sampleId.substring(sampleId.indexOf('|') + 1);
        }
    }

    /**
     * A layer's instruments ran (wall-clock ms); its probe may still be pending; its samples may be deleted since.
     *
     * @param layers the checkpoint's layer count, for the probe's record when it is trained after a restart
     */
    private record LayerMark(long ranAt, int layers, boolean probePending, boolean dropped) {
        byte[] encode() {
            return ByteBuffer.allocate(14).putLong(ranAt).putInt(layers).put((byte) (probePending ? 1 : 0))
                    .put((byte) (dropped ? 1 : 0)).array();
        }

        static LayerMark decode(byte[] b) {
            ByteBuffer buf = ByteBuffer.wrap(b);
            return new LayerMark(buf.getLong(), buf.getInt(), buf.get() != 0, buf.get() != 0);
        }
    }

    /** Whether a {@value InstrumentTopology#LAYERS_STORE} value says the layer's probe is still to be published. */
    static boolean probePending(byte[] mark) {
        return LayerMark.decode(mark).probePending();
    }

    /** A probe on the trainer thread, with the record's fields known before training. */
    private record ProbeJob(String layerKey, String where, Future<LanguageProbe.LayerResult> result, ProbeLayer.Builder record) {
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
        try (KeyValueIterator<String, byte[]> it = layers.all()) {
            it.forEachRemaining(kv -> {
                LayerMark mark = LayerMark.decode(kv.value);
                if (mark.probePending()) {
                    probeQueue.add(kv.key); // a predecessor did not publish it: train again
                } else if (!mark.dropped() && retention.delayed()) {
                    retaining.add(kv.key);
                }
            });
        }
        context.schedule(PROBE_POLL, PunctuationType.WALL_CLOCK_TIME, this::pollProbes);
        if (retention.delayed()) {
            context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::dropExpired);
        }
    }

    @Override
    public void close() {
        if (trainer != null) {
            trainer.shutdownNow(); // a running probe is discarded; the pending mark makes the next owner train it
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
        if (rows.isEmpty()) {
            return; // no extension fields in this layer's records: the instruments are off for it, and write nothing
        }
        String experts = "expert neurons of " + where(layerKey);
        try {
            experts(p, plan, rows, experts, record.timestamp());
        } catch (IllegalArgumentException | IllegalStateException e) {
            reject(layerKey, experts, e, record.timestamp());
        }
        boolean probe = rows.stream().anyMatch(r -> r.sample().hasTokens());
        if (probe) {
            probeQueue.add(layerKey);
        }
        long ranAt = context().currentSystemTimeMs();
        layers.put(layerKey, new LayerMark(ranAt, p.getLayers(), probe, false).encode());
        if (!probe) {
            samplesUsed(layerKey, ranAt, ranAt);
        }
    }

    private static String where(String layerKey) {
        return "checkpoint '" + StoreKeys.checkpointOf(layerKey) + "', layer " + StoreKeys.layerOf(layerKey);
    }

    /** Publishes a finished probe and starts the next one (stream thread). */
    private void pollProbes(long now) {
        if (running != null && running.result().isDone()) {
            ProbeJob job = running;
            running = null;
            try {
                LanguageProbe.LayerResult r = job.result().get();
                ProbeLayer result = job.record().setAccuracyMean(r.accuracyMean()).setAccuracyStd(r.accuracyStd())
                        .setFoldResults(r.folds().stream().map(f -> new ProbeFold(f.seed(), f.fold(), f.trainTokens(),
                                f.testTokens(), f.accuracy())).toList()).setComputedAt(Time.now()).build();
                probes.put(job.layerKey(), result);
                context().forward(new Record<>(job.layerKey(), result, now));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof IllegalArgumentException || e.getCause() instanceof IllegalStateException)) {
                    throw new IllegalStateException(job.where() + " failed", e.getCause()); // not the input's fault
                }
                reject(job.layerKey(), job.where(), (RuntimeException) e.getCause(), now);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            probeDone(job.layerKey(), now);
        }
        while (running == null && !probeQueue.isEmpty()) {
            String layerKey = probeQueue.poll();
            String where = "language probe of " + where(layerKey);
            try {
                running = startProbe(layerKey, where);
            } catch (IllegalArgumentException | IllegalStateException e) {
                reject(layerKey, where, e, now);
                probeDone(layerKey, now);
            }
        }
    }

    private void probeDone(String layerKey, long now) {
        byte[] stored = layers.get(layerKey);
        if (stored == null) {
            return;
        }
        LayerMark mark = LayerMark.decode(stored);
        layers.put(layerKey, new LayerMark(mark.ranAt(), mark.layers(), false, false).encode());
        samplesUsed(layerKey, mark.ranAt(), now);
    }

    /** The layer's results are out: its samples go now, later or never, as the retention says. */
    private void samplesUsed(String layerKey, long ranAt, long now) {
        if (retention.expired(ranAt, now)) {
            deleteSamples(layerKey);
            LayerMark mark = LayerMark.decode(layers.get(layerKey));
            layers.put(layerKey, new LayerMark(mark.ranAt(), mark.layers(), false, true).encode());
        } else if (retention.delayed()) {
            retaining.add(layerKey);
        }
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

    /** Assembles the layer's tokens from the store (stream thread) and trains on the trainer thread. */
    private ProbeJob startProbe(String layerKey, String where) {
        String cp = StoreKeys.checkpointOf(layerKey);
        CheckpointPlan plan = plans.get(cp);
        if (plan == null) {
            throw new IllegalStateException(where + ": the checkpoint's plan is gone");
        }
        List<Row> with = complete(rows(layerKey, plan), plan, InstrumentSample::hasTokens, "sampled tokens", where);
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
        int layer = StoreKeys.layerOf(layerKey);
        ProbeLayer.Builder record = ProbeLayer.newBuilder().setCheckpointId(cp).setLayer(layer)
                .setLayers(LayerMark.decode(layers.get(layerKey)).layers()).setSource(source).setWidth(width)
                .setSentences(with.size()).setTokens(features.size()).setLanguages(List.copyOf(plan.getLanguages()))
                .setFolds(o.folds()).setSeeds(o.seeds()).setEpochs(o.epochs()).setLearningRate(o.learningRate())
                .setStandardise(o.standardise());
        if (trainer == null) {
            String name = "linguaflow-probe-" + context().taskId();
            trainer = Executors.newSingleThreadExecutor(task -> {
                Thread t = new Thread(task, name);
                t.setDaemon(true);
                return t;
            });
        }
        return new ProbeJob(layerKey, where, trainer.submit(() -> LanguageProbe.crossValidate(layer, tokens, o, where)), record);
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
            if (mark.dropped() || mark.probePending() || !retention.expired(mark.ranAt(), now)) {
                return mark.dropped();
            }
            deleteSamples(layerKey);
            layers.put(layerKey, new LayerMark(mark.ranAt(), mark.layers(), false, true).encode());
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
