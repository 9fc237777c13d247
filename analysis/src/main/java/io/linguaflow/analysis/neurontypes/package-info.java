/**
 * Language neuron types from per-language activation probabilities p[l, n, k].
 *
 * <ul>
 *   <li>{@link io.linguaflow.analysis.neurontypes.ActivationProbabilities}: p as float32, built from
 *       positive-activation counts over all tokens ({@code (float) count / (float) tokens}), from the NJUNLP
 *       response-only counts (full − prefix), or read by {@link io.linguaflow.analysis.neurontypes.ProbabilityFiles}.</li>
 *   <li>{@link io.linguaflow.analysis.neurontypes.NeuronTypes#classify}: the entry point.
 *       {@link io.linguaflow.analysis.neurontypes.ZhangClassifier} (Zhang et al. 2025, score at a given λ),
 *       {@link io.linguaflow.analysis.neurontypes.LambdaSweep} (the reference autosweep for λ),
 *       {@link io.linguaflow.analysis.neurontypes.Lape} (Tang et al. 2024).</li>
 *   <li>{@link io.linguaflow.analysis.neurontypes.NeuronTypesResult}: selection, masks, appear, per-layer
 *       specific / related / general; {@link io.linguaflow.analysis.neurontypes.NeuronTypesJson} writes it.</li>
 *   <li>{@link io.linguaflow.analysis.neurontypes.NeuronType}: the type of one neuron from the masks holding it.</li>
 * </ul>
 *
 * <p>Reference conventions reproduced exactly (see {@code shared/fixtures/njunlp/README.md}): float32 p, score
 * and entropy arithmetic; k = Python {@code round(L*D*topRate)} (halves to even); τ = 1-indexed
 * {@code kthvalue(flat p, round(L*D*K*0.95))}; strict {@code p > τ}. Decisions where the reference is silent:
 * ties at the top-k boundary go to the lower flat index f = l*D + n (torch leaves the order unspecified);
 * general neurons are N = K over all neurons (the code never computes them); the λ search's {@code ok} test
 * reads appear[K] instead of the hard-coded appear[10].
 */
package io.linguaflow.analysis.neurontypes;
