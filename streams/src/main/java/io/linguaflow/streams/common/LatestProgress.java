package io.linguaflow.streams.common;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.Stage;
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
 * The latest {@link Progress} of every checkpoint, from the {@code progress} topic, as a global store on every instance:
 * the only place the query layer learns what the planner (waiting for the corpus, skipped duplicate) and the worker
 * (failed) say about a checkpoint, which no results store records. Register it once per {@link StreamsBuilder}.
 */
public final class LatestProgress {

    public static final String STORE = "progress";

    private LatestProgress() {
    }

    public static void addGlobalStore(StreamsBuilder builder, StreamsSettings settings) {
        // a global store's processor also runs when the store is restored from the topic, so the rule below holds after restarts
        builder.addGlobalStore(Stores.keyValueStoreBuilder(settings.keyValueStore(STORE), Serdes.String(),
                        settings.valueSerde(Progress.class)).withLoggingDisabled(),
                settings.topic(Topic.PROGRESS), Consumed.with(Serdes.String(), settings.valueSerde(Progress.class)).withName("progress-source"),
                () -> new ContextualProcessor<String, Progress, Void, Void>() {
                    private KeyValueStore<String, Progress> store;

                    @Override
                    public void init(ProcessorContext<Void, Void> context) {
                        super.init(context);
                        store = context.getStateStore(STORE);
                    }

                    @Override
                    public void process(Record<String, Progress> record) {
                        if (record.key() == null || record.value() == null) {
                            return;
                        }
                        if (replaces(store.get(record.key()), record.value())) {
                            store.put(record.key(), record.value());
                        }
                    }
                });
    }

    /**
     * Whether {@code next} replaces {@code stored}: always, except that a failure stays until the checkpoint is planned
     * again or completes. The metrics go on reporting AGGREGATING for the batches that did arrive, but the dead-lettered
     * batch never will, so those later records must not hide the failure.
     */
    static boolean replaces(Progress stored, Progress next) {
        return stored == null || stored.getStage() != Stage.FAILED || next.getStage() == Stage.PLANNED || next.getStage() == Stage.COMPLETE;
    }
}
