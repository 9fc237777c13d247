package io.linguaflow.streams.query;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The paths of the REST API (docs/design.md §4): {@link QueryService}'s route table declares them, and {@link Instances}
 * fills them in to reach another instance. {@code openapi.json} documents each.
 */
final class Api {

    static final String CHECKPOINTS = "/checkpoints";
    static final String METRICS = "/checkpoints/{checkpointId}/metrics";
    static final String LAYER = "/checkpoints/{checkpointId}/layers/{layer}";
    static final String KEY_REGION = "/checkpoints/{checkpointId}/key-regions/{lang}";
    static final String NEURON_TYPES = "/checkpoints/{checkpointId}/neuron-types";
    static final String NEURON = "/checkpoints/{checkpointId}/neurons/{neuron}";
    static final String LAYER_NEURON = "/checkpoints/{checkpointId}/layers/{layer}/neurons/{neuron}";
    static final String SIMILARITY_CSV = "/checkpoints/{checkpointId}/similarity.csv";
    static final String SIMILARITY_PNG = "/checkpoints/{checkpointId}/similarity.png";
    static final String SIMILARITY_JSON = "/checkpoints/{checkpointId}/similarity.json";
    static final String SENTENCES = "/corpora/{corpus}/sentences";
    /** Between instances: the sample ids of one layer's stored vectors and their digest. */
    static final String SAMPLES = "/internal/checkpoints/{checkpointId}/layers/{layer}/samples";
    /** Between instances: one layer's block of the similarity map. */
    static final String SIMILARITY_BLOCK = "/internal/checkpoints/{checkpointId}/layers/{layer}/similarity-block";
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

    /** A path or query parameter that must be an integer ≥ 0; 400 otherwise. */
    static int integer(String name, String value) {
        try {
            int v = Integer.parseInt(value);
            if (v < 0) {
                throw QueryException.badRequest(name + " must be >= 0, got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw QueryException.badRequest(name + " must be an integer, got '" + value + "'");
        }
    }
}
