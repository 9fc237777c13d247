package io.linguaflow.streams.aggregator;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.avro.LayerState;
import io.linguaflow.streams.common.Outputs;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.instruments.InstrumentTopology;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * Aggregators: activation records (key {@code "<checkpointId>|<layer>"}, so one partition owns a (checkpoint, layer))
 * → sufficient statistics in RocksDB → {@link LayerPartial}s on {@code streams-layer-partials}.
 *
 * <p>Stores, all keyed by strings that start with {@code "<checkpointId>|<layer>"} (layout: {@link StoreKeys}):
 * <ul>
 *   <li>{@value #GROUPS_STORE}: one {@code analysis.stats.GroupSums} (its own encoding) per group:
 *       {@code L|<lang>} a language, {@code S|<meaningId>} a meaning (the total is their union, merged from the
 *       languages when a partial is built), in a {@link GroupSumsStore} (decoded groups,
 *       written once per commit; with the vectors store, an incomplete layer's groups are held unwritten and rebuilt
 *       from the vectors after a restart, {@link GroupsFromVectors}); a meaning group is deleted once it holds every
 *       language of the plan (docs/state-layout.md);</li>
 *   <li>{@value #SCALARS_STORE}: a collapsed meaning's scalars, all that is left of it; the total's, the languages' and
 *       the live meanings' are computed from their groups when a partial is built;</li>
 *   <li>{@value #SEEN_STORE}: {@code <sampleId>} of every sample counted: a re-delivered record is ignored, so
 *       aggregation is idempotent per (checkpoint, sample, layer) on top of exactly-once processing; released when the
 *       layer completes (a later record of a complete layer is a re-delivery);</li>
 *   <li>{@value #LAYERS_STORE}: per (checkpoint, layer) its shape, sample count and whether the final partial went out;</li>
 *   <li>{@value #NLL_STORE}: per language {@code <lang>}, the sum of token NLLs and of predicted tokens (24 bytes, LayerAggregator#addNll);</li>
 *   <li>{@value #VECTORS_STORE} (when {@link StreamsSettings#similarityVectors()}): {@code <sampleId>} → the record's
 *       pooled vector, norms and counts ({@link StoredVector}), written by {@link LayerAggregator} when the record first
 *       counts, for the similarity map and the groups' rebuild;
 *       kept after the layer completes as {@link StreamsSettings#vectorRetention()} says;</li>
 *   <li>{@value InstrumentTopology#SAMPLES_STORE} (when {@link StreamsSettings#instruments()} is on): the records'
 *       optional maxima and sampled tokens, for the instruments that run on the layer's complete partial
 *       ({@link InstrumentTopology}).</li>
 * </ul>
 * The scalars, seen, layers and NLL stores, written on every record, are {@link WriteBackStore}s: their writes reach
 * RocksDB and the changelog at the commit, each key once.
 * A layer's complete partial is sent in the same transaction as the record that completes it (the expected count
 * comes from the global {@link Plans} store), and a commit is requested within 500 ms so it is published at once; interim partials of changed layers at most once per
 * {@link StreamsSettings#interimInterval()} (wall clock).
 */
public final class AggregatorTopology {

    static final String COMPONENT = "aggregator";
    public static final String GROUPS_STORE = "aggregator-groups";
    public static final String SCALARS_STORE = "aggregator-scalars";
    public static final String SEEN_STORE = "aggregator-seen";
    public static final String LAYERS_STORE = "aggregator-layers";
    public static final String NLL_STORE = "aggregator-nll";
    public static final String VECTORS_STORE = "aggregator-vectors";

    private AggregatorTopology() {
    }

    /** The aggregators alone, with the plans global store. */
    public static Topology build(StreamsSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        Plans.addGlobalStore(builder, settings);
        addTo(builder, settings);
        return builder.build();
    }

    /** Adds the aggregators to a builder that already has the {@link Plans} global store. */
    public static void addTo(StreamsBuilder builder, StreamsSettings settings) {
        builder.addStateStore(GroupSumsStore.builder(settings.keyValueStore(GROUPS_STORE), settings.groupCacheBytes()));
        // the stores written per record wait for the commit in a write-back map of their own (not Kafka's record cache,
        // whose entries since KIP-1034 each pin the raw input record: docs/state-layout.md "Heap")
        builder.addStateStore(WriteBackStore.builder(settings.keyValueStore(SCALARS_STORE), Serdes.ByteArray()));
        builder.addStateStore(WriteBackStore.builder(settings.keyValueStore(SEEN_STORE), Serdes.ByteArray()));
        builder.addStateStore(WriteBackStore.builder(settings.keyValueStore(NLL_STORE), Serdes.ByteArray()));
        builder.addStateStore(WriteBackStore.builder(settings.keyValueStore(LAYERS_STORE), settings.valueSerde(LayerState.class)));
        List<String> stores = new ArrayList<>(List.of(GROUPS_STORE, SCALARS_STORE, SEEN_STORE, LAYERS_STORE, NLL_STORE));
        if (settings.similarityVectors()) {
            // no cache: each key is written once, and cached vectors would only evict the group sums
            builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(VECTORS_STORE), Serdes.String(), Serdes.ByteArray()));
            stores.add(VECTORS_STORE);
        }
        boolean instruments = settings.instruments().on();
        if (instruments) {
            stores.add(InstrumentTopology.addSamplesStore(builder, settings));
        }
        KStream<String, SpecificRecord> out = builder.stream(settings.topic(Topic.ACTIVATIONS),
                        Consumed.with(Serdes.String(), settings.valueSerde(ActivationRecord.class)).withName("aggregator-activations"))
                .process(() -> new LayerAggregator(settings.interimInterval(), settings.similarityVectors(), settings.vectorRetention(), instruments),
                        Named.as("aggregator"),
                        stores.toArray(String[]::new));
        Outputs.route(out, settings, "aggregator-out", LayerPartial.class, DeadLetter.class);
        if (instruments) {
            InstrumentTopology.addTo(builder, settings, out);
        }
    }
}
