package io.linguaflow.streams.instruments;

import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.ExpertRanking;
import io.linguaflow.schemas.avro.ProbeLayer;
import io.linguaflow.schemas.deadletter.DeadLetters;
import io.linguaflow.streams.aggregator.AggregatorTopology;
import io.linguaflow.streams.avro.ExpertPartial;
import io.linguaflow.streams.common.Outputs;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.config.InstrumentSettings;
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
 * The instruments of the companion papers per checkpoint (docs/design.md §4c): language-identification probes
 * ({@code analysis.probes.LanguageProbe}) and expert neurons ({@code analysis.experts.ExpertNeurons}); this package
 * moves their inputs and results only.
 *
 * <pre>
 * activations ─► aggregator ──(complete LayerPartial, same task)──► {@link InstrumentProcessor} ─► probe-results (key &lt;cp&gt;|&lt;layer&gt;)
 *                 └ writes instrument-samples                          └─► streams-expert-partials (key &lt;cp&gt;)
 * streams-expert-partials ─► {@link ExpertsCombiner} ─► expert-neurons (key &lt;cp&gt;|&lt;concept&gt;|&lt;lang&gt;)
 * </pre>
 *
 * Stores (queryable; REST reads the two results stores by these names):
 * <ul>
 *   <li>{@value #SAMPLES_STORE}: {@code <cp>|<layer>|<sampleId>} → {@link InstrumentSample}, written by the aggregator
 *       for records with extension fields only, read by the processor in the same task (no repartition); dropped
 *       after the layer's results as {@link StreamsSettings#vectorRetention()} says;</li>
 *   <li>{@value #LAYERS_STORE}: {@code <cp>|<layer>} → when its instruments ran (so they run once) and whether its
 *       samples were dropped;</li>
 *   <li>{@value #PROBES_STORE}: {@code <cp>|<layer>} → {@link ProbeLayer}, partitioned like the activations;</li>
 *   <li>{@value #EXPERT_LAYERS_STORE}: {@code <cp>|<layer>} → {@link ExpertPartial} until every layer reported;</li>
 *   <li>{@value #EXPERTS_STORE}: {@code <cp>|<concept>|<lang>} → {@link ExpertRanking}, partitioned by the combiner's
 *       input key {@code <cp>} (find the owner with {@code queryMetadataForKey(EXPERTS_STORE, cp)}, then prefix-scan
 *       {@code <cp>|});</li>
 *   <li>{@value #EXPERTS_FINAL_STORE}: {@code <cp>} → when its rankings went out.</li>
 * </ul>
 */
public final class InstrumentTopology {

    static final String COMPONENT = "instruments";
    public static final String SAMPLES_STORE = "instrument-samples";
    public static final String LAYERS_STORE = "instrument-layers";
    public static final String PROBES_STORE = "instrument-probes";
    public static final String EXPERT_LAYERS_STORE = "instrument-expert-layers";
    public static final String EXPERTS_STORE = "instrument-experts";
    public static final String EXPERTS_FINAL_STORE = "instrument-experts-final";

    private InstrumentTopology() {
    }

    /** The aggregators with their instruments (switched on), with the plans global store. */
    public static Topology build(StreamsSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        Plans.addGlobalStore(builder, settings);
        StreamsSettings on = settings.instruments().on() ? settings
                : settings.withInstruments(new InstrumentSettings(true, settings.instruments().expertTopK()));
        AggregatorTopology.addTo(builder, on);
        return builder.build();
    }

    /** The dead letter of an instrument that could not run on its input (named by {@code input}), with the cause. */
    static DeadLetter deadLetter(String input, RuntimeException e) {
        DeadLetter d = DeadLetters.forInput(COMPONENT, input, e);
        String message = e.getMessage();
        if (message != null && message.startsWith(input)) { // the analysis names its source first: once is enough
            d.setError(e.getCause() == null ? message : message + "; caused by " + DeadLetters.describe(e.getCause()));
        }
        return d;
    }

    /** Adds {@value #SAMPLES_STORE}, which the aggregator writes; returns its name, to connect it to the aggregator. */
    public static String addSamplesStore(StreamsBuilder builder, StreamsSettings settings) {
        // no cache: each key is written once, and cached samples would only evict the group sums
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(SAMPLES_STORE), Serdes.String(), Serdes.ByteArray()));
        return SAMPLES_STORE;
    }

    /**
     * Attaches the instruments to the aggregator's output (its complete partials are the signal) and adds the experts'
     * combiner; called by {@link AggregatorTopology#addTo} when the instruments are on.
     */
    public static void addTo(StreamsBuilder builder, StreamsSettings settings, KStream<String, SpecificRecord> aggregatorOut) {
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(LAYERS_STORE), Serdes.String(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(PROBES_STORE), Serdes.String(),
                settings.valueSerde(ProbeLayer.class)));
        KStream<String, SpecificRecord> out = aggregatorOut.process(() -> new InstrumentProcessor(settings.instruments(),
                settings.vectorRetention(), settings.interimInterval()), Named.as("instruments"), SAMPLES_STORE, LAYERS_STORE, PROBES_STORE);
        Outputs.route(out, settings, "instruments-out", ProbeLayer.class, ExpertPartial.class, DeadLetter.class);

        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(EXPERT_LAYERS_STORE), Serdes.String(),
                settings.valueSerde(ExpertPartial.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(EXPERTS_STORE), Serdes.String(),
                settings.valueSerde(ExpertRanking.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(EXPERTS_FINAL_STORE), Serdes.String(), Serdes.Long()));
        KStream<String, SpecificRecord> experts = builder.stream(settings.expertPartialsTopic(),
                        Consumed.with(Serdes.String(), settings.valueSerde(ExpertPartial.class)).withName("experts-partials"))
                .process(ExpertsCombiner::new, Named.as("experts"), EXPERT_LAYERS_STORE, EXPERTS_STORE, EXPERTS_FINAL_STORE);
        Outputs.route(experts, settings, "experts-out", ExpertRanking.class, DeadLetter.class);
    }
}
