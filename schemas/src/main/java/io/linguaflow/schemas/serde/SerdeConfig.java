package io.linguaflow.schemas.serde;

import io.linguaflow.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** The Kafka config keys the Avro serde reads (named as Confluent's where Confluent has them). */
public final class SerdeConfig {

    /** Base URL of the registry's Confluent API (required). */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    /** Serializer registers the record's schema under its subject (default true); when false it must already be there. */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    /** Attempts per registry call before failing (default 3). */
    public static final String MAX_ATTEMPTS = "schema.registry.max.attempts";
    /** Wait before the second attempt, doubled for each further one (default 200 ms). */
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    /** Timeout of one registry request (default 10000 ms). */
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";

    private SerdeConfig() {
    }

    /** A registry client configured from a Kafka config map. */
    static SchemaRegistryClient client(Map<String, ?> configs) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException("Missing required configuration '" + SCHEMA_REGISTRY_URL
                    + "' for the linguaflow Avro serde (base URL of the registry's Confluent API)");
        }
        try {
            return new SchemaRegistryClient(url.toString().trim(),
                    (int) number(configs, MAX_ATTEMPTS, 3),
                    Duration.ofMillis(number(configs, RETRY_BACKOFF_MS, 200)),
                    Duration.ofMillis(number(configs, REQUEST_TIMEOUT_MS, 10_000)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, url, e.getMessage());
        }
    }

    static boolean autoRegister(Map<String, ?> configs) {
        Object v = configs.get(AUTO_REGISTER_SCHEMAS);
        return v == null || Boolean.parseBoolean(v.toString().trim());
    }

    private static long number(Map<String, ?> configs, String key, long fallback) {
        Object v = configs.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "not a number");
        }
    }

    /** TopicNameStrategy: {@code <topic>-key} or {@code <topic>-value}. */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
