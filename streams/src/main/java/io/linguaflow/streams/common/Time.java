package io.linguaflow.streams.common;

import java.time.Instant;

/** Timestamps for timestamp-millis fields (what survives an Avro round trip). */
public final class Time {

    private Time() {
    }

    public static Instant now() {
        return Instant.ofEpochMilli(System.currentTimeMillis());
    }
}
