package io.linguaflow.schemas.failure;

import java.time.Duration;

/**
 * Bounded exponential back-off for transient failures ({@link Failures}): attempt {@code n} (1-based) waits
 * {@code min(initial · 2^(n-1), max)}; after {@code maxAttempts} failed attempts in a row the component gives up
 * (the worker stops, a streams instance exits non-zero) so that a supervisor restarts it, instead of dead-lettering
 * good input.
 *
 * @param initial     wait after the first failure
 * @param max         cap of one wait
 * @param maxAttempts failed attempts in a row before giving up (>= 1)
 */
public record Backoff(Duration initial, Duration max, int maxAttempts) {

    /** 1 s doubling up to 30 s, 20 attempts: about 8 minutes of outage before giving up. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 20);

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || maxAttempts < 1) {
            throw new IllegalArgumentException("invalid back-off: initial " + initial + ", max " + max
                    + ", max attempts " + maxAttempts + " (need 0 < initial <= max, attempts >= 1)");
        }
    }

    /** The wait after failed attempt {@code attempt} (1-based). */
    public Duration delay(int attempt) {
        Duration d = initial;
        for (int i = 1; i < attempt && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /** Whether another attempt is allowed after {@code attempt} failed ones. */
    public boolean allows(int attempt) {
        return attempt < maxAttempts;
    }

    /**
     * Parses {@code INITIAL,MAX,ATTEMPTS} with ISO-8601 durations, e.g. {@code PT1S,PT30S,20} (command-line options).
     */
    public static Backoff parse(String text) {
        String[] parts = text.split(",");
        if (parts.length != 3) {
            throw new IllegalArgumentException("back-off '" + text + "': expected INITIAL,MAX,ATTEMPTS, e.g. PT1S,PT30S,20");
        }
        try {
            return new Backoff(Duration.parse(parts[0].trim()), Duration.parse(parts[1].trim()),
                    Integer.parseInt(parts[2].trim()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("back-off '" + text + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return initial + "," + max + "," + maxAttempts;
    }
}
