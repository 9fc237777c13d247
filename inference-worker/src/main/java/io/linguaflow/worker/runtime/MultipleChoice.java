package io.linguaflow.worker.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Zero-shot multiple-choice scoring as lm-eval-harness 0.4 does it ({@code output_type: multiple_choice},
 * metric {@code acc}): each choice is scored by the summed, unnormalised log-likelihood of
 * {@code " " + choice} given the context, and the prediction is the argmax. Encoding follows the harness'
 * {@code _encode_pair}: trailing spaces of the context move to the continuation, the context tokens are
 * {@code encode(context)}, the continuation tokens those of {@code encode(context + continuation)} after the
 * first {@code len(encode(context))}, and no special
 * tokens are added (HFLM's default {@code add_bos_token=False}).
 *
 * <p>Verified against EleutherAI/lm-evaluation-harness v0.4.2 (the 0.4.x line Zeng et al. call):
 * {@code lm_eval/api/model.py} {@code TemplateLM._encode_pair} (trailing spaces moved, {@code whole_enc[len(context_enc):]}),
 * {@code lm_eval/models/huggingface.py} {@code HFLM.__init__(add_bos_token=False)} and {@code tok_encode}
 * ({@code add_special_tokens = False or self.add_bos_token} for causal LMs), {@code _loglikelihood_tokens}
 * ({@code (context_enc + continuation_enc)[-(max_length + 1):][:-1]}, summed log-softmax at the continuation
 * positions), {@code lm_eval/api/task.py} ({@code target_delimiter = " "}, arguments {@code (ctx, " " + choice)}).
 * (Newer harness versions default {@code add_bos_token} to the tokenizer's own setting.)
 */
public final class MultipleChoice {

    /** The harness' {@code target_delimiter}. */
    public static final String DELIMITER = " ";

    private MultipleChoice() {
    }

    /**
     * One question.
     *
     * @param id      the item's id in its data set (XStoryCloze: {@code story_id})
     * @param context the prompt (XStoryCloze: the four story sentences joined by spaces)
     * @param choices candidate continuations, without the leading delimiter
     * @param gold    index of the correct choice
     */
    public record Question(String id, String context, List<String> choices, int gold) {
    }

    /** Token ids of context and continuation for one (context, choice) pair. */
    record Pair(long[] context, long[] continuation) {
    }

    static Pair encodePair(LanguageModel model, String context, String continuation) {
        int spaces = context.length() - context.stripTrailing().length();
        if (spaces > 0) {
            continuation = context.substring(context.length() - spaces) + continuation;
            context = context.substring(0, context.length() - spaces);
        }
        long[] whole = model.tokenizer().encodeWithoutSpecialTokens(context + continuation);
        long[] ctx = model.tokenizer().encodeWithoutSpecialTokens(context);
        if (ctx.length == 0) {
            throw new IllegalArgumentException("multiple-choice context is empty");
        }
        return new Pair(ctx, Arrays.copyOfRange(whole, Math.min(ctx.length, whole.length), whole.length));
    }

    /**
     * Σ log p(continuation tokens | context) for every choice of every question: {@code [question][choice]}.
     *
     * @param ablation neurons zeroed at every token ({@link Ablation#none()} for the plain model)
     */
    public static double[][] logLikelihoods(LanguageModel model, List<Question> questions, Ablation ablation) {
        int maxLen = model.config().contextLength();
        List<long[]> seqs = new ArrayList<>();
        List<Integer> contLen = new ArrayList<>();
        for (Question q : questions) {
            for (String choice : q.choices()) {
                Pair p = encodePair(model, q.context(), DELIMITER + choice);
                long[] seq = new long[p.context().length + p.continuation().length];
                System.arraycopy(p.context(), 0, seq, 0, p.context().length);
                System.arraycopy(p.continuation(), 0, seq, p.context().length, p.continuation().length);
                // the harness keeps the last max_length + 1 tokens (left truncation)
                seqs.add(seq.length > maxLen + 1 ? Arrays.copyOfRange(seq, seq.length - maxLen - 1, seq.length) : seq);
                contLen.add(p.continuation().length);
            }
        }
        List<double[]> nll = model.tokenNll(seqs, ablation);
        double[][] out = new double[questions.size()][];
        int k = 0;
        for (int q = 0; q < questions.size(); q++) {
            out[q] = new double[questions.get(q).choices().size()];
            for (int c = 0; c < out[q].length; c++, k++) {
                double[] tok = nll.get(k);
                double ll = 0;
                for (int i = tok.length - contLen.get(k); i < tok.length; i++) {
                    ll -= tok[i];
                }
                out[q][c] = ll;
            }
        }
        return out;
    }

    /** The harness' {@code acc} of the model on {@code questions}: {@link #logLikelihoods} then {@link #accuracy(List, double[][])}. */
    public static double accuracy(LanguageModel model, List<Question> questions, Ablation ablation) {
        return accuracy(questions, logLikelihoods(model, questions, ablation));
    }

    /** Fraction of questions whose highest-likelihood choice is the gold one (ties: the first, like argmax). */
    public static double accuracy(List<Question> questions, double[][] logLikelihoods) {
        int correct = 0;
        for (int q = 0; q < questions.size(); q++) {
            int best = 0;
            for (int c = 1; c < logLikelihoods[q].length; c++) {
                if (logLikelihoods[q][c] > logLikelihoods[q][best]) {
                    best = c;
                }
            }
            correct += best == questions.get(q).gold() ? 1 : 0;
        }
        return questions.isEmpty() ? Double.NaN : (double) correct / questions.size();
    }
}
