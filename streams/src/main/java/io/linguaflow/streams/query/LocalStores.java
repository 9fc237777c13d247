package io.linguaflow.streams.query;

import io.linguaflow.streams.aggregator.AggregatorTopology;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.metrics.CheckpointResults;
import io.linguaflow.streams.metrics.MetricsTopology;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.UnknownStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** This instance's stores, read in-process (its own tasks, and the global plans store). */
final class LocalStores {

    private final KafkaStreams streams;

    LocalStores(KafkaStreams streams) {
        this.streams = streams;
    }

    /** 503 until the instance is RUNNING: before that, owners and stores are not known. */
    void requireRunning() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw QueryException.unavailable("the streams instance is " + streams.state() + "; retry");
        }
    }

    <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }

    /** The planner's plan of a checkpoint, or null. */
    CheckpointPlan plan(String checkpointId) {
        return this.<CheckpointPlan>store(Plans.STORE).get(checkpointId);
    }

    /** The local partials of a checkpoint this instance owns; 404 when there are none. */
    CheckpointResults results(String checkpointId) {
        CheckpointPlan plan = plan(checkpointId);
        CheckpointResults r = CheckpointResults.load(this.<LayerPartial>store(MetricsTopology.LAYERS_STORE), checkpointId, plan);
        if (r.partials().isEmpty()) {
            throw QueryException.notFound(plan == null ? "unknown checkpoint '" + checkpointId + "'"
                    : "checkpoint '" + checkpointId + "' is planned but has no aggregated activations yet");
        }
        return r;
    }

    /** 404 unless the aggregators keep the per-sample vectors (StreamsSettings.similarityVectors; one topology for all instances). */
    void requireVectors() {
        try {
            store(AggregatorTopology.VECTORS_STORE);
        } catch (UnknownStateStoreException e) {
            throw QueryException.notFound("similarity maps are off in this deployment: the streams application runs without the "
                    + AggregatorTopology.VECTORS_STORE + " store (streams --no-similarity-map)");
        }
    }

    /** 404 unless the application computes the instruments (StreamsSettings.instruments; one topology for all instances). */
    void requireInstruments(String store) {
        try {
            store(store);
        } catch (UnknownStateStoreException e) {
            throw QueryException.notFound("instruments are off in this deployment: the streams application runs without the "
                    + store + " store (streams --no-instruments)");
        }
    }
}
