package io.linguaflow.schemas.serde;

import io.linguaflow.schemas.registry.RegistryAccess;
import io.linguaflow.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;
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

    /** Where the registry credentials come from: {@code USER_INFO} ({@link #BASIC_AUTH_USER_INFO}; the only one supported). */
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    /** {@code user:password} for HTTP basic authentication at the registry (default: none). */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Truststore with the registry's certificate, for an {@code https://} registry signed by a private CA. */
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    /** {@code PKCS12} or {@code JKS} (default: the JDK's default type, which reads both). */
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";

    private SerdeConfig() {
    }

    /** True for the keys this serde's registry client reads ({@code schema.registry.*}, {@code basic.auth.*}, ...). */
    public static boolean isRegistryConfig(String key) {
        return key.startsWith("schema.registry.") || key.startsWith("basic.auth.") || key.equals(AUTO_REGISTER_SCHEMAS);
    }

    /** The credentials and truststore of the registry client, from a Kafka config map. */
    static RegistryAccess access(Map<String, ?> configs) {
        Object source = configs.get(BASIC_AUTH_CREDENTIALS_SOURCE);
        if (source != null && !source.toString().trim().equalsIgnoreCase("USER_INFO")) {
            throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE, source, "only USER_INFO is supported");
        }
        Object userInfo = configs.get(BASIC_AUTH_USER_INFO);
        Object trustStore = configs.get(SSL_TRUSTSTORE_LOCATION);
        try {
            return new RegistryAccess(
                    userInfo == null || userInfo.toString().isEmpty() ? null : RegistryAccess.basicAuthorization(userInfo.toString()),
                    trustStore == null || trustStore.toString().isBlank() ? null
                            : RegistryAccess.trustStore(Path.of(trustStore.toString().trim()), text(configs, SSL_TRUSTSTORE_PASSWORD),
                                    text(configs, SSL_TRUSTSTORE_TYPE)));
        } catch (IllegalArgumentException e) { // the value itself is never echoed: it may be a password
            throw new ConfigException(e.getMessage());
        }
    }

    private static String text(Map<String, ?> configs, String key) {
        Object v = configs.get(key);
        return v == null ? null : v instanceof org.apache.kafka.common.config.types.Password p ? p.value() : v.toString();
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
                    Duration.ofMillis(number(configs, REQUEST_TIMEOUT_MS, 10_000)), access(configs));
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
