package io.linguaflow.schemas.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KafkaClientPropertiesTest {

    @TempDir
    Path tmp;

    @Test
    void theFileThenTheOverridesAndExplicitOptionsWin() throws Exception {
        Path file = tmp.resolve("client.properties");
        Files.writeString(file, String.join("\n",
                "# a comment",
                "security.protocol = SASL_SSL",
                "sasl.mechanism=PLAIN",
                "bootstrap.servers=file:9092",
                "client.id=from-file",
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\",
                "    username=\"u\" password=\"p\";"));
        KafkaClientOptions options = new KafkaClientOptions();
        new CommandLine(options).parseArgs("--kafka-config-file", file.toString(), "--kafka-config", "client.id=from-option",
                "--kafka-config", "sasl.mechanism=SCRAM-SHA-512");
        Map<String, String> props = options.properties();
        assertEquals("SASL_SSL", props.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", props.get("sasl.mechanism"));
        assertEquals("from-option", props.get("client.id"));
        assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";",
                props.get("sasl.jaas.config"));

        Map<String, Object> withOption = KafkaClientProperties.applyTo(new HashMap<>(Map.of("bootstrap.servers", "opt:9092",
                "client.id", "component-default")), props);
        assertEquals("opt:9092", withOption.get("bootstrap.servers"), "an explicit --bootstrap beats the file");
        assertEquals("from-option", withOption.get("client.id"), "the properties beat a component's own defaults");
        assertEquals("file:9092", KafkaClientProperties.applyTo(new HashMap<>(), props).get("bootstrap.servers"));
    }

    @Test
    void aBadFileIsNamed() throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> KafkaClientProperties.load(tmp.resolve("nope.properties"), Map.of()));
        assertEquals("Kafka client properties file " + tmp.resolve("nope.properties") + " does not exist", missing.getMessage());
        Path latin1 = tmp.resolve("latin1.properties");
        Files.write(latin1, "sasl.jaas.config=pass\u00e9word\n".getBytes(StandardCharsets.ISO_8859_1));
        IllegalArgumentException utf8 = assertThrows(IllegalArgumentException.class, () -> KafkaClientProperties.load(latin1, Map.of()));
        assertEquals("Kafka client properties file " + latin1 + " is not valid UTF-8", utf8.getMessage());
    }

}
