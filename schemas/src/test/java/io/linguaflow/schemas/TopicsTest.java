package io.linguaflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void topicNamesAreExactlyTheDesigns() {
        List<String> design = List.of("sentences", "checkpoints", "inference-requests", "activations", "metrics",
                "key-regions", "neuron-types", "progress", "ablation-requests", "ablation-results", "eval-requests",
                "eval-results", "ablation-tables", "generation-requests", "generation-results", "probe-results",
                "expert-neurons", "dead-letters");
        assertEquals(design, Arrays.stream(Topic.values()).map(Topic::baseName).toList());
        assertEquals(Set.of(Topic.SENTENCES, Topic.CHECKPOINTS, Topic.ABLATION_TABLES),
                Arrays.stream(Topic.values()).filter(Topic::compacted).collect(Collectors.toSet()));
    }

    @Test
    void everyAvscIsTheValueOfExactlyOneTopic() throws IOException {
        Set<String> records;
        try (Stream<Path> files = Files.list(Path.of("src/main/avro"))) {
            records = files.filter(p -> p.toString().endsWith(".avsc")).map(p -> {
                try {
                    return new Schema.Parser().parse(p.toFile()).getFullName();
                } catch (IOException e) {
                    throw new IllegalStateException(p + ": " + e, e);
                }
            }).collect(Collectors.toSet());
        }
        List<String> values = Arrays.stream(Topic.values())
                .map(t -> SpecificData.get().getSchema(t.valueType()).getFullName()).toList();
        assertEquals(records, Set.copyOf(values));
        assertEquals(values.size(), Set.copyOf(values).size(), "a record type is the value of two topics");
    }

    @Test
    void prefixIsPrependedAndResolvable() {
        Topics topics = new Topics("lf-test.");
        assertEquals("lf-test.key-regions", topics.name(Topic.KEY_REGIONS));
        for (Topic t : Topic.values()) {
            assertEquals(Optional.of(t), topics.topicOf(topics.name(t)));
        }
        assertEquals(Optional.empty(), topics.topicOf("key-regions"));
        assertEquals("sentences", Topics.unprefixed().name(Topic.SENTENCES));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Topics("bad prefix/"));
        assertTrue(e.getMessage().contains("'bad prefix/'"), e.getMessage());
    }

    @Test
    void environmentDefaultsAreTheLocalServices() {
        KafkaEnvironment defaults = KafkaEnvironment.from(name -> null);
        assertEquals("127.0.0.1:9092", defaults.bootstrapServers());
        assertEquals("http://127.0.0.1:8081/api/v1/confluent", defaults.schemaRegistryUrl());
        assertEquals("", defaults.topics().prefix());
        java.util.Map<String, String> vars = java.util.Map.of("LINGUAFLOW_BOOTSTRAP_SERVERS", "kafka:19092",
                "LINGUAFLOW_SCHEMA_REGISTRY_URL", "http://schema-registry:8081", "LINGUAFLOW_TOPIC_PREFIX", "prod.");
        KafkaEnvironment set = KafkaEnvironment.from(vars::get);
        assertEquals(java.util.Map.of("bootstrap.servers", "kafka:19092", "schema.registry.url", "http://schema-registry:8081"),
                set.clientConfig());
        assertEquals("prod.metrics", set.topics().name(Topic.METRICS));
    }

    @Test
    void keysFollowTheDocumentedFormats() {
        assertEquals("flores200-devtest|zh|1012", Keys.sentence("flores200-devtest", "zh", "1012"));
        assertEquals("bloom-560m@1000|23", Keys.activation("bloom-560m@1000", 23));
        assertEquals("bloom-560m@1000|fr", Keys.keyRegion("bloom-560m@1000", "fr"));
        // the last part may hold the separator: the key still splits unambiguously from the left
        assertEquals("c|en|a|b", Keys.sentence("c", "en", "a|b"));
        IllegalArgumentException sep = assertThrows(IllegalArgumentException.class, () -> Keys.sentence("c|d", "en", "1"));
        assertTrue(sep.getMessage().contains("corpus 'c|d'"), sep.getMessage());
        IllegalArgumentException layer = assertThrows(IllegalArgumentException.class, () -> Keys.activation("m@1", -1));
        assertTrue(layer.getMessage().contains("-1") && layer.getMessage().contains("m@1"), layer.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Keys.keyRegion("m@1", ""));
        assertTrue(empty.getMessage().contains("lang"), empty.getMessage());
    }

    @Test
    void sampleIdIsLangThenMeaningId() {
        assertEquals("zh|1012", Keys.sampleId("zh", "1012"));
        assertEquals("en|a|b", Keys.sampleId("en", "a|b"));
        assertEquals("zh", Keys.sampleLang("zh|1012"));
        assertEquals("en", Keys.sampleLang(Keys.sampleId("en", "a|b")));
        IllegalArgumentException sep = assertThrows(IllegalArgumentException.class, () -> Keys.sampleId("e|n", "1"));
        assertTrue(sep.getMessage().contains("lang 'e|n'"), sep.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Keys.sampleId("en", ""));
        assertTrue(empty.getMessage().contains("meaningId"), empty.getMessage());
        IllegalArgumentException noLang = assertThrows(IllegalArgumentException.class, () -> Keys.sampleLang("1012"));
        assertTrue(noLang.getMessage().contains("'1012' is not '<lang>|<meaningId>'"), noLang.getMessage());
    }
}
