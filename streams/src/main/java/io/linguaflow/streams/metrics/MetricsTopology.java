package io.linguaflow.streams.metrics;

import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.NeuronTypes;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.common.Outputs;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.config.StreamsSettings;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * Metrics: the layer partials of a checkpoint (key checkpointId) → {@link Metrics}, one {@link KeyRegion} per language,
 * {@link NeuronTypes} and {@link Progress}. While layers are incomplete, interim {@code Metrics} and {@code Progress} go
 * out at most once per {@link StreamsSettings#interimInterval()} per checkpoint; the final records (complete = true,
 * key regions and neuron types included) exactly once, in the transaction of the partial that completes the last
 * layer. Stores: {@value #LAYERS_STORE} (latest partial per {@code "<checkpointId>|<layer>"}) and {@value #FINAL_STORE}
 * (when the final result of a checkpoint went out) and {@value #NEURON_TYPES_STORE} (the published neuron types). All
 * are queryable (see {@code io.linguaflow.streams.query}).
 */
public final class MetricsTopology {

    public static final String LAYERS_STORE = "metrics-layers";
    public static final String FINAL_STORE = "metrics-final";
    public static final String NEURON_TYPES_STORE = "metrics-neuron-types";

    private MetricsTopology() {
    }

    /** The metrics topology alone, with the plans global store. */
    public static Topology build(StreamsSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        Plans.addGlobalStore(builder, settings);
        addTo(builder, settings);
        return builder.build();
    }

    /** Adds the metrics topology to a builder that already has the {@link Plans} global store. */
    public static void addTo(StreamsBuilder builder, StreamsSettings settings) {
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(LAYERS_STORE), Serdes.String(),
                settings.valueSerde(LayerPartial.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(FINAL_STORE), Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(NEURON_TYPES_STORE), Serdes.String(),
                settings.valueSerde(NeuronTypes.class)));
        KStream<String, SpecificRecord> out = builder.stream(settings.layerPartialsTopic(),
                        Consumed.with(Serdes.String(), settings.valueSerde(LayerPartial.class)).withName("metrics-partials"))
                .process(() -> new CheckpointCombiner(settings.interimInterval()), Named.as("metrics"), LAYERS_STORE, FINAL_STORE,
                        NEURON_TYPES_STORE);
        Outputs.route(out, settings, "metrics-out", Metrics.class, KeyRegion.class, NeuronTypes.class, Progress.class);
    }
}
