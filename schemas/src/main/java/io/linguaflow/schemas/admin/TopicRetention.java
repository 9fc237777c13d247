package io.linguaflow.schemas.admin;

import io.linguaflow.schemas.Topic;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How long each class of topic keeps its records ({@code retention.ms}; {@code retention.bytes} is always -1, so no
 * size limit drops records). Topics are created with it explicitly instead of inheriting the broker's default (7 days
 * on stock Kafka, often less on managed clusters), which would silently drop requests a stopped worker has not read
 * yet. Defaults and their reasons: docs/design.md ("Topic retention").
 *
 * @param requests    inference, ablation, eval and generation requests (null: kept forever)
 * @param activations the worker's pooled activations
 * @param results     metrics, key regions, neuron types, progress and the request results
 * @param deadLetters the dead-letter topic
 */
public record TopicRetention(Duration requests, Duration activations, Duration results, Duration deadLetters) {

    /** Class names as {@code --retention CLASS=DURATION} takes them. */
    public static final String REQUESTS = "requests";
    public static final String ACTIVATIONS = "activations";
    public static final String RESULTS = "results";
    public static final String DEAD_LETTERS = "dead-letters";
    /** Value meaning "no time limit". */
    public static final String FOREVER = "forever";

    /** Requests and activations 7 days, results forever, dead letters 30 days. */
    public static final TopicRetention DEFAULTS = new TopicRetention(Duration.ofDays(7), Duration.ofDays(7), null, Duration.ofDays(30));

    public TopicRetention {
        for (Duration d : new Duration[] {requests, activations, results, deadLetters}) {
            if (d != null && (d.isNegative() || d.isZero())) {
                throw new IllegalArgumentException("retention must be > 0 (or forever), got " + d);
            }
        }
    }

    /** The {@code retention.ms} of {@code topic}; -1 for forever and for compacted topics (which keep the latest value per key). */
    public long retentionMs(Topic topic) {
        if (topic.compacted()) {
            return -1;
        }
        Duration d = switch (topic) {
            case INFERENCE_REQUESTS, ABLATION_REQUESTS, EVAL_REQUESTS, GENERATION_REQUESTS -> requests;
            case ACTIVATIONS -> activations;
            case DEAD_LETTERS -> deadLetters;
            case METRICS, KEY_REGIONS, NEURON_TYPES, PROGRESS, ABLATION_RESULTS, EVAL_RESULTS, GENERATION_RESULTS,
                 PROBE_RESULTS, EXPERT_NEURONS -> results;
            case SENTENCES, CHECKPOINTS, ABLATION_TABLES -> null; // compacted, handled above
        };
        return d == null ? -1 : d.toMillis();
    }

    /**
     * The defaults with {@code overrides} applied: class ({@value #REQUESTS}, {@value #ACTIVATIONS}, {@value #RESULTS},
     * {@value #DEAD_LETTERS}) to an ISO-8601 duration ({@code P7D}, {@code PT12H}) or {@value #FOREVER}.
     */
    public static TopicRetention parse(Map<String, String> overrides) {
        Map<String, Duration> by = new LinkedHashMap<>();
        by.put(REQUESTS, DEFAULTS.requests);
        by.put(ACTIVATIONS, DEFAULTS.activations);
        by.put(RESULTS, DEFAULTS.results);
        by.put(DEAD_LETTERS, DEFAULTS.deadLetters);
        overrides.forEach((k, v) -> {
            String name = k.trim().toLowerCase(Locale.ROOT);
            if (!by.containsKey(name)) {
                throw new IllegalArgumentException("--retention: unknown topic class '" + k + "' (known: " + by.keySet() + ")");
            }
            by.put(name, duration(name, v));
        });
        return new TopicRetention(by.get(REQUESTS), by.get(ACTIVATIONS), by.get(RESULTS), by.get(DEAD_LETTERS));
    }

    private static Duration duration(String name, String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase(FOREVER)) {
            return null;
        }
        try {
            Duration d = Duration.parse(t);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("--retention " + name + "=" + text + ": must be > 0 (or " + FOREVER + ")");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--retention " + name + "=" + text + ": not an ISO-8601 duration like P7D or PT12H, nor "
                    + FOREVER);
        }
    }
}
