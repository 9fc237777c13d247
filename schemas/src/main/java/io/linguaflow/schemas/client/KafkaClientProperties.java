package io.linguaflow.schemas.client;

import io.linguaflow.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The Kafka client properties of one process (security, timeouts, the registry's credentials): a properties file, then
 * {@code KEY=VALUE} overrides ({@link KafkaClientOptions}). Every client a linguaflow process opens - producers,
 * consumers, admin clients, Kafka Streams and the Avro serde's registry client - gets them through {@link #applyTo},
 * over its own settings; only {@code bootstrap.servers} and {@code schema.registry.url} from an explicit
 * {@code --bootstrap}/{@code --registry} option win over the file.
 */
public final class KafkaClientProperties {

    private KafkaClientProperties() {
    }

    /**
     * The properties of {@code file} (null: none; Java properties syntax, UTF-8), then {@code overrides}.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read
     */
    public static Map<String, String> load(Path file, Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("Kafka client properties file " + file + " does not exist");
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("Kafka client properties file " + file + " is not valid UTF-8");
            } catch (IOException | IllegalArgumentException e) { // IllegalArgumentException: a malformed \\uXXXX escape
                throw new IllegalArgumentException("cannot read Kafka client properties file " + file + ": " + e.getMessage());
            }
            new TreeMap<>(p).forEach((k, v) -> merged.put(k.toString().trim(), v.toString().trim()));
        }
        overrides.forEach((k, v) -> {
            if (k == null || k.isBlank()) {
                throw new IllegalArgumentException("--kafka-config: empty key in '" + k + "=" + v + "'");
            }
            merged.put(k.trim(), v == null ? "" : v.trim());
        });
        return merged;
    }

    /**
     * Puts {@code properties} into {@code config} over what is there, except {@code bootstrap.servers} and
     * {@code schema.registry.url} that {@code config} already has (they come from explicit options). Returns {@code config}.
     */
    public static <M extends Map<String, Object>> M applyTo(M config, Map<String, String> properties) {
        properties.forEach((k, v) -> {
            if (!(explicit(k) && config.containsKey(k))) {
                config.put(k, v);
            }
        });
        return config;
    }

    /** Only those of {@code properties} whose names are in {@code names} (e.g. {@code AdminClientConfig.configNames()}). */
    public static Map<String, Object> only(Map<String, ?> properties, Collection<String> names) {
        Map<String, Object> out = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (names.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The entries of {@code properties} that configure the registry client ({@link SerdeConfig#isRegistryConfig}). */
    public static Map<String, Object> registryConfig(Map<String, ?> properties) {
        Map<String, Object> out = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (SerdeConfig.isRegistryConfig(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static final Set<String> EXPLICIT = Set.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, SerdeConfig.SCHEMA_REGISTRY_URL);

    private static boolean explicit(String key) {
        return EXPLICIT.contains(key);
    }
}
