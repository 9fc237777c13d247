package io.linguaflow.analysis.stats;

/** The two normalisations of a layer slice h̄ᵐ (docs/math.md §1). */
public enum Normalisation {
    /** Whole-model: h̄ᵐ / ‖[h̄¹|…|h̄ᴹ]‖, the layer slice of the unit concatenated vector aᵢ. */
    MODEL,
    /** Per layer: h̄ᵐ / ‖h̄ᵐ‖, the unit vector aᵢᵐ of the per-layer metrics. */
    LAYER
}
