package io.linguaflow.streams.common;

import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.config.StreamsSettings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The planner's {@link CheckpointPlan}s as a global store on every instance: aggregators and the metrics topology
 * read a checkpoint's expected sample count, languages and threshold from it, whatever partition they own.
 * Register it once per {@link StreamsBuilder}.
 */
public final class Plans {

    public static final String STORE = "plans";

    private Plans() {
    }

    public static void addGlobalStore(StreamsBuilder builder, StreamsSettings settings) {
        builder.addGlobalStore(Stores.keyValueStoreBuilder(settings.keyValueStore(STORE), Serdes.String(),
                        settings.valueSerde(CheckpointPlan.class)).withLoggingDisabled(),
                settings.plansTopic(), Consumed.with(Serdes.String(), settings.valueSerde(CheckpointPlan.class)).withName("plans-source"),
                () -> new ContextualProcessor<String, CheckpointPlan, Void, Void>() {
                    private KeyValueStore<String, CheckpointPlan> store;

                    @Override
                    public void init(ProcessorContext<Void, Void> context) {
                        super.init(context);
                        store = context.getStateStore(STORE);
                    }

                    @Override
                    public void process(Record<String, CheckpointPlan> record) {
                        if (record.value() == null) {
                            store.delete(record.key());
                        } else {
                            store.put(record.key(), record.value());
                        }
                    }
                });
    }
}
