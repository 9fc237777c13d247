package io.linguaflow.streams.query;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The paths of the REST API (docs/design.md §4): {@link QueryService}'s route table declares them, and {@link Instances}
 * fills them in to reach another instance. {@code openapi.json} documents each.
 */
final class Api {

    static final String CHECKPOINTS = "/checkpoints";
    /** One checkpoint's entry of {@link #CHECKPOINTS}. */
    static final String CHECKPOINT = "/checkpoints/{checkpointId}";
    static final String METRICS = "/checkpoints/{checkpointId}/metrics";
    static final String LAYER = "/checkpoints/{checkpointId}/layers/{layer}";
    static final String KEY_REGION = "/checkpoints/{checkpointId}/key-regions/{lang}";
    static final String NEURON_TYPES = "/checkpoints/{checkpointId}/neuron-types";
    /** Changes of the neuron types from checkpoint {@code ?from=} to this one. */
    static final String NEURON_TYPE_CHANGES = "/checkpoints/{checkpointId}/neuron-types/changes";
    static final String NEURON = "/checkpoints/{checkpointId}/neurons/{neuron}";
    static final String LAYER_NEURON = "/checkpoints/{checkpointId}/layers/{layer}/neurons/{neuron}";
    static final String SIMILARITY_CSV = "/checkpoints/{checkpointId}/similarity.csv";
    static final String SIMILARITY_PNG = "/checkpoints/{checkpointId}/similarity.png";
    static final String SIMILARITY_JSON = "/checkpoints/{checkpointId}/similarity.json";
    static final String SENTENCES = "/corpora/{corpus}/sentences";
    /** The prefix of the calls between instances, which need the {@link InternalSecret}. */
    static final String INTERNAL = "/internal/";
    /** Between instances: the sample ids of one layer's stored vectors and their digest. */
    static final String SAMPLES = "/internal/checkpoints/{checkpointId}/layers/{layer}/samples";
    /** Between instances: one layer's block of the similarity map. */
    static final String SIMILARITY_BLOCK = "/internal/checkpoints/{checkpointId}/layers/{layer}/similarity-block";
    /** Every layer's language-identification probe, gathered from the layers' owners. */
    static final String PROBES = "/checkpoints/{checkpointId}/probes";
    static final String PROBE = "/checkpoints/{checkpointId}/probes/{layer}";
    /** Expert neurons: the concepts and languages, or with {@code ?concept=&lang=} one ranking. */
    static final String EXPERTS = "/checkpoints/{checkpointId}/experts";
    static final String ABLATION_TABLE = "/checkpoints/{checkpointId}/ablation-table";
    static final String EVALUATIONS = "/checkpoints/{checkpointId}/evaluations";
    static final String TREND = "/models/{model}/trend";
    static final String COMPARE = "/compare";

    private Api() {
    }

    /** {@code template} with its {@code {name}} parameters replaced, in order, by the URL-encoded {@code values}. */
    static String path(String template, Object... values) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (Object value : values) {
            int open = template.indexOf('{', at);
            out.append(template, at, open).append(encode(value.toString()));
            at = template.indexOf('}', open) + 1;
        }
        if (template.indexOf('{', at) >= 0) {
            throw new IllegalArgumentException("missing values for " + template);
        }
        return out.append(template, at, template.length()).toString();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The longest identifier a request may name (checkpoint, model, corpus, language). */
    static final int MAX_TEXT = 256;
    /** How much of a bad value an error message quotes. */
    private static final int QUOTED = 64;

    /**
     * A path or query parameter that must be an integer ≥ 0 written in decimal digits alone (no sign, no spaces, at most
     * {@link Integer#MAX_VALUE}); 400 otherwise.
     */
    static int integer(String name, String value) {
        if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw QueryException.badRequest(name + " must be an integer >= 0 in decimal digits, got " + quote(value));
        }
        long v = Long.parseLong(value);
        if (v > Integer.MAX_VALUE) {
            throw QueryException.badRequest(name + " must be at most " + Integer.MAX_VALUE + ", got " + quote(value));
        }
        return (int) v;
    }

    /** An identifier parameter: 1 to {@value #MAX_TEXT} characters, no control characters (NUL, line breaks); 400 otherwise. */
    static String text(String name, String value) {
        if (value.isEmpty() || value.length() > MAX_TEXT) {
            throw QueryException.badRequest(name + " must be 1 to " + MAX_TEXT + " characters, got " + value.length() + ": " + quote(value));
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw QueryException.badRequest(name + " must not contain control characters, got " + quote(value));
        }
        return value;
    }

    /**
     * {@code value} for an error message: in single quotes, with control characters written as Java escapes (NUL as
     * backslash, u0000), quotes and backslashes escaped, cut after {@value #QUOTED} characters with the full length noted.
     */
    static String quote(String value) {
        StringBuilder out = new StringBuilder("'");
        int shown = Math.min(value.length(), QUOTED);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '\'') {
                out.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('\'');
        return value.length() > shown ? out.append("... (").append(value.length()).append(" characters)").toString() : out.toString();
    }
}
