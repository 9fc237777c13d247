package io.linguaflow.streams.planner;

import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.SampleRef;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.CorpusState;
import io.linguaflow.streams.common.PlannedSamples;
import io.linguaflow.streams.common.RecordErrors;
import io.linguaflow.streams.common.Time;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The planner's rules and its two processors, which share the per-corpus stores of {@link PlannerTopology}. */
final class Planning {

    private static final Logger LOG = LoggerFactory.getLogger(Planning.class);

    private Planning() {
    }

    @FunctionalInterface
    interface Validator<V> {
        /** @throws IllegalArgumentException naming the record and what is wrong with it */
        void check(String key, V value);
    }

    static void validate(String key, Sentence s) {
        String where = "sentence '" + key + "'";
        requireText(where, "corpus", s.getCorpus());
        requireText(where, "lang", s.getLang());
        requireText(where, "meaningId", s.getMeaningId());
        if (s.getCorpus().indexOf('|') >= 0 || s.getLang().indexOf('|') >= 0) {
            throw new IllegalArgumentException(where + ": corpus and lang must not contain '|'");
        }
        if (s.getIndex() < 0) {
            throw new IllegalArgumentException(where + ": index " + s.getIndex() + " < 0");
        }
        if (s.getCorpusSize() != null && s.getCorpusSize() <= s.getIndex()) {
            throw new IllegalArgumentException(where + ": index " + s.getIndex() + " is outside corpusSize " + s.getCorpusSize());
        }
    }

    static void validate(String key, CheckpointEvent e) {
        String where = "checkpoint event '" + key + "'";
        requireText(where, "checkpointId", e.getCheckpointId());
        if (key != null && !key.equals(e.getCheckpointId())) {
            throw new IllegalArgumentException(where + ": key differs from checkpointId '" + e.getCheckpointId() + "'");
        }
        if (e.getCheckpointId().indexOf('|') >= 0) {
            throw new IllegalArgumentException(where + ": checkpointId must not contain '|' (it is a key part)");
        }
        requireText(where, "model", e.getModel());
        requireText(where, "path", e.getPath());
        requireText(where, "contentHash", e.getContentHash());
        requireText(where, "corpus", e.getCorpus());
        if (!Double.isFinite(e.getThreshold())) {
            throw new IllegalArgumentException(where + ": threshold " + e.getThreshold() + " is not finite");
        }
        if (e.getLayers() != null && e.getLayers() < 1) {
            throw new IllegalArgumentException(where + ": layers " + e.getLayers() + " < 1");
        }
    }

    private static void requireText(String where, String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(where + ": " + field + " is empty");
        }
    }

    /** Stores and emission shared by both processors. */
    private abstract static class Base<V> extends ContextualProcessor<String, V, String, SpecificRecord> {
        final int batchSize;
        KeyValueStore<String, Sentence> samples;
        KeyValueStore<String, CorpusState> corpora;
        KeyValueStore<String, CheckpointEvent> pending;
        KeyValueStore<String, String> analysed;

        Base(int batchSize) {
            this.batchSize = batchSize;
        }

        @Override
        public void init(ProcessorContext<String, SpecificRecord> context) {
            super.init(context);
            samples = context.getStateStore(PlannerTopology.SAMPLES_STORE);
            corpora = context.getStateStore(PlannerTopology.CORPORA_STORE);
            pending = context.getStateStore(PlannerTopology.PENDING_STORE);
            analysed = context.getStateStore(PlannerTopology.ANALYSED_STORE);
        }

        void emit(String key, SpecificRecord value, long timestamp) {
            context().forward(new Record<>(key, value, timestamp));
        }

        /** Plans a checkpoint event, skips a content hash already analysed, parks an event whose corpus is incomplete. */
        void handle(CheckpointEvent e, long ts) {
            String cp = e.getCheckpointId();
            String first = analysed.get(analysedKey(e));
            if (first != null && e.getReplay() == null) { // a replay (linguaflow replay) is planned again on purpose
                if (!first.equals(cp)) { // the same checkpoint re-delivered keeps its own progress untouched
                    emit(cp, progress(cp, Stage.SKIPPED_DUPLICATE, 0, 0, "content hash " + e.getContentHash()
                            + " was already analysed on corpus '" + e.getCorpus() + "' as checkpoint '" + first + "'"), ts);
                }
                return;
            }
            // the corpus and the checkpoint come on different topics, so no order between them is guaranteed:
            // an event for a corpus with no row yet waits like one for an incomplete corpus
            CorpusState state = corpora.get(e.getCorpus());
            if (state == null || !complete(state)) {
                pending.put(e.getCorpus() + "|" + cp, e);
                String have = state == null ? "has no rows yet" : "has " + state.getSamples() + " of " + state.getExpected() + " rows";
                emit(cp, progress(cp, Stage.WAITING_FOR_CORPUS, state == null ? 0 : state.getExpected(), 0,
                        "corpus '" + e.getCorpus() + "' " + have + "; planning when the last one arrives"), ts);
                return;
            }
            plan(e, ts);
        }

        /** Plans {@code event} on the stored rows of its corpus: inference batches, the plan, progress. */
        void plan(CheckpointEvent event, long timestamp) {
            String cp = event.getCheckpointId();
            List<Sentence> rows = new ArrayList<>();
            try (KeyValueIterator<String, Sentence> it = samples.prefixScan(event.getCorpus() + "|",
                    new org.apache.kafka.common.serialization.StringSerializer())) {
                it.forEachRemaining(kv -> rows.add(kv.value));
            }
            rows.sort(Comparator.comparingInt(Sentence::getIndex));
            PlannedSamples sampleSet = PlannedSamples.ofRows(rows.stream().map(Sentence::getLang).toList(),
                    rows.stream().map(Sentence::getMeaningId).toList());

            int batches = 0;
            for (List<Sentence> batch : batches(rows, batchSize)) {
                List<SampleRef> refs = new ArrayList<>();
                for (Sentence r : batch) {
                    refs.add(new SampleRef(r.getLang() + "|" + r.getMeaningId(), r.getIndex(), r.getLang(), r.getMeaningId(), r.getText()));
                }
                emit(cp, InferenceRequest.newBuilder().setRequestId(cp + "/" + batches).setCheckpointId(cp)
                        .setCheckpointPath(event.getPath()).setCorpus(event.getCorpus()).setSamples(refs).setComputeNll(true)
                        .build(), timestamp);
                batches++;
            }
            ConceptsByMeaning concepts = ConceptsByMeaning.of(rows);
            emit(cp, sampleSet.writeTo(CheckpointPlan.newBuilder()).setCheckpointId(cp).setModel(event.getModel()).setStep(event.getStep())
                    .setContentHash(event.getContentHash()).setCorpus(event.getCorpus())
                    .setSamplesExpected(rows.size()).setLayers(event.getLayers()).setCheckpointPath(event.getPath()).setThreshold(event.getThreshold())
                    .setLfCompat(event.getLfCompat()).setBatches(batches).setConceptsByMeaning(concepts.byMeaning())
                    .setPlannedAt(Time.now()).build(), timestamp);
            long layerRecords = event.getLayers() == null ? 0 : (long) rows.size() * event.getLayers();
            String warning = concepts.warning();
            if (warning != null) {
                LOG.warn("checkpoint '{}' on corpus '{}': {}", cp, event.getCorpus(), warning);
            }
            emit(cp, progress(cp, Stage.PLANNED, rows.size(), layerRecords,
                    rows.size() + " samples of corpus '" + event.getCorpus() + "' in " + batches + " inference requests"
                            + (warning == null ? "" : "; warning: " + warning)), timestamp);
            analysed.put(analysedKey(event), cp);
        }
    }

    /** Stores a corpus row; the row that completes a corpus releases the checkpoints waiting for it. */
    static final class SentenceProcessor extends Base<Sentence> {
        SentenceProcessor(int batchSize) {
            super(batchSize);
        }

        @Override
        public void process(Record<String, Sentence> record) {
            Sentence s = record.value();
            String corpus = s.getCorpus();
            String key = Keys.sentence(corpus, s.getLang(), s.getMeaningId());
            boolean isNew = samples.get(key) == null;
            samples.put(key, s);
            CorpusState state = corpora.get(corpus);
            if (state == null) {
                state = new CorpusState(0, null);
            }
            if (isNew) {
                state.setSamples(state.getSamples() + 1);
            }
            if (s.getCorpusSize() != null) {
                state.setExpected(s.getCorpusSize());
            }
            corpora.put(corpus, state);
            if (complete(state)) {
                List<KeyValue<String, CheckpointEvent>> waiting = new ArrayList<>();
                try (KeyValueIterator<String, CheckpointEvent> it = pending.prefixScan(corpus + "|",
                        new org.apache.kafka.common.serialization.StringSerializer())) {
                    it.forEachRemaining(waiting::add);
                }
                for (KeyValue<String, CheckpointEvent> w : waiting) {
                    pending.delete(w.key);
                    handle(w.value, record.timestamp()); // two ids with the same weights: the second is skipped
                }
            }
        }
    }

    /** Hands each checkpoint event to {@link Base#handle}. */
    static final class CheckpointProcessor extends Base<CheckpointEvent> {
        CheckpointProcessor(int batchSize) {
            super(batchSize);
        }

        @Override
        public void process(Record<String, CheckpointEvent> record) {
            handle(record.value(), record.timestamp());
        }
    }

    /**
     * The inference batches of a corpus: whole meanings, so the records of all languages of a meaning arrive together
     * and the aggregators can collapse its group at once (docs/state-layout.md). Meanings go by the mean length of their
     * texts, shortest first, and a meaning's rows by length, so a batch still holds texts of similar length; a batch
     * takes the next meaning while that brings its size nearer to {@code batchSize} (rounded to whole meanings, so up to
     * batchSize + L/2 samples for L languages). A meaning with more rows than {@code batchSize} is cut into batches of
     * that size.
     */
    static List<List<Sentence>> batches(List<Sentence> rows, int batchSize) {
        Map<String, List<Sentence>> byMeaning = new LinkedHashMap<>();
        rows.forEach(r -> byMeaning.computeIfAbsent(r.getMeaningId(), m -> new ArrayList<>()).add(r));
        Comparator<Sentence> byLength = Comparator.comparingInt((Sentence r) -> r.getText().length()).thenComparingInt(Sentence::getIndex);
        List<List<Sentence>> meanings = new ArrayList<>(byMeaning.values());
        meanings.forEach(m -> m.sort(byLength));
        meanings.sort(Comparator.comparingDouble((List<Sentence> m) -> m.stream().mapToInt(r -> r.getText().length()).average().orElse(0))
                .thenComparing(m -> m.get(0), byLength));
        List<List<Sentence>> out = new ArrayList<>();
        List<Sentence> current = new ArrayList<>();
        for (List<Sentence> meaning : meanings) {
            if (!current.isEmpty() && 2 * current.size() + meaning.size() > 2 * batchSize) {
                out.add(current);
                current = new ArrayList<>();
            }
            if (meaning.size() > batchSize) {
                for (int from = 0; from < meaning.size(); from += batchSize) {
                    out.add(meaning.subList(from, Math.min(from + batchSize, meaning.size())));
                }
            } else {
                current.addAll(meaning);
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** A corpus is complete when its producer's announced size is reached (or never announced: then as it is). */
    static boolean complete(CorpusState state) {
        return state.getExpected() == null || state.getSamples() >= state.getExpected();
    }

    /** Same weights on the same corpus = the same analysis. */
    static String analysedKey(CheckpointEvent e) {
        return e.getContentHash() + "|" + e.getCorpus();
    }

    static Progress progress(String checkpointId, Stage stage, int samplesExpected, long layerRecordsExpected, String message) {
        return Progress.newBuilder().setCheckpointId(checkpointId).setStage(stage).setSamplesExpected(samplesExpected)
                .setSamplesSeen(0).setLayerRecordsExpected(layerRecordsExpected).setLayerRecordsSeen(0).setMessage(message)
                .setUpdatedAt(Time.now()).build();
    }
}
