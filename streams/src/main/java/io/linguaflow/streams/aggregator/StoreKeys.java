package io.linguaflow.streams.aggregator;

import io.linguaflow.schemas.Keys;

/**
 * The key layout of the aggregator stores (docs/design.md §4); nothing else builds these strings. Every key starts with
 * the layer key {@code <checkpointId>|<layer>}, the activation records' partition key, so all of a layer lives in one
 * task and one prefix scan finds it:
 * <ul>
 *   <li>{@code <layer key>}: {@link AggregatorTopology#LAYERS_STORE} (the layer's state);</li>
 *   <li>{@code <layer key>|L|<lang>}, {@code |S|<meaningId>}: the language and meaning groups of
 *       {@link AggregatorTopology#GROUPS_STORE} and {@link AggregatorTopology#SCALARS_STORE} ({@code |T}, the total
 *       group, was written by builds before 2026-12-07 and is deleted with the complete layer);</li>
 *   <li>{@code <layer key>|P|<lang>}: a held language group's activation counts in {@link AggregatorTopology#GROUPS_STORE}
 *       ({@link GroupSumsStore#hold});</li>
 *   <li>{@code <layer key>|<sampleId>} (sampleId = {@code <lang>|<meaningId>}): {@link AggregatorTopology#SEEN_STORE},
 *       {@link AggregatorTopology#VECTORS_STORE} and the instruments' {@code instrument-samples};</li>
 *   <li>{@code <layer key>|<lang>}: {@link AggregatorTopology#NLL_STORE}.</li>
 * </ul>
 */
public final class StoreKeys {

    private static final char SEP = '|';

    private StoreKeys() {
    }

    /** {@code <checkpointId>|<layer>}. */
    public static String layer(String checkpointId, int layer) {
        return Keys.activation(checkpointId, layer);
    }

    /** The checkpoint id of a layer key. */
    public static String checkpointOf(String layerKey) {
        return layerKey.substring(0, layerKey.lastIndexOf(SEP));
    }

    /** The layer of a layer key. */
    public static int layerOf(String layerKey) {
        return Integer.parseInt(layerKey.substring(layerKey.lastIndexOf(SEP) + 1));
    }

    /** The group of all the layer's samples, as builds before 2026-12-07 stored it (now merged from the languages). */
    static String total(String layerKey) {
        return layerKey + "|T";
    }

    /** The prefix of the layer's language groups; what follows is the language. */
    static String languagePrefix(String layerKey) {
        return layerKey + "|L|";
    }

    /** Whether key is one of the layer's language groups. */
    public static boolean isLanguage(String layerKey, String key) {
        return key.startsWith(languagePrefix(layerKey));
    }

    /** The group of one language of the layer. */
    public static String language(String layerKey, String lang) {
        return languagePrefix(layerKey) + lang;
    }

    /** The prefix of the layer's logged activation counts; what follows is the language. */
    static String countsPrefix(String layerKey) {
        return layerKey + "|P|";
    }

    /** Where the activation counts of the language group under {@code languageKey} are logged while the group is held. */
    static String countsOf(String languageKey) {
        int at = languageKey.lastIndexOf("|L|");
        if (at < 0) {
            throw new IllegalArgumentException("'" + languageKey + "' is not a language group's key");
        }
        return countsPrefix(languageKey.substring(0, at)) + languageKey.substring(at + 3);
    }

    /** The prefix of the layer's meaning groups; what follows is the meaning id. */
    static String meaningPrefix(String layerKey) {
        return layerKey + "|S|";
    }

    static String meaning(String layerKey, String meaningId) {
        return meaningPrefix(layerKey) + meaningId;
    }

    /** The prefix of the layer's per-sample entries; what follows is the sample id. */
    public static String samplePrefix(String layerKey) {
        return layerKey + SEP;
    }

    public static String sample(String layerKey, String sampleId) {
        return samplePrefix(layerKey) + sampleId;
    }

    /** Σ token NLL and Σ predicted tokens of one language of the layer. */
    static String nll(String layerKey, String lang) {
        return layerKey + SEP + lang;
    }
}
