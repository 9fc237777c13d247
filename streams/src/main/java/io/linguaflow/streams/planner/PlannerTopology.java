package io.linguaflow.streams.planner;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.CorpusState;
import io.linguaflow.streams.common.Outputs;
import io.linguaflow.streams.common.RecordErrors;
import io.linguaflow.streams.config.StreamsSettings;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;

/**
 * Planner: a checkpoint event × the corpus → inference requests and the expected sample count.
 *
 * <pre>
 * sentences ──validate──► repartition by corpus ──► SentenceProcessor ─┐   stores (per corpus partition):
 * checkpoints ─validate─► repartition by corpus ──► CheckpointProcessor ┤   planner-samples, planner-corpora,
 *                                                                        │   planner-pending, planner-analysed
 *            inference-requests, progress, streams-plans, dead-letters ◄─┘
 * </pre>
 *
 * Both inputs are repartitioned by corpus into the same number of partitions, so one task holds a corpus's samples
 * and every checkpoint event for it. The rules (see {@link Planning}): a content hash already analysed on the same
 * corpus is skipped ({@code SKIPPED_DUPLICATE}) unless the event is a replay ({@code CheckpointEvent.replay}, from
 * {@code linguaflow replay}: planned again); an event for a corpus with fewer rows than its
 * {@code Sentence.corpusSize}, or for one not seen yet, waits ({@code WAITING_FOR_CORPUS}) and is planned in full when
 * the last row arrives; an invalid event or sentence is a dead letter.
 */
public final class PlannerTopology {

    static final String COMPONENT = "planner";
    public static final String SAMPLES_STORE = "planner-samples";
    public static final String CORPORA_STORE = "planner-corpora";
    public static final String PENDING_STORE = "planner-pending";
    public static final String ANALYSED_STORE = "planner-analysed";

    private PlannerTopology() {
    }

    /** The planner alone. */
    public static Topology build(StreamsSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, settings);
        return builder.build();
    }

    /** Adds the planner's nodes and stores to {@code builder}. */
    public static void addTo(StreamsBuilder builder, StreamsSettings settings) {
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(SAMPLES_STORE),
                Serdes.String(), settings.valueSerde(Sentence.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(CORPORA_STORE),
                Serdes.String(), settings.valueSerde(CorpusState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(PENDING_STORE),
                Serdes.String(), settings.valueSerde(CheckpointEvent.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(ANALYSED_STORE),
                Serdes.String(), Serdes.String()));

        KStream<String, SpecificRecord> sentences = builder.stream(settings.topic(Topic.SENTENCES),
                        Consumed.with(Serdes.String(), settings.valueSerde(Sentence.class)).withName("planner-sentences"))
                .processValues(() -> new Validate<>(Planning::validate), Named.as("planner-validate-sentence"));
        KStream<String, SpecificRecord> checkpoints = builder.stream(settings.topic(Topic.CHECKPOINTS),
                        Consumed.with(Serdes.String(), settings.valueSerde(CheckpointEvent.class)).withName("planner-checkpoints"))
                .processValues(() -> new Validate<>(Planning::validate), Named.as("planner-validate-checkpoint"));

        KStream<String, Sentence> sentencesByCorpus = sentences
                .filter((k, v) -> v instanceof Sentence, Named.as("planner-valid-sentences"))
                .map((k, v) -> new org.apache.kafka.streams.KeyValue<>(((Sentence) v).getCorpus(), (Sentence) v),
                        Named.as("planner-sentence-by-corpus"))
                .repartition(Repartitioned.with(Serdes.String(), settings.valueSerde(Sentence.class))
                        .withName("planner-sentences-by-corpus").withNumberOfPartitions(settings.plannerPartitions()));
        KStream<String, CheckpointEvent> checkpointsByCorpus = checkpoints
                .filter((k, v) -> v instanceof CheckpointEvent, Named.as("planner-valid-checkpoints"))
                .map((k, v) -> new org.apache.kafka.streams.KeyValue<>(((CheckpointEvent) v).getCorpus(), (CheckpointEvent) v),
                        Named.as("planner-checkpoint-by-corpus"))
                .repartition(Repartitioned.with(Serdes.String(), settings.valueSerde(CheckpointEvent.class))
                        .withName("planner-checkpoints-by-corpus").withNumberOfPartitions(settings.plannerPartitions()));

        String[] stores = {SAMPLES_STORE, CORPORA_STORE, PENDING_STORE, ANALYSED_STORE};
        KStream<String, SpecificRecord> fromSentences = sentencesByCorpus.process(
                () -> new Planning.SentenceProcessor(settings.batchSize()), Named.as("planner-sentence"), stores);
        KStream<String, SpecificRecord> fromCheckpoints = checkpointsByCorpus.process(
                () -> new Planning.CheckpointProcessor(settings.batchSize()), Named.as("planner-checkpoint"), stores);

        Outputs.route(sentences.filter((k, v) -> v instanceof DeadLetter, Named.as("planner-bad-sentences")),
                settings, "planner-sentence-errors", DeadLetter.class);
        Outputs.route(checkpoints.filter((k, v) -> v instanceof DeadLetter, Named.as("planner-bad-checkpoints")),
                settings, "planner-checkpoint-errors", DeadLetter.class);
        Outputs.route(fromSentences.merge(fromCheckpoints, Named.as("planner-merge")), settings, "planner-out",
                InferenceRequest.class, Progress.class, CheckpointPlan.class, DeadLetter.class);
    }

    /** Passes a valid record on, replaces an invalid one by its dead letter (same key). */
    private static final class Validate<V extends SpecificRecord> extends ContextualFixedKeyProcessor<String, V, SpecificRecord> {
        private final Planning.Validator<V> validator;

        Validate(Planning.Validator<V> validator) {
            this.validator = validator;
        }

        @Override
        public void process(FixedKeyRecord<String, V> record) {
            if (record.value() == null) {
                return; // a tombstone of the compacted topic: nothing to plan
            }
            SpecificRecord out;
            try {
                validator.check(record.key(), record.value());
                out = record.value();
            } catch (IllegalArgumentException e) {
                out = RecordErrors.deadLetter(COMPONENT, context(), record.key(), e);
            }
            context().forward(record.withValue(out));
        }
    }
}
