package io.linguaflow.schemas.client;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The picocli options of {@link KafkaClientProperties}, mixed into every command that talks to Kafka
 * ({@code @Mixin KafkaClientOptions kafkaClient}).
 */
public final class KafkaClientOptions {

    /** Environment variable naming the properties file when {@code --kafka-config-file} is not given. */
    public static final String CONFIG_FILE_ENV = "LINGUAFLOW_KAFKA_CONFIG_FILE";

    @Option(names = "--kafka-config-file", paramLabel = "FILE", defaultValue = "${env:" + CONFIG_FILE_ENV + "}",
            description = "Kafka client properties (Java properties file) for every Kafka and registry client: "
                    + "security.protocol, ssl.*, sasl.*, basic.auth.user.info, schema.registry.ssl.truststore.* ... "
                    + "(default: $" + CONFIG_FILE_ENV + ", else none)")
    Path file;

    @Option(names = "--kafka-config", paramLabel = "KEY=VALUE",
            description = "Kafka client property over the file's, e.g. security.protocol=SASL_SSL (repeatable)")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The file's properties, then the {@code --kafka-config} ones. */
    public Map<String, String> properties() {
        return KafkaClientProperties.load(file, overrides);
    }
}
