package io.linguaflow.streams.evaluation;

import io.linguaflow.schemas.avro.EvalResult;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the latest evaluation result of each checkpoint, task, variant and ablated region (key checkpointId), so the
 * trend shows XStoryCloze accuracy next to LRDS, SADS and SKLR.
 */
final class EvalCollector extends ContextualProcessor<String, EvalResult, Void, Void> {

    private KeyValueStore<String, EvalResult> results;

    /** {@code <checkpointId>|<task>|monolingual|cross-lingual|<region or full>}: prefix-scannable by checkpoint. */
    public static String storeKey(EvalResult r) {
        return r.getCheckpointId() + "|" + r.getTask() + "|" + EvaluationRequests.variant(r.getCrossLingual()) + "|"
                + (r.getRegion() == null ? "full" : r.getRegion());
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        super.init(context);
        results = context.getStateStore(EvaluationTopology.EVALS_STORE);
    }

    @Override
    public void process(Record<String, EvalResult> record) {
        results.put(storeKey(record.value()), record.value());
    }
}
