package io.linguaflow.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.ablation.AblationTableJson;
import io.linguaflow.schemas.avro.AblationTable;
import io.linguaflow.schemas.avro.EvalResult;
import io.linguaflow.streams.evaluation.AblationTables;
import io.linguaflow.streams.evaluation.EvaluationTopology;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What the evaluation topology keeps per checkpoint: its Table 1 ({@code /checkpoints/{id}/ablation-table}, JSON as
 * {@code linguaflow table1} writes it, or {@code ?format=csv}) and its evaluation results
 * ({@code /checkpoints/{id}/evaluations}: task → variant → ablated region or "full" → accuracy per language), which the
 * trend shows next to LRDS, SADS and SKLR.
 */
final class EvaluationQueries {

    private final LocalStores stores;
    private final Instances instances;

    EvaluationQueries(LocalStores stores, Instances instances) {
        this.stores = stores;
        this.instances = instances;
    }

    Reply ablationTable(String cp, String format, boolean forwarded) {
        boolean csv = "csv".equals(format);
        if (format != null && !csv && !"json".equals(format)) {
            throw QueryException.badRequest("format must be json or csv, got '" + format + "'");
        }
        String path = Api.path(Api.ABLATION_TABLE, cp) + (format == null ? "" : "?format=" + format);
        return instances.ownedBytes(EvaluationTopology.TABLES_STORE, cp, path, forwarded, () -> {
            AblationTable t = stores.<AblationTable>store(EvaluationTopology.TABLES_STORE).get(cp);
            if (t == null) {
                throw QueryException.notFound("no ablation table of checkpoint '" + cp + "' yet: Table 1 is asked for once the "
                        + "checkpoint's key regions are final, when streams runs with an evaluation corpus (--eval-corpus), and "
                        + "published when a worker has answered");
            }
            var table = AblationTables.toAnalysis(t);
            return csv ? new Reply("text/csv; charset=utf-8", AblationTableJson.toCsv(table).getBytes(StandardCharsets.UTF_8))
                    : new Reply("application/json", Reply.bytes(AblationTableJson.toJson(table)));
        });
    }

    /** The evaluation results of a checkpoint; 404 when there are none. */
    JsonNode evaluations(String cp, boolean forwarded) {
        JsonNode out = evaluationsOrEmpty(cp, forwarded);
        if (out.path("tasks").isEmpty()) {
            throw QueryException.notFound("no evaluation result of checkpoint '" + cp + "' (XStoryCloze is asked for once the key "
                    + "regions are final, when streams runs with --xstorycloze-langs, or by request-eval)");
        }
        return out;
    }

    /** {@code {"checkpointId", "tasks": {task: {variant: {region|"full": {"accuracy": {lang: acc}, "items": {lang: n}}}}}}}. */
    JsonNode evaluationsOrEmpty(String cp, boolean forwarded) {
        return instances.owned(EvaluationTopology.EVALS_STORE, cp, Api.path(Api.EVALUATIONS, cp) + "?all=true", forwarded, () -> {
            ObjectNode out = Reply.JSON.createObjectNode();
            out.put("checkpointId", cp);
            ObjectNode tasks = out.putObject("tasks");
            ReadOnlyKeyValueStore<String, EvalResult> store = stores.store(EvaluationTopology.EVALS_STORE);
            try (KeyValueIterator<String, EvalResult> it = store.prefixScan(cp + "|", new StringSerializer())) {
                it.forEachRemaining(kv -> {
                    EvalResult r = kv.value;
                    if (!r.getCheckpointId().equals(cp)) {
                        return; // another checkpoint whose id starts with "<cp>|"
                    }
                    ObjectNode variant = child(child(tasks, r.getTask()), r.getCrossLingual() ? "cross-lingual" : "monolingual");
                    ObjectNode cell = variant.putObject(r.getRegion() == null ? "full" : r.getRegion());
                    cell.set("accuracy", Reply.JSON.valueToTree(r.getAccuracy()));
                    cell.set("items", Reply.JSON.valueToTree(r.getItems()));
                    cell.put("requestId", r.getRequestId());
                });
            }
            return out;
        });
    }

    private static ObjectNode child(ObjectNode parent, String name) {
        return parent.has(name) ? (ObjectNode) parent.get(name) : parent.putObject(name);
    }
}
