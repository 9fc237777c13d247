package io.linguaflow.streams.metrics;

import io.linguaflow.analysis.neurontypes.ActivationProbabilities;
import io.linguaflow.analysis.neurontypes.NeuronTypes;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.common.Time;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the latest partial per layer and publishes a checkpoint's results: throttled interim ones, the final one once. */
final class CheckpointCombiner extends ContextualProcessor<String, LayerPartial, String, SpecificRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointCombiner.class);

    private final Duration interimInterval;
    /** Checkpoints with partials newer than their last interim result (re-marked by new partials after a restart). */
    private final Set<String> dirty = new LinkedHashSet<>();
    private KeyValueStore<String, LayerPartial> layers;
    private KeyValueStore<String, Long> finals;
    private KeyValueStore<String, io.linguaflow.schemas.avro.NeuronTypes> neuronTypes;
    private KeyValueStore<String, CheckpointPlan> plans;

    CheckpointCombiner(Duration interimInterval) {
        this.interimInterval = interimInterval;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        layers = context.getStateStore(MetricsTopology.LAYERS_STORE);
        finals = context.getStateStore(MetricsTopology.FINAL_STORE);
        neuronTypes = context.getStateStore(MetricsTopology.NEURON_TYPES_STORE);
        plans = context.getStateStore(Plans.STORE);
        context.schedule(interimInterval, PunctuationType.WALL_CLOCK_TIME, this::flush);
    }

    @Override
    public void process(Record<String, LayerPartial> record) {
        LayerPartial p = record.value();
        if (p == null || finals.get(p.getCheckpointId()) != null) {
            return; // the final result is out: it is never revised
        }
        String key = CheckpointResults.storeKey(p.getCheckpointId(), p.getLayer());
        LayerPartial stored = layers.get(key);
        if (stored != null && (stored.getComplete() || stored.getSamples() > p.getSamples())) {
            return; // an older partial arriving late never replaces a newer one
        }
        layers.put(key, p);
        // only a complete partial can complete the checkpoint: an interim one waits for the punctuation, which reads
        // the checkpoint's partials once per interval, not once per layer
        CheckpointResults results = p.getComplete() ? results(p.getCheckpointId()) : null;
        if (results != null && results.complete()) {
            publishFinal(results, record.timestamp());
            dirty.remove(p.getCheckpointId());
        } else {
            dirty.add(p.getCheckpointId());
        }
    }

    private void flush(long now) {
        for (String checkpointId : dirty) {
            CheckpointResults results = results(checkpointId);
            Metrics metrics = results.metrics();
            forward(checkpointId, metrics, now);
            forward(checkpointId, progress(results, Stage.AGGREGATING, metrics), now);
        }
        dirty.clear();
    }

    private void publishFinal(CheckpointResults results, long timestamp) {
        String cp = results.checkpointId();
        Metrics metrics = results.metrics();
        try {
            ActivationProbabilities p = results.activationProbabilities();
            if (p != null) {
                io.linguaflow.schemas.avro.NeuronTypes types = results.neuronTypes(NeuronTypes.classify(p, NeuronTypes.Options.zhangAutosweep()));
                neuronTypes.put(cp, types);
                forward(cp, types, timestamp);
            } else {
                metrics.getWarnings().add("no neuron types: the activation records carry no positive-activation counts");
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.warn("checkpoint {}: no neuron types: {}", cp, e.getMessage());
            metrics.getWarnings().add("no neuron types: " + e.getMessage());
        }
        forward(cp, metrics, timestamp);
        for (KeyRegion region : results.keyRegions()) {
            forward(io.linguaflow.schemas.Keys.keyRegion(cp, region.getLang()), region, timestamp);
        }
        forward(cp, progress(results, Stage.COMPLETE, metrics), timestamp);
        finals.put(cp, System.currentTimeMillis());
        context().commit(); // publish now rather than at the next commit interval
    }

    private CheckpointResults results(String checkpointId) {
        return CheckpointResults.load(layers, checkpointId, plans.get(checkpointId));
    }

    private static Progress progress(CheckpointResults results, Stage stage, Metrics metrics) {
        long layerRecords = results.partials().stream().mapToLong(LayerPartial::getSamples).sum();
        return Progress.newBuilder().setCheckpointId(results.checkpointId()).setStage(stage)
                .setSamplesExpected(metrics.getSamplesExpected()).setSamplesSeen(metrics.getSamplesSeen())
                .setLayerRecordsExpected((long) metrics.getSamplesExpected() * metrics.getLayers()).setLayerRecordsSeen(layerRecords)
                .setMessage(stage == Stage.COMPLETE ? "final results published" : results.partials().size() + " of "
                        + metrics.getLayers() + " layers reported").setUpdatedAt(Time.now()).build();
    }

    private void forward(String key, SpecificRecord value, long timestamp) {
        context().forward(new Record<>(key, value, timestamp));
    }
}
