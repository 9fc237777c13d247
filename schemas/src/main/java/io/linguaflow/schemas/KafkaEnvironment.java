package io.linguaflow.schemas;

import io.linguaflow.schemas.serde.SerdeConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Where the services find Kafka and the registry, from the environment; the defaults are what {@code ops/local.sh}
 * starts. The compose file sets the same variables.
 * <ul>
 *   <li>{@value #BOOTSTRAP_SERVERS_ENV} (default {@value #DEFAULT_BOOTSTRAP_SERVERS})</li>
 *   <li>{@value #SCHEMA_REGISTRY_URL_ENV} (default {@value #DEFAULT_SCHEMA_REGISTRY_URL})</li>
 *   <li>{@value Topics#PREFIX_ENV} (default none)</li>
 * </ul>
 */
public record KafkaEnvironment(String bootstrapServers, String schemaRegistryUrl, Topics topics) {

    public static final String BOOTSTRAP_SERVERS_ENV = "LINGUAFLOW_BOOTSTRAP_SERVERS";
    public static final String SCHEMA_REGISTRY_URL_ENV = "LINGUAFLOW_SCHEMA_REGISTRY_URL";
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
    public static final String DEFAULT_SCHEMA_REGISTRY_URL = "http://127.0.0.1:8081/api/v1/confluent";

    /** From the process environment. */
    public static KafkaEnvironment fromEnvironment() {
        return from(System::getenv);
    }

    /** From any variable lookup (null = unset), e.g. a map in tests. */
    public static KafkaEnvironment from(UnaryOperator<String> env) {
        String bootstrap = env.apply(BOOTSTRAP_SERVERS_ENV);
        String registry = env.apply(SCHEMA_REGISTRY_URL_ENV);
        String prefix = env.apply(Topics.PREFIX_ENV);
        return new KafkaEnvironment(
                bootstrap == null || bootstrap.isBlank() ? DEFAULT_BOOTSTRAP_SERVERS : bootstrap.trim(),
                registry == null || registry.isBlank() ? DEFAULT_SCHEMA_REGISTRY_URL : registry.trim(),
                new Topics(prefix == null ? "" : prefix.trim()));
    }

    /** {@code bootstrap.servers} and {@code schema.registry.url}: the base of every client and serde config. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(SerdeConfig.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
        return config;
    }
}
