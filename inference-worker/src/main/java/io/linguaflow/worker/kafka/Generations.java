package io.linguaflow.worker.kafka;

import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.GenerationConfig;
import io.linguaflow.checkpoint.ModelConfig;
import io.linguaflow.schemas.avro.GenerationRequest;
import io.linguaflow.schemas.avro.GenerationResult;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.Generation;
import io.linguaflow.worker.runtime.LanguageModel;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Answers a {@link GenerationRequest} (Zeng et al. Appendix A) as the {@code generate} command does:
 * {@link Generation#generate} with the request's neurons zeroed at every token and the checkpoint's own end ids.
 * The decoding options are checked before the model is loaded ({@link #options}).
 */
final class Generations {

    private Generations() {
    }

    /** How dead letters and logs name a request. */
    static String describe(GenerationRequest request) {
        return "generation request '" + request.getRequestId() + "' (checkpoint '" + request.getCheckpointId() + "')";
    }

    /**
     * The decoding options: greedy, or sampling with seed (default 0), temperature (default 1) and top-p (default 1).
     *
     * @throws RejectedRequestException for greedy with a sampling option, or an option out of range
     */
    static Generation.Options options(GenerationRequest request) throws RejectedRequestException {
        boolean sampling = request.getSeed() != null || request.getTemperature() != null || request.getTopP() != null;
        try {
            if (request.getGreedy()) {
                if (sampling) {
                    throw new IllegalArgumentException("greedy is true but seed, temperature or topP is set (set greedy "
                            + "to false to sample)");
                }
                return Generation.Options.greedy(request.getMaxNewTokens());
            }
            return Generation.Options.sampling(request.getMaxNewTokens(),
                    request.getSeed() == null ? 0 : request.getSeed(),
                    request.getTemperature() == null ? 1 : request.getTemperature(),
                    request.getTopP() == null ? 1 : request.getTopP());
        } catch (IllegalArgumentException e) {
            throw new RejectedRequestException(describe(request) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Generates on the loaded model of the request's checkpoint.
     *
     * @throws RejectedRequestException for an ablated id outside the model, a prompt that tokenizes to nothing, an
     *                                  unreadable generation config
     */
    static GenerationResult compute(LanguageModel model, GenerationRequest request, Generation.Options options)
            throws RejectedRequestException {
        String where = describe(request);
        ModelConfig c = model.config();
        Ablation ablation;
        List<Integer> eos;
        Generation.Result g;
        try {
            ablation = Ablation.ofFlatIds(request.getAblate().stream().mapToInt(Integer::intValue).toArray(),
                    c.numLayers(), c.intermediateSize());
        } catch (IllegalArgumentException e) {
            throw new RejectedRequestException(where + ": ablate: " + e.getMessage(), e);
        }
        try {
            eos = GenerationConfig.read(model.dir()).eosTokenIds();
        } catch (CheckpointException e) {
            throw new RejectedRequestException(where + ": " + e.getMessage(), e);
        }
        try {
            g = Generation.generate(model, request.getPrompt(), ablation, eos, options);
        } catch (IllegalArgumentException e) {
            throw new RejectedRequestException(where + ": " + e.getMessage(), e);
        }
        return GenerationResult.newBuilder()
                .setRequestId(request.getRequestId())
                .setCheckpointId(request.getCheckpointId())
                .setRegion(request.getRegion())
                .setPromptIds(ints(g.promptIds()))
                .setGeneratedIds(ints(g.generatedIds()))
                .setText(g.text())
                .setComputedAt(Instant.ofEpochMilli(System.currentTimeMillis()))
                .build();
    }

    private static List<Integer> ints(long[] ids) {
        return Arrays.stream(ids).mapToInt(Math::toIntExact).boxed().toList();
    }
}
