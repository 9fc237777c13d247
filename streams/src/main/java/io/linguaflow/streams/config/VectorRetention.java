package io.linguaflow.streams.config;

import java.time.Duration;
import java.util.Locale;

/**
 * How long the similarity vectors of a complete layer stay in {@code aggregator-vectors}: for ever ({@link #KEEP}, the
 * default: the similarity-map calls read them), a duration after the layer completed, or not at all once it completed
 * ({@link #DROP_AFTER_FINAL}: the map is then never available).
 *
 * @param afterCompletion null for ever
 */
public record VectorRetention(Duration afterCompletion) {

    public static final VectorRetention KEEP = new VectorRetention(null);
    public static final VectorRetention DROP_AFTER_FINAL = new VectorRetention(Duration.ZERO);

    public VectorRetention {
        if (afterCompletion != null && afterCompletion.isNegative()) {
            throw new IllegalArgumentException("vector retention must not be negative, got " + afterCompletion);
        }
    }

    /** {@code keep}, {@code drop} or an ISO-8601 duration such as {@code P7D}. */
    public static VectorRetention parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "keep" -> KEEP;
            case "drop" -> DROP_AFTER_FINAL;
            default -> new VectorRetention(Duration.parse(text.trim()));
        };
    }

    /** Whether vectors of a layer completed at {@code completedAt} (epoch ms) are due for deletion at {@code now}. */
    public boolean expired(long completedAt, long now) {
        return afterCompletion != null && now - completedAt >= afterCompletion.toMillis();
    }

    /** Whether some vectors are deleted later than at completion, so complete layers must be checked over time. */
    public boolean delayed() {
        return afterCompletion != null && !afterCompletion.isZero();
    }

    @Override
    public String toString() {
        return afterCompletion == null ? "keep" : afterCompletion.isZero() ? "drop" : afterCompletion.toString();
    }
}
