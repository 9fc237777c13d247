package io.linguaflow.schemas;

/**
 * The composite string keys of {@link Topic} (UTF-8, {@code StringSerializer}); single-id keys are the id itself.
 * {@code '|'} separates the parts, so every part but the last must not contain it. Also the sample id, the
 * identity of a sample within its corpus that records carry and stores key by (docs/design.md §4).
 */
public final class Keys {

    private static final char SEP = '|';

    private Keys() {
    }

    /** {@link Topic#SENTENCES}: {@code "<corpus>|<lang>|<meaningId>"}. */
    public static String sentence(String corpus, String lang, String meaningId) {
        return join(new String[] {"corpus", "lang", "meaningId"}, corpus, lang, meaningId);
    }

    /** {@link Topic#ACTIVATIONS}: {@code "<checkpointId>|<layer>"}: one partition owns a (checkpoint, layer) aggregate. */
    public static String activation(String checkpointId, int layer) {
        if (layer < 0) {
            throw new IllegalArgumentException("layer must be >= 0, got " + layer + " (checkpoint '" + checkpointId + "')");
        }
        return join(new String[] {"checkpointId", "layer"}, checkpointId, Integer.toString(layer));
    }

    /** {@link Topic#KEY_REGIONS}: {@code "<checkpointId>|<lang>"}. */
    public static String keyRegion(String checkpointId, String lang) {
        return join(new String[] {"checkpointId", "lang"}, checkpointId, lang);
    }

    /** {@link Topic#EXPERT_NEURONS}: {@code "<checkpointId>|<concept>|<lang>"}. */
    public static String expertRanking(String checkpointId, String concept, String lang) {
        return join(new String[] {"checkpointId", "concept", "lang"}, checkpointId, concept, lang);
    }

    /**
     * The sample id {@code "<lang>|<meaningId>"}: one sample per (language, meaning) of a corpus, the
     * {@code sampleId} of {@code SampleRef} and {@code ActivationRecord}.
     */
    public static String sampleId(String lang, String meaningId) {
        return join(new String[] {"lang", "meaningId"}, lang, meaningId);
    }

    /** The language of a {@link #sampleId}: its part before the first '|'. */
    public static String sampleLang(String sampleId) {
        int bar = sampleId.indexOf(SEP);
        if (bar < 1) {
            throw new IllegalArgumentException("sample id '" + sampleId + "' is not '<lang>|<meaningId>'");
        }
        return sampleId.substring(0, bar);
    }

    /** The meaning id of a {@link #sampleId}: its part after the first '|'. */
    public static String sampleMeaning(String sampleId) {
        return sampleId.substring(sampleLang(sampleId).length() + 1);
    }

    private static String join(String[] names, String... parts) {
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part == null || part.isEmpty()) {
                throw new IllegalArgumentException("key part " + names[i] + " is empty");
            }
            if (i < parts.length - 1 && part.indexOf(SEP) >= 0) {
                throw new IllegalArgumentException("key part " + names[i] + " '" + part + "' contains the separator '|'");
            }
            if (i > 0) {
                key.append(SEP);
            }
            key.append(part);
        }
        return key.toString();
    }
}
