package io.linguaflow.worker.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Text generation from a prompt, optionally with neurons zeroed at every token of every step (Zeng et al.
 * Appendix A, Tables 2-3: the output after deactivating a language's key region).
 *
 * <p>Conventions, those of HF {@code model.generate(**tokenizer(prompt, return_tensors="pt"), max_new_tokens=N)}
 * with the checkpoint's own generation config, batch size 1:
 * <ul>
 *   <li>prompt ids: the tokenizer's default encoding ({@link io.linguaflow.worker.tokenizer.TextTokenizer#encode}:
 *       LLaMA's {@code <s>} first, nothing added for BLOOM); a prompt with no token of its own is rejected;</li>
 *   <li>each step scores the whole sequence again and takes the last position's float32 logits (no KV cache: on
 *       the fixture models HF's cached steps give the same tokens, see {@code GenerationReferenceTest});</li>
 *   <li>greedy ({@code do_sample=False}): the argmax, the lowest id among equal maxima (as {@code torch.argmax});</li>
 *   <li>generation stops after {@code maxNewTokens} new tokens or right after one of the end ids
 *       ({@link io.linguaflow.checkpoint.GenerationConfig}), which is kept in the output, as HF returns it;</li>
 *   <li>no repetition penalty, no minimum length, no forced tokens (HF's defaults).</li>
 * </ul>
 *
 * <p>Sampling applies HF's warpers in HF's order, then draws: (1) scores = logits / temperature; (2) top-p
 * ({@code TopPLogitsWarper}): with tokens sorted by ascending score, those whose cumulative softmax probability is
 * {@code <= 1 - topP} are removed, the most likely token always stays; (3) the kept tokens' softmax
 * probabilities, renormalised, are walked in ascending token id and the first whose running sum exceeds
 * {@code u = new Random(seed).nextDouble()} (one draw per step, one generator per call) is taken. HF's default
 * {@code top_k=50} warper is not applied (HF with {@code top_k=0} matches). The draw is not torch's multinomial,
 * so sampled texts differ from HF's; a seed always gives the same tokens ({@link Random} is specified to).
 */
public final class Generation {

    private Generation() {
    }

    /**
     * How to choose each next token.
     *
     * @param maxNewTokens at most this many new tokens, >= 1
     * @param greedy       argmax decoding; otherwise sampling with the other three
     * @param seed         the sampling generator's seed
     * @param temperature  logits are divided by it, > 0
     * @param topP         nucleus mass in (0, 1]; 1 keeps every token
     */
    public record Options(int maxNewTokens, boolean greedy, long seed, double temperature, double topP) {

        public Options {
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
            }
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw new IllegalArgumentException("temperature must be a positive number, got " + temperature);
            }
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
            }
        }

        /** Argmax decoding, HF {@code do_sample=False}. */
        public static Options greedy(int maxNewTokens) {
            return new Options(maxNewTokens, true, 0, 1, 1);
        }

        /** Sampling with temperature and top-p, reproducible for a seed. */
        public static Options sampling(int maxNewTokens, long seed, double temperature, double topP) {
            return new Options(maxNewTokens, false, seed, temperature, topP);
        }
    }

    /**
     * A generation's tokens and text.
     *
     * @param promptIds    the prompt as the model read it
     * @param generatedIds the new tokens only, the end token included when generation stopped on one
     * @param text         the new tokens decoded, special tokens left out
     */
    public record Result(long[] promptIds, long[] generatedIds, String text) {
    }

    /**
     * Generates from {@code prompt}.
     *
     * @param ablation    neurons zeroed at every token of every step ({@link Ablation#none()} for the plain model)
     * @param eosTokenIds ids that end generation (may be empty)
     * @throws IllegalArgumentException when the prompt has no token of its own (quoting it)
     */
    public static Result generate(LanguageModel model, String prompt, Ablation ablation, List<Integer> eosTokenIds,
                                  Options options) {
        if (model.tokenizer().encodeWithoutSpecialTokens(prompt).length == 0) {
            throw new IllegalArgumentException("prompt \"" + prompt + "\" tokenizes to nothing");
        }
        long[] promptIds = model.tokenizer().encode(prompt);
        Random rng = options.greedy() ? null : new Random(options.seed());
        long[] seq = promptIds;
        List<Long> generated = new ArrayList<>();
        while (generated.size() < options.maxNewTokens()) {
            float[] logits = model.lastTokenLogits(List.of(seq), ablation).get(0);
            int next = options.greedy() ? argmax(logits)
                    : sample(logits, options.temperature(), options.topP(), rng.nextDouble());
            generated.add((long) next);
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = next;
            if (eosTokenIds.contains(next)) {
                break;
            }
        }
        long[] ids = generated.stream().mapToLong(Long::longValue).toArray();
        return new Result(promptIds, ids, model.tokenizer().decode(ids));
    }

    /** Index of the largest logit, the first one among equal maxima. */
    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** One sampling step (class comment): temperature, top-p, then the token where the running sum passes u. */
    static int sample(float[] logits, double temperature, double topP, double u) {
        double[] scores = new double[logits.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = logits[i] / temperature;
        }
        boolean[] keep = nucleus(scores, topP);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < scores.length; i++) {
            if (keep[i]) {
                max = Math.max(max, scores[i]);
            }
        }
        double total = 0;
        double[] p = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            p[i] = keep[i] ? Math.exp(scores[i] - max) : 0;
            total += p[i];
        }
        double run = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (keep[i]) {
                run += p[i] / total;
                last = i;
                if (run > u) {
                    return i;
                }
            }
        }
        return last; // u within rounding of 1
    }

    /**
     * HF {@code TopPLogitsWarper}: the tokens kept by top-p. Sorted by ascending score (ties by id), a token is
     * removed when the cumulative softmax probability up to and including it is {@code <= 1 - topP}; the most likely
     * token is always kept.
     */
    static boolean[] nucleus(double[] scores, double topP) {
        boolean[] keep = new boolean[scores.length];
        Arrays.fill(keep, true);
        if (topP >= 1) {
            return keep;
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Double.compare(scores[a], scores[b]) : Integer.compare(a, b));
        double max = scores[order[order.length - 1]];
        double total = 0;
        for (double s : scores) {
            total += Math.exp(s - max);
        }
        double cum = 0;
        for (int r = 0; r < order.length - 1; r++) {
            cum += Math.exp(scores[order[r]] - max) / total;
            if (cum <= 1 - topP) {
                keep[order[r]] = false;
            }
        }
        return keep;
    }
}
