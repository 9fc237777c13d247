package io.linguaflow.analysis.stats;

/**
 * The three numbers of one group (a language, a meaning, or all samples) in one layer and one
 * normalisation that the pair-class sums need (docs/math.md §3).
 *
 * @param count          number of samples n_G
 * @param sumNormSquared ‖Σ_{i∈G} xᵢ‖²
 * @param normSquaredSum Σ_{i∈G} ‖xᵢ‖²
 */
public record GroupScalars(long count, double sumNormSquared, double normSquaredSum) {

    /** Σ_{i≠j∈G} xᵢ·xⱼ = ‖Σxᵢ‖² − Σ‖xᵢ‖² (ordered pairs). */
    public double pairSum() {
        return sumNormSquared - normSquaredSum;
    }

    /** Number of ordered pairs i ≠ j in the group: n(n−1). */
    public long pairCount() {
        return count * (count - 1);
    }
}
