package io.linguaflow.analysis.neurontypes;

/** How neurons are scored and selected before the ternary classification. */
public enum Method {
    /** Zhang et al. 2025: normalised entropy minus λ·max p / norm_max, lowest top-rate, no pre-filter. */
    ZHANG,
    /** Tang et al. 2024 (LAPE): entropy of the normalised p, neurons with no language above τ excluded. */
    LAPE;

    /** The name used on the command line and in JSON. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
