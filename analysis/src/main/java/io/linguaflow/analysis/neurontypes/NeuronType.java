package io.linguaflow.analysis.neurontypes;

import java.util.List;
import java.util.Map;

/**
 * The type of one neuron among the selected ones, from the per-language masks of {@link NeuronTypesResult}
 * (Zhang et al. 2025; docs/math.md §7): in exactly one language's mask it is language-specific, in several
 * language-related, in none it was not selected.
 */
public enum NeuronType {
    LANGUAGE_SPECIFIC("language-specific"),
    LANGUAGE_RELATED("language-related"),
    NOT_SELECTED("not selected");

    private final String label;

    NeuronType(String label) {
        this.label = label;
    }

    /** The label the REST API and reports print. */
    public String label() {
        return label;
    }

    /** The type of a neuron that is in {@code masks} of the languages' masks. */
    public static NeuronType of(int masks) {
        return masks == 0 ? NOT_SELECTED : masks == 1 ? LANGUAGE_SPECIFIC : LANGUAGE_RELATED;
    }

    /** The languages whose mask (flat neuron indices per language, in language order) holds neuron k. */
    public static List<String> masksHolding(Map<String, ? extends List<? extends Number>> masks, long k) {
        return masks.entrySet().stream().filter(e -> e.getValue().stream().anyMatch(n -> n.longValue() == k))
                .map(Map.Entry::getKey).toList();
    }
}
