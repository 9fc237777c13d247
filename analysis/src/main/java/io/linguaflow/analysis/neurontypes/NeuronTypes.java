package io.linguaflow.analysis.neurontypes;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Entry point: language-specific / language-related / general neurons from per-language activation
 * probabilities (Zhang et al. 2025, with λ fixed or found by {@link LambdaSweep}; or the LAPE variant).
 * For several λ on the same probabilities, use {@link ZhangClassifier} directly (it caches the λ-free parts).
 */
public final class NeuronTypes {

    private NeuronTypes() {
    }

    /**
     * @param method             ZHANG or LAPE
     * @param topRate            share of all L*D neurons selected (reference README and paper: 0.01)
     * @param activationBarRatio τ = kthvalue at round(L*D*K*ratio) (reference: 0.95, "top 5%")
     * @param lambda             Zhang's λ; empty = search it with {@code sweep} (ignored for LAPE)
     * @param sweep              bracket/tolerance of the λ search
     */
    public record Options(Method method, double topRate, double activationBarRatio, OptionalDouble lambda,
            LambdaSweep.Settings sweep) {
        public static final double TOP_RATE = 0.01;
        public static final double ACTIVATION_BAR_RATIO = 0.95;

        public Options {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(lambda, "lambda");
            Objects.requireNonNull(sweep, "sweep");
        }

        /** Zhang et al. with λ searched as the reference autosweep does, top 1%, τ at 95%. */
        public static Options zhangAutosweep() {
            return new Options(Method.ZHANG, TOP_RATE, ACTIVATION_BAR_RATIO, OptionalDouble.empty(),
                    LambdaSweep.Settings.DEFAULT);
        }

        /** Zhang et al. at a fixed λ, top 1%, τ at 95%. */
        public static Options zhang(double lambda) {
            return new Options(Method.ZHANG, TOP_RATE, ACTIVATION_BAR_RATIO, OptionalDouble.of(lambda),
                    LambdaSweep.Settings.DEFAULT);
        }

        /** LAPE, top 1%, τ at 95%. */
        public static Options lape() {
            return new Options(Method.LAPE, TOP_RATE, ACTIVATION_BAR_RATIO, OptionalDouble.empty(),
                    LambdaSweep.Settings.DEFAULT);
        }

        public Options withTopRate(double rate) {
            return new Options(method, rate, activationBarRatio, lambda, sweep);
        }

        public Options withActivationBarRatio(double ratio) {
            return new Options(method, topRate, ratio, lambda, sweep);
        }

        public Options withSweep(LambdaSweep.Settings settings) {
            return new Options(method, topRate, activationBarRatio, lambda, settings);
        }
    }

    /**
     * Classifies the neurons of {@code p}.
     *
     * @throws IllegalArgumentException for invalid options (top rate, ratio, λ)
     * @throws IllegalStateException    when a λ search finds no acceptable λ
     */
    public static NeuronTypesResult classify(ActivationProbabilities p, Options options) {
        if (options.method() == Method.LAPE) {
            return Lape.classify(p, options.topRate(), options.activationBarRatio());
        }
        ZhangClassifier zhang = ZhangClassifier.prepare(p, options.topRate(), options.activationBarRatio());
        return options.lambda().isPresent() ? zhang.classify(options.lambda().getAsDouble())
                : LambdaSweep.classify(zhang, options.sweep());
    }
}
