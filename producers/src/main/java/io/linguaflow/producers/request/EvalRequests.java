package io.linguaflow.producers.request;

import io.linguaflow.schemas.avro.EvalRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds {@link EvalRequest}s: multiple-choice evaluation of a checkpoint, optionally with neurons ablated. */
public final class EvalRequests {

    /** Supported tasks and their languages (XStoryCloze: Lin et al. 2022, the 11 languages of the release). */
    public static final Map<String, List<String>> TASK_LANGUAGES = Map.of(
            "xstorycloze", List.of("en", "ru", "zh", "es", "ar", "hi", "id", "te", "sw", "eu", "my"));

    private EvalRequests() {
    }

    /**
     * @param target    the checkpoint (ids are range-checked when it knows its neuron count)
     * @param task      a key of {@link #TASK_LANGUAGES}
     * @param languages languages to evaluate, each once, all supported by the task
     * @param ablate    flat neuron ids zeroed during scoring (non-negative, no repeats), e.g. {@link KeyRegions#union}
     * @param limit     at most this many items per language, or null for all
     * @param requestId explicit id, or null for a deterministic one derived from the content
     */
    public static EvalRequest build(RequestTarget target, String task, List<String> languages, List<Integer> ablate,
                                    Integer limit, String requestId) {
        return build(target, task, languages, ablate, limit, false, false, null, requestId);
    }

    /**
     * As {@link #build(RequestTarget, String, List, List, Integer, String)}, with the cross-lingual task
     * (Zeng et al. Appendix B), per-item samples in the result and the ablated set's name.
     *
     * @param crossLingual the story in each language, the English endings of the same story as choices
     * @param samples      the result also lists each item's log-likelihoods and label
     * @param region       name of the ablated set (e.g. the language whose key region {@code ablate} is), or null
     */
    public static EvalRequest build(RequestTarget target, String task, List<String> languages, List<Integer> ablate,
                                    Integer limit, boolean crossLingual, boolean samples, String region,
                                    String requestId) {
        String where = "evaluation of " + target.checkpointId();
        List<String> supported = TASK_LANGUAGES.get(task);
        if (supported == null) {
            throw new IllegalArgumentException(where + ": unknown task '" + task + "' (supported: "
                    + TASK_LANGUAGES.keySet() + ")");
        }
        if (languages == null || languages.isEmpty()) {
            throw new IllegalArgumentException(where + ": at least one language is required");
        }
        Set<String> seen = new HashSet<>();
        for (String lang : languages) {
            if (!supported.contains(lang)) {
                throw new IllegalArgumentException(where + ": task " + task + " has no language '" + lang
                        + "' (it has " + supported + ")");
            }
            if (!seen.add(lang)) {
                throw new IllegalArgumentException(where + ": language '" + lang + "' is given twice");
            }
        }
        if (limit != null && limit <= 0) {
            throw new IllegalArgumentException(where + ": limit must be positive: " + limit);
        }
        List<Integer> ids = new ArrayList<>(KeyRegions.checkIds(ablate, where + ": ablate"));
        if (target.neuronCount() != null) {
            new KeyRegions(where, Map.of("ablate", ids), null).checkRange(target.neuronCount());
        }
        ids.sort(null);
        String content = String.join("\n", target.checkpointId(), target.checkpointPath(), task, languages.toString(),
                ids.toString(), String.valueOf(limit));
        if (crossLingual || samples || region != null) { // ids of plain requests stay what they were
            content += "\n" + crossLingual + "\n" + samples + "\n" + region;
        }
        String id = requestId != null ? requestId : RequestIds.derive("eval", content);
        return EvalRequest.newBuilder()
                .setRequestId(id)
                .setCheckpointId(target.checkpointId())
                .setCheckpointPath(target.checkpointPath())
                .setTask(task)
                .setLanguages(List.copyOf(languages))
                .setAblate(ids)
                .setLimit(limit)
                .setCrossLingual(crossLingual)
                .setSamples(samples)
                .setRegion(region)
                .build();
    }
}
