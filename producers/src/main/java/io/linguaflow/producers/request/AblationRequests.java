package io.linguaflow.producers.request;

import io.linguaflow.schemas.avro.AblationRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds {@link AblationRequest}s: perplexity per language with each neuron set zeroed (docs/math.md §6). */
public final class AblationRequests {

    private AblationRequests() {
    }

    /**
     * @param target             the checkpoint (ids are checked against its neuron count when known)
     * @param corpus             the corpus to measure perplexity on
     * @param regions            the neuron sets, already {@link KeyRegions#select selected}
     * @param randomBaselineSeed when non-null, also ablate as many uniformly random neurons per set, with this seed
     * @param window             window (= stride) in tokens for long texts; null = the model's context length
     * @param requestId          explicit id, or null for a deterministic one derived from the content
     */
    public static AblationRequest build(RequestTarget target, String corpus, KeyRegions regions, Long randomBaselineSeed,
                                        Integer window, String requestId) {
        if (corpus == null || corpus.isBlank()) {
            throw new IllegalArgumentException("ablation of " + target.checkpointId() + ": a corpus is required");
        }
        if (regions.sets().isEmpty()) {
            throw new IllegalArgumentException(regions.input() + ": no neuron sets to ablate");
        }
        if (window != null && window <= 0) {
            throw new IllegalArgumentException("ablation of " + target.checkpointId() + ": window must be positive: " + window);
        }
        regions.checkFits(target);
        Map<String, List<Integer>> sets = new LinkedHashMap<>();
        regions.sets().forEach((name, ids) -> {
            List<Integer> sorted = new ArrayList<>(ids);
            sorted.sort(null);
            sets.put(name, sorted);
        });
        String id = requestId != null ? requestId : RequestIds.derive("ablation", String.join("\n",
                target.checkpointId(), target.checkpointPath(), corpus, sets.toString(),
                String.valueOf(randomBaselineSeed), String.valueOf(window)));
        return AblationRequest.newBuilder()
                .setRequestId(id)
                .setCheckpointId(target.checkpointId())
                .setCheckpointPath(target.checkpointPath())
                .setCorpus(corpus)
                .setSets(sets)
                .setRandomBaselineSeed(randomBaselineSeed)
                .setWindow(window)
                .build();
    }
}
