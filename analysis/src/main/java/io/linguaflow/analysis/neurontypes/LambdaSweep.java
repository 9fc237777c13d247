package io.linguaflow.analysis.neurontypes;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The automatic choice of λ in Zhang et al. (reference {@code autosweep.py} l.25-82): a bisection for the
 * <em>largest</em> λ whose selected set contains no neuron that is above τ in all K languages.
 *
 * <pre>
 * evaluate lo and hi (they only seed best; they do not move the bracket)
 * while (hi - lo) &gt; eps and it &lt; maxIterations: mid = (lo + hi) / 2; if ok(mid): best = lo = mid else hi = mid
 * </pre>
 *
 * {@code ok(appear) := appear[K] == 0}. The reference hard-codes index 10 ({@code len(a) > 10 and a[10] == 0}),
 * which is K for its 10 languages; here the index is K for any K (with K &lt; 10 the reference would never
 * accept a λ, with K &gt; 10 it would test the wrong count).
 */
public final class LambdaSweep {

    private LambdaSweep() {
    }

    /** Bracket, tolerance and iteration cap; {@link #DEFAULT} = the reference CLI defaults [0, 0.2], 1e-3, 64. */
    public record Settings(double lo, double hi, double eps, int maxIterations) {
        public static final Settings DEFAULT = new Settings(0.0, 0.2, 1e-3, 64);

        public Settings {
            if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo <= hi)) {
                throw new IllegalArgumentException("lambda bracket [" + lo + ", " + hi + "] is not a finite interval");
            }
            if (!(eps > 0) || maxIterations < 0) {
                throw new IllegalArgumentException("lambda sweep needs eps > 0 and maxIterations >= 0, got eps " + eps
                        + ", maxIterations " + maxIterations);
            }
        }
    }

    /**
     * One evaluated λ: label "lo", "hi" or the iteration number; appear (c = 0..K); ok; the k-th and (k+1)-th
     * smallest score (their gap shows how close the selection boundary is to a tie).
     */
    public record Step(String label, double lambda, int[] appear, boolean ok, float kthScore, float nextScore) {
        public Step {
            appear = appear.clone();
        }

        @Override
        public int[] appear() {
            return appear.clone();
        }
    }

    /** The search: the best λ (empty when no λ evaluated was ok), the iterations run, every evaluation in order. */
    public record Result(Settings settings, OptionalDouble best, int iterations, List<Step> trajectory) {
        public Result {
            trajectory = List.copyOf(trajectory);
        }
    }

    /** Runs the search on prepared probabilities. */
    public static Result run(ZhangClassifier classifier, Settings settings) {
        List<Step> steps = new ArrayList<>();
        double lo = settings.lo();
        double hi = settings.hi();
        Step atLo = evaluate(classifier, "lo", lo);
        Step atHi = evaluate(classifier, "hi", hi);
        steps.add(atLo);
        steps.add(atHi);
        Double best = null;
        if (atLo.ok()) {
            best = lo;
        }
        if (atHi.ok()) {
            best = hi;
        }
        int it = 0;
        while ((hi - lo) > settings.eps() && it < settings.maxIterations()) {
            it++;
            double mid = (lo + hi) / 2.0;
            Step s = evaluate(classifier, Integer.toString(it), mid);
            steps.add(s);
            if (s.ok()) {
                best = mid;
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return new Result(settings, best == null ? OptionalDouble.empty() : OptionalDouble.of(best), it, steps);
    }

    /**
     * Searches λ and classifies at the best one.
     *
     * @throws IllegalStateException when no λ in the bracket leaves the selection free of all-language neurons
     */
    public static NeuronTypesResult classify(ZhangClassifier classifier, Settings settings) {
        Result r = run(classifier, settings);
        if (r.best().isEmpty()) {
            StringBuilder msg = new StringBuilder("lambda search found no lambda in [" + settings.lo() + ", "
                    + settings.hi() + "] whose selected neurons include none above tau in all languages; appear[K] was");
            for (Step s : r.trajectory()) {
                msg.append(' ').append(s.appear()[s.appear().length - 1]).append(" at ").append(s.lambda()).append(';');
            }
            throw new IllegalStateException(msg.toString());
        }
        return classifier.classify(r.best().getAsDouble(), r);
    }

    private static Step evaluate(ZhangClassifier classifier, String label, double lambda) {
        NeuronTypesResult t = classifier.classify(lambda);
        int[] appear = t.appear();
        return new Step(label, lambda, appear, appear[appear.length - 1] == 0, t.kthScore(), t.nextScore());
    }
}
