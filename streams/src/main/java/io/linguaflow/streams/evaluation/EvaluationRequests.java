package io.linguaflow.streams.evaluation;

import io.linguaflow.schemas.avro.AblationRequest;
import io.linguaflow.schemas.avro.EvalRequest;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.EvaluationsIssued;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.common.RecordErrors;
import io.linguaflow.streams.common.Time;
import io.linguaflow.streams.config.EvaluationSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the final key regions of each checkpoint (key checkpointId) and, once every language of its plan has one, issues
 * once: the Table 1 ablation request (every region, a seeded random set of each region's size, the full model, on the
 * evaluation corpus) and the XStoryCloze requests (monolingual and cross-lingual, full model and, when configured, each
 * region ablated).
 */
final class EvaluationRequests extends ContextualProcessor<String, KeyRegion, String, SpecificRecord> {

    static final String TASK = "xstorycloze";

    private final EvaluationSettings settings;
    private KeyValueStore<String, KeyRegion> regions;
    private KeyValueStore<String, EvaluationsIssued> issued;
    private KeyValueStore<String, CheckpointPlan> plans;

    EvaluationRequests(EvaluationSettings settings) {
        this.settings = settings;
    }

    /** The Table 1 request of a checkpoint: one per checkpoint, so its id is the checkpoint's. */
    static String tableRequestId(String checkpointId) {
        return "table1-" + checkpointId;
    }

    /** One XStoryCloze request per checkpoint, variant and ablated region (null: the full model). */
    static String evalRequestId(String checkpointId, boolean crossLingual, String region) {
        return TASK + "-" + variant(crossLingual) + "-" + (region == null ? "full" : region) + "-" + checkpointId;
    }

    static String variant(boolean crossLingual) {
        return crossLingual ? "cross-lingual" : "monolingual";
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        regions = context.getStateStore(EvaluationTopology.REGIONS_STORE);
        issued = context.getStateStore(EvaluationTopology.ISSUED_STORE);
        plans = context.getStateStore(Plans.STORE);
    }

    @Override
    public void process(Record<String, KeyRegion> record) {
        KeyRegion region = record.value();
        String cp = region.getCheckpointId();
        if (!settings.any() || issued.get(cp) != null) {
            return;
        }
        regions.put(cp + "|" + region.getLang(), region);
        CheckpointPlan plan = plans.get(cp);
        if (plan == null) {
            forward(cp, RecordErrors.deadLetter("streams-evaluation", context(), record.key(),
                    new IllegalStateException("key region of '" + region.getLang() + "' of checkpoint '" + cp
                            + "' has no plan: its checkpoint path and languages are unknown, so nothing is evaluated")), record);
            return;
        }
        Map<String, List<Integer>> sets = new LinkedHashMap<>();
        for (String lang : plan.getLanguages()) {
            KeyRegion r = regions.get(cp + "|" + lang);
            if (r == null) {
                return; // more regions to come
            }
            sets.put(lang, r.getNeurons());
        }
        String path = plan.getCheckpointPath();
        if (path == null) {
            forward(cp, RecordErrors.deadLetter("streams-evaluation", context(), record.key(), new IllegalStateException("the plan of "
                    + "checkpoint '" + cp + "' has no checkpoint path (planned by an older version), so nothing is evaluated")), record);
            return;
        }
        EvaluationsIssued.Builder done = EvaluationsIssued.newBuilder().setCheckpointId(cp).setLanguages(plan.getLanguages())
                .setIssuedAt(Time.now());
        if (settings.tableOn()) {
            String id = tableRequestId(cp);
            forward(id, AblationRequest.newBuilder().setRequestId(id).setCheckpointId(cp).setCheckpointPath(path)
                    .setCorpus(settings.evalCorpus()).setSets(sets).setRandomBaselineSeed(settings.randomSeed()).build(), record);
            done.setTableRequestId(id).setEvalCorpus(settings.evalCorpus()).setRandomSeed(settings.randomSeed());
        }
        List<String> evalIds = new ArrayList<>();
        if (settings.storyClozeOn()) {
            for (boolean crossLingual : new boolean[] {false, true}) {
                evalIds.add(eval(cp, path, crossLingual, null, List.of(), record));
                if (settings.storyClozeAblated()) {
                    sets.forEach((lang, neurons) -> evalIds.add(eval(cp, path, crossLingual, lang, neurons, record)));
                }
            }
        }
        issued.put(cp, done.setEvalRequestIds(evalIds).build());
        context().commit(); // the workers can start now rather than at the next commit interval
    }

    private String eval(String cp, String path, boolean crossLingual, String region, List<Integer> ablate, Record<String, KeyRegion> in) {
        String id = evalRequestId(cp, crossLingual, region);
        forward(id, EvalRequest.newBuilder().setRequestId(id).setCheckpointId(cp).setCheckpointPath(path).setTask(TASK)
                .setLanguages(settings.storyCloze()).setAblate(ablate).setLimit(settings.storyLimit()).setCrossLingual(crossLingual)
                .setRegion(region).build(), in);
        return id;
    }

    private void forward(String key, SpecificRecord value, Record<String, KeyRegion> in) {
        context().forward(new Record<>(key, value, in.timestamp()));
    }
}
