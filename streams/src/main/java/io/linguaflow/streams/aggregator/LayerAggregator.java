package io.linguaflow.streams.aggregator;

import io.linguaflow.analysis.stats.CompensatedSum;
import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.LayerState;
import io.linguaflow.streams.common.PlannedSamples;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.common.RecordErrors;
import io.linguaflow.streams.config.VectorRetention;
import io.linguaflow.streams.instruments.InstrumentSample;
import io.linguaflow.streams.instruments.InstrumentTopology;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Folds activation records into the per-group statistics of their (checkpoint, layer) and emits layer partials. */
final class LayerAggregator extends ContextualProcessor<String, ActivationRecord, String, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(LayerAggregator.class);
    private static final byte[] PRESENT = {1};
    private static final StringSerializer KEYS = new StringSerializer();
    /**
     * Complete layers wait at most this long for the commit that publishes them. Each commit writes the groups of every
     * layer still aggregating, and the layers of a checkpoint complete within moments of each other: one commit per
     * completion wrote most of the changelog in the bench (docs/state-layout.md).
     */
    private static final Duration PUBLISH_DELAY = Duration.ofMillis(500);
    /** 4 MiB a task at BLOOM-7b1 shape (D = 16384), where 30 layers over 6 partitions are 5 per task. */
    private static final int SPARE_MEANINGS = 8;

    private final Duration interimInterval;
    private final boolean keepVectors;
    private final VectorRetention vectorRetention;
    private final boolean collectInstruments;
    /** Layers changed since the last interim partial; not persisted: a restarted task marks them again on new records. */
    private final Set<LayerId> dirty = new LinkedHashSet<>();
    /** Incomplete layers of checkpoints without a plan yet: re-checked at every punctuation until their plan lands. */
    private final Set<LayerId> awaitingPlan = new LinkedHashSet<>();
    /** Complete layers whose similarity vectors are deleted later ({@link VectorRetention}): re-checked at every punctuation. */
    private final Set<LayerId> retaining = new LinkedHashSet<>();
    /** A complete partial was sent since the last publishing punctuation. */
    private boolean publishPending;
    private GroupSumsStore groups;
    private KeyValueStore<String, byte[]> scalars;
    private KeyValueStore<String, byte[]> seen;
    private KeyValueStore<String, LayerState> layers;
    private KeyValueStore<String, byte[]> nll;
    private KeyValueStore<String, CheckpointPlan> plans;
    private KeyValueStore<String, byte[]> vectors;
    private KeyValueStore<String, byte[]> instrumentSamples;
    private LayerPartials partials;
    /** The record's values, its positive counts and its normalised slice (GroupSums.slice), reused from record to record. */
    private double[] values;
    private int[] counts;
    private double[] sliceModel;
    private double[] sliceLayer;
    /**
     * Meaning groups that collapsed, their arrays reused by the next ones to start ({@link GroupSums#clear}): in each of
     * the task's layers one meaning completes and the next starts every few records, and 4·8·D bytes each that live for
     * a few records were the largest part of the task's garbage that survives a young collection. At most
     * {@link #SPARE_MEANINGS}, newest first.
     */
    private final Deque<GroupSums> spareMeanings = new ArrayDeque<>();

    private record LayerId(String checkpointId, int layer) {
        String key() {
            return StoreKeys.layer(checkpointId, layer);
        }
    }

    /**
     * @param keepVectors     also store each counted record's vector for the similarity map ({@link AggregatorTopology#VECTORS_STORE})
     * @param vectorRetention how long those vectors stay after their layer completes
     * @param collectInstruments also store each counted record's extension fields, if it has any
     *                           ({@link InstrumentTopology#SAMPLES_STORE}); the complete partial is the instruments' signal
     */
    LayerAggregator(Duration interimInterval, boolean keepVectors, VectorRetention vectorRetention, boolean collectInstruments) {
        this.interimInterval = interimInterval;
        this.keepVectors = keepVectors;
        this.vectorRetention = vectorRetention;
        this.collectInstruments = collectInstruments;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        groups = context.getStateStore(AggregatorTopology.GROUPS_STORE);
        scalars = context.getStateStore(AggregatorTopology.SCALARS_STORE);
        seen = context.getStateStore(AggregatorTopology.SEEN_STORE);
        layers = context.getStateStore(AggregatorTopology.LAYERS_STORE);
        nll = context.getStateStore(AggregatorTopology.NLL_STORE);
        partials = new LayerPartials(groups, scalars, nll);
        plans = context.getStateStore(Plans.STORE);
        if (keepVectors) {
            vectors = context.getStateStore(AggregatorTopology.VECTORS_STORE);
        }
        if (collectInstruments) {
            instrumentSamples = context.getStateStore(InstrumentTopology.SAMPLES_STORE);
        }
        // records may all have arrived before the plan: after a restart, find the layers still waiting for it (and
        // rebuild the groups they held), and the complete ones whose vectors are still to be deleted
        try (KeyValueIterator<String, LayerState> it = layers.all()) {
            it.forEachRemaining(kv -> {
                LayerId id = new LayerId(StoreKeys.checkpointOf(kv.key), StoreKeys.layerOf(kv.key));
                if (!kv.value.getCompleteSent()) {
                    awaitingPlan.add(id);
                    if (kv.value.getGroupsFromVectors()) {
                        rebuildGroups(id);
                    }
                } else if (vectors != null && !kv.value.getVectorsDropped()) {
                    retaining.add(id);
                }
            });
        }
        context.schedule(interimInterval, PunctuationType.WALL_CLOCK_TIME, this::flush);
        context.schedule(PUBLISH_DELAY, PunctuationType.WALL_CLOCK_TIME, now -> {
            if (publishPending) {
                publishPending = false;
                context().commit(); // publish complete layers now rather than at the next commit interval
            }
        });
    }

    @Override
    public void process(Record<String, ActivationRecord> record) {
        ActivationRecord a = record.value();
        if (a == null) {
            return;
        }
        LayerVector v;
        LayerId id = new LayerId(a.getCheckpointId(), a.getLayer());
        LayerState state;
        CheckpointPlan plan;
        byte[] instrumentSample;
        try {
            v = Activations.vector(record.key(), a, values, counts);
            values = v.values();
            counts = v.positiveCounts() != null ? v.positiveCounts() : counts;
            instrumentSample = instrumentSamples == null ? null : InstrumentSample.encode(a, where(a));
            state = layers.get(id.key());
            if (state != null && (state.getLayers() != a.getLayers() || state.getNeuronsPerLayer() != a.getNeuronsPerLayer())) {
                throw new IllegalArgumentException(where(a) + " has " + a.getLayers() + " layers x " + a.getNeuronsPerLayer()
                        + " neurons, earlier records of this checkpoint had " + state.getLayers() + " x " + state.getNeuronsPerLayer());
            }
            plan = plans.get(id.checkpointId());
            String notPlanned = plan == null ? null : PlannedSamples.whyNotPlanned(plan, a.getSampleId());
            if (notPlanned != null) { // counted only planned samples make "samplesExpected counted" mean "every one seen"
                throw new IllegalArgumentException(where(a) + ": " + notPlanned + "; not counted");
            }
        } catch (IllegalArgumentException e) {
            deadLetter(record, e);
            return;
        }
        String layerKey = id.key();
        String seenKey = StoreKeys.sample(layerKey, a.getSampleId());
        if ((state != null && state.getCompleteSent()) || seen.get(seenKey) != null) {
            // a complete layer holds every planned sample (its seen-set is released), so anything more is a re-delivery
            LOG.debug("duplicate activation record ignored: {}", seenKey);
            return;
        }
        String meaningKey = StoreKeys.meaning(layerKey, a.getMeaningId());
        if (plan != null && meaningCount(meaningKey) >= plan.getLanguages().size()) {
            // not a re-delivery, yet the meaning has a sample per planned language: only records counted before the plan
            // landed (a language it does not have) can have taken this one's place
            deadLetter(record, new IllegalArgumentException(where(a) + ": meaning '" + a.getMeaningId() + "' already holds all "
                    + plan.getLanguages().size() + " languages of the plan (its group is collapsed to its scalars); not counted"));
            return;
        }
        if (plan == null) {
            awaitingPlan.add(id); // its complete meanings collapse when the plan lands
        }
        int d = a.getNeuronsPerLayer();
        if (state == null) {
            state = new LayerState(a.getCorpus(), a.getLayers(), d, 0, false, 0L, false, 0, vectors != null);
        }
        boolean held = state.getGroupsFromVectors(); // the vector written below is how they are restored
        if (sliceModel == null || sliceModel.length != d) {
            sliceModel = new double[d];
            sliceLayer = new double[d];
        }
        GroupSums.Slice x = GroupSums.slice(v, sliceModel, sliceLayer);
        // no total group: T is the union of the language groups, merged when a partial is built (LayerPartials)
        add(StoreKeys.language(layerKey, a.getLang()), x, true, held);
        GroupSums meaning = add(meaningKey, x, false, held);
        // scalars, the total's, the languages' and the live meanings', come from the groups when a partial is built
        // (LayerPartials), not on every record; a meaning's are stored when it collapses, being all that is left of it
        if (plan != null) {
            collapseIfComplete(meaningKey, meaning, plan);
        }
        if (a.getMeanNll() != null && a.getTokenCount() > 1) {
            addNll(StoreKeys.nll(layerKey, a.getLang()), a.getMeanNll(), a.getTokenCount() - 1);
        }
        seen.put(seenKey, PRESENT);
        if (vectors != null) { // the vector that counted, so the map and the metrics come from the same one
            vectors.put(seenKey, StoredVector.encode(a, v));
        }
        if (instrumentSample != null) { // only records with extension fields: nothing stored when the worker captures none
            instrumentSamples.put(seenKey, instrumentSample);
        }
        state.setSamples(state.getSamples() + 1);
        layers.put(id.key(), state);
        if (!completeIfPlanned(id, state, plan, record.timestamp())) {
            dirty.add(id);
        }
    }

    /**
     * Adds x to the group under key, a language group ({@code neuronStatistics}) or a vector-sums group; a {@code held}
     * group is not written by the commits ({@link GroupSumsStore#hold}).
     */
    private GroupSums add(String key, GroupSums.Slice x, boolean neuronStatistics, boolean held) {
        GroupSums g = groups.sums(key);
        if (g == null) {
            g = neuronStatistics ? GroupSums.withNeuronStatistics(x.dimension()) : newMeaningGroup(x.dimension());
        }
        g.add(x);
        if (held) {
            groups.hold(key, g);
        } else {
            groups.update(key, g);
        }
        return g;
    }

    /**
     * After a restart: the groups an incomplete layer held are gone with the cache, and what the inner store holds of
     * them (groups that left the cache) may be older than the last commit; the vectors of that commit give them exactly
     * ({@link GroupsFromVectors}). Meanings that collapsed keep their scalars only, as before the restart.
     */
    private void rebuildGroups(LayerId id) {
        if (vectors == null) {
            throw new IllegalStateException("checkpoint '" + id.checkpointId() + "', layer " + id.layer() + " is aggregating with its "
                    + "groups kept as similarity vectors, which this instance does not store (--no-similarity-map): restart it "
                    + "with the similarity map until the checkpoint is complete");
        }
        String layerKey = id.key();
        String counts = StoreKeys.countsPrefix(layerKey); // the held groups' counts as of the last commit: the vectors lack them
        keys(groups, StoreKeys.samplePrefix(layerKey)).stream().filter(key -> !key.startsWith(counts)).forEach(groups::remove);
        CheckpointPlan plan = plans.get(id.checkpointId());
        String meanings = StoreKeys.meaningPrefix(layerKey);
        GroupsFromVectors.of(vectors, groups, layerKey, key -> !(key.startsWith(meanings) && plan != null && collapsedCount(key) >= plan.getLanguages().size()))
                .forEach(groups::hold);
    }

    /**
     * A meaning group serves only its scalars ‖V_s‖², Σ‖x‖² and count (docs/math.md §3): once it holds every language of
     * the plan no sample can join it, so its scalars are stored and its vectors deleted.
     */
    private void collapseIfComplete(String meaningKey, GroupSums meaning, CheckpointPlan plan) {
        if (meaning.count() >= plan.getLanguages().size()) {
            scalars.put(meaningKey, Scalars.of(meaning).encode());
            groups.remove(meaningKey);
            spareMeanings.push(meaning); // no one else holds it once removed
            if (spareMeanings.size() > SPARE_MEANINGS) {
                spareMeanings.removeLast(); // the oldest: the newest are of the width aggregating now
            }
        }
    }

    /** An empty meaning group of D neurons: the newest spare cleared when it has that width, else a new one. */
    private GroupSums newMeaningGroup(int d) {
        GroupSums spare = spareMeanings.peek();
        return spare != null && spare.dimension() == d ? spareMeanings.pop().clear() : GroupSums.vectorSums(d);
    }

    /** The samples of the meaning: its live group's, else those it collapsed with. */
    private long meaningCount(String meaningKey) {
        GroupSums live = groups.sums(meaningKey);
        return live != null ? live.count() : collapsedCount(meaningKey);
    }

    /** The samples a collapsed meaning held (0: not collapsed; a build before b65499b (2026-12-07) also stored live meanings' scalars). */
    private long collapsedCount(String meaningKey) {
        byte[] stored = scalars.get(meaningKey);
        return stored == null ? 0 : Scalars.decode(stored).model().count();
    }

    private void deadLetter(Record<String, ActivationRecord> record, IllegalArgumentException e) {
        context().forward(record.withValue(RecordErrors.deadLetter(AggregatorTopology.COMPONENT, context(), record.key(), e)));
    }

    private static String where(ActivationRecord a) {
        return "activation record (checkpoint '" + a.getCheckpointId() + "', sample '" + a.getSampleId() + "', layer " + a.getLayer() + ")";
    }

    /**
     * Σ token NLL = meanNll × predicted tokens (a sample of T tokens predicts T − 1), and Σ predicted tokens. The value:
     * the sum rounded to float64, the tokens, then the sum's low part ({@link CompensatedSum}, so the sum does not depend
     * on the records' order); a 16-byte value of an older build has low part 0.
     */
    private void addNll(String key, double meanNll, long predicted) {
        byte[] stored = nll.get(key);
        ByteBuffer b = stored == null ? ByteBuffer.allocate(24) : ByteBuffer.wrap(stored);
        CompensatedSum sum = CompensatedSum.of(b.getDouble(0), b.capacity() >= 24 ? b.getDouble(16) : 0);
        sum.add(meanNll * predicted);
        long tokens = b.getLong(8) + predicted;
        nll.put(key, ByteBuffer.allocate(24).putDouble(sum.value()).putLong(tokens).putDouble(sum.low()).array());
    }

    /**
     * Sends the complete partial once the layer holds every planned sample: {@code samplesExpected} distinct samples of
     * the plan's sample set (records outside it are not counted once the plan is known, and those counted before are
     * subtracted, {@link #planLanded}); true when it was sent (now or before). {@code plan} is the checkpoint's plan as
     * the caller read it (null: none yet), so a record decodes it once.
     */
    private boolean completeIfPlanned(LayerId id, LayerState state, CheckpointPlan plan, long timestamp) {
        if (state.getCompleteSent()) {
            return true;
        }
        if (plan == null) {
            return false;
        }
        if (awaitingPlan.remove(id)) {
            planLanded(id, state, plan);
        }
        if (state.getSamples() - state.getUnplanned() < plan.getSamplesExpected()) {
            return false;
        }
        context().forward(new Record<>(id.checkpointId(), partials.of(id.checkpointId(), id.layer(), state, plan, true), timestamp));
        state.setCompleteSent(true);
        state.setCompletedAt(context().currentSystemTimeMs());
        release(id, state);
        layers.put(id.key(), state);
        publishPending = true;
        return true;
    }

    /**
     * The plan of a layer that counted records without one has landed: the samples it counted outside the plan's sample
     * set (no offset is left to dead-letter them by) are logged, kept out of the completeness count and named as a
     * warning of the layer's partials, since its statistics include them; its meanings that hold every language collapse.
     * Re-counted from the seen-set, so a restarted task that runs it again gets the same count.
     */
    private void planLanded(LayerId id, LayerState state, CheckpointPlan plan) {
        String prefix = StoreKeys.samplePrefix(id.key());
        List<String> strays = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = seen.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(kv -> {
                String sampleId = kv.key.substring(prefix.length());
                String why = PlannedSamples.whyNotPlanned(plan, sampleId);
                if (why != null) {
                    strays.add(sampleId);
                    LOG.warn("checkpoint '{}', layer {}: sample '{}' was counted before the plan landed: {}", id.checkpointId(), id.layer(), sampleId, why);
                }
            });
        }
        if (state.getUnplanned() != strays.size()) {
            state.setUnplanned(strays.size());
            layers.put(id.key(), state);
        }
        for (String meaningKey : groups.keys(StoreKeys.meaningPrefix(id.key()))) {
            collapseIfComplete(meaningKey, groups.sums(meaningKey), plan);
        }
    }

    /**
     * A complete layer's per-sample state is no longer needed (its partial is final and later records are re-deliveries):
     * its seen-set and any meaning group that did not collapse go, in the transaction of the complete
     * partial (the collapsed meanings' scalars stay, and the language groups, which the neuron queries read); the similarity vectors go as
     * {@link VectorRetention} says.
     */
    private void release(LayerId id, LayerState state) {
        String layerKey = id.key();
        deleteAll(seen, StoreKeys.samplePrefix(layerKey));
        if (state.getGroupsFromVectors()) { // the vectors hold them until they are deleted (dropExpiredVectors)
            groups.keys(StoreKeys.languagePrefix(layerKey)).forEach(groups::remove);
        }
        groups.remove(StoreKeys.total(layerKey)); // a total group written by a build before 2026-12-07, if any
        groups.keys(StoreKeys.meaningPrefix(layerKey)).forEach(groups::remove);
        if (!dropExpiredVectors(id, state, state.getCompletedAt()) && vectorRetention.delayed()) {
            retaining.add(id);
        }
    }

    /** Deletes the layer's similarity vectors once {@link VectorRetention} says so; true when they are gone. */
    private boolean dropExpiredVectors(LayerId id, LayerState state, long now) {
        if (vectors == null || state.getVectorsDropped()) {
            return true;
        }
        if (!vectorRetention.expired(state.getCompletedAt(), now)) {
            return false;
        }
        if (state.getGroupsFromVectors()) { // the neuron queries read the language groups once the vectors are gone
            String layerKey = id.key();
            GroupsFromVectors.of(vectors, groups, layerKey, key -> StoreKeys.isLanguage(layerKey, key)).forEach(groups::update);
            keys(groups, StoreKeys.countsPrefix(layerKey)).forEach(groups::remove); // now in the groups themselves
        }
        deleteAll(vectors, StoreKeys.samplePrefix(id.key()));
        state.setVectorsDropped(true);
        return true;
    }

    private static void deleteAll(KeyValueStore<String, byte[]> store, String prefix) {
        keys(store, prefix).forEach(store::delete);
    }

    /** The keys under prefix, collected before any is deleted (a store's iterator must not see its own deletions). */
    private static List<String> keys(ReadOnlyKeyValueStore<String, byte[]> store, String prefix) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    private void flush(long now) {
        for (LayerId id : dirty) {
            LayerState state = layers.get(id.key());
            CheckpointPlan plan = plans.get(id.checkpointId());
            if (state != null && !completeIfPlanned(id, state, plan, now)) {
                context().forward(new Record<>(id.checkpointId(), partials.of(id.checkpointId(), id.layer(), state, plan, false), now));
            }
        }
        dirty.clear();
        for (LayerId id : List.copyOf(awaitingPlan)) {
            LayerState state = layers.get(id.key());
            if (state == null) {
                awaitingPlan.remove(id);
            } else {
                completeIfPlanned(id, state, plans.get(id.checkpointId()), now); // leaves awaitingPlan once its plan is there
            }
        }
        retaining.removeIf(id -> {
            LayerState state = layers.get(id.key());
            if (state == null) {
                return true;
            }
            boolean gone = dropExpiredVectors(id, state, now);
            if (gone) {
                layers.put(id.key(), state);
            }
            return gone;
        });
    }
}
