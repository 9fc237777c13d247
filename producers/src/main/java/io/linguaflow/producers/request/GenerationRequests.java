package io.linguaflow.producers.request;

import io.linguaflow.schemas.avro.GenerationRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds {@link GenerationRequest}s: text from a prompt, optionally with a key region zeroed (Zeng et al. Appendix A). */
public final class GenerationRequests {

    private GenerationRequests() {
    }

    /** Decoding: greedy, or sampling with a seed, temperature and top-p (null = the worker's defaults 0, 1, 1). */
    public record Decoding(int maxNewTokens, boolean greedy, Long seed, Double temperature, Double topP) {
    }

    /**
     * @param target    the checkpoint (ids are range-checked when it knows its neuron count)
     * @param prompt    the prompt, not empty (whether it has tokens the worker's tokenizer decides)
     * @param ablate    flat neuron ids zeroed at every token (non-negative, no repeats)
     * @param region    name of the ablated set, or null
     * @param requestId explicit id, or null for a deterministic one derived from the content
     */
    public static GenerationRequest build(RequestTarget target, String prompt, List<Integer> ablate, String region,
                                          Decoding decoding, String requestId) {
        String where = "generation on " + target.checkpointId();
        if (prompt == null || prompt.isEmpty()) {
            throw new IllegalArgumentException(where + ": the prompt is empty");
        }
        if (decoding.maxNewTokens() < 1) {
            throw new IllegalArgumentException(where + ": max new tokens must be >= 1, got " + decoding.maxNewTokens());
        }
        boolean sampling = decoding.seed() != null || decoding.temperature() != null || decoding.topP() != null;
        if (decoding.greedy() && sampling) {
            throw new IllegalArgumentException(where + ": greedy decoding takes no seed, temperature or top-p");
        }
        if (decoding.temperature() != null && !(decoding.temperature() > 0 && Double.isFinite(decoding.temperature()))) {
            throw new IllegalArgumentException(where + ": temperature must be a positive number, got " + decoding.temperature());
        }
        if (decoding.topP() != null && !(decoding.topP() > 0 && decoding.topP() <= 1)) {
            throw new IllegalArgumentException(where + ": top-p must be in (0, 1], got " + decoding.topP());
        }
        List<Integer> ids = new ArrayList<>(KeyRegions.checkIds(ablate, where + ": ablate"));
        if (target.neuronCount() != null) {
            new KeyRegions(where, Map.of("ablate", ids), null).checkRange(target.neuronCount());
        }
        ids.sort(null);
        String id = requestId != null ? requestId : RequestIds.derive("generate", String.join("\n",
                target.checkpointId(), target.checkpointPath(), prompt, ids.toString(), String.valueOf(region),
                decoding.toString()));
        return GenerationRequest.newBuilder()
                .setRequestId(id)
                .setCheckpointId(target.checkpointId())
                .setCheckpointPath(target.checkpointPath())
                .setPrompt(prompt)
                .setAblate(ids)
                .setRegion(region)
                .setMaxNewTokens(decoding.maxNewTokens())
                .setGreedy(!sampling)
                .setSeed(decoding.seed())
                .setTemperature(decoding.temperature())
                .setTopP(decoding.topP())
                .build();
    }
}
