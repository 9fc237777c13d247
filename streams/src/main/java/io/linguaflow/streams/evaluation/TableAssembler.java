package io.linguaflow.streams.evaluation;

import io.linguaflow.schemas.avro.AblationResult;
import io.linguaflow.schemas.avro.AblationTable;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.streams.avro.EvaluationsIssued;
import io.linguaflow.streams.common.RecordErrors;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns the answer to a checkpoint's Table 1 request (key checkpointId) into its {@link AblationTable}, stored and
 * published; a result that cannot make a table (the evaluation corpus lacks a language) becomes a dead letter naming
 * the request, the checkpoint and the language. Results of other requests (hand-made ones) pass by.
 */
final class TableAssembler extends ContextualProcessor<String, AblationResult, String, SpecificRecord> {

    private KeyValueStore<String, KeyRegion> regions;
    private KeyValueStore<String, EvaluationsIssued> issued;
    private KeyValueStore<String, AblationTable> tables;

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        regions = context.getStateStore(EvaluationTopology.REGIONS_STORE);
        issued = context.getStateStore(EvaluationTopology.ISSUED_STORE);
        tables = context.getStateStore(EvaluationTopology.TABLES_STORE);
    }

    @Override
    public void process(Record<String, AblationResult> record) {
        AblationResult result = record.value();
        String cp = result.getCheckpointId();
        EvaluationsIssued asked = issued.get(cp);
        if (asked == null || !result.getRequestId().equals(asked.getTableRequestId())) {
            return;
        }
        Map<String, KeyRegion> byLang = new LinkedHashMap<>();
        asked.getLanguages().forEach(lang -> byLang.put(lang, regions.get(cp + "|" + lang)));
        SpecificRecord out;
        try {
            AblationTable table = AblationTables.assemble(asked, byLang, result);
            tables.put(cp, table);
            out = table;
        } catch (IllegalArgumentException e) {
            out = RecordErrors.deadLetter("streams-evaluation", context(), result.getRequestId(), new IllegalArgumentException(
                    "ablation result '" + result.getRequestId() + "' of checkpoint '" + cp + "': " + e.getMessage(), e));
        }
        context().forward(new Record<>(cp, out, record.timestamp()));
        context().commit(); // publish now rather than at the next commit interval
    }
}
