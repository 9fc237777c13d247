package io.linguaflow.examples.trend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.admin.TopicAdmin;
import io.linguaflow.schemas.avro.AblationTable;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The example consumer against a real broker and registry, on records as streams publishes them. */
class TrendConsumerTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private static Metrics metrics(String cp, String model, Long step, boolean complete, double lrds, int sklr) {
        return Metrics.newBuilder().setCheckpointId(cp).setModel(model).setStep(step).setCorpus("c").setLanguages(List.of("en", "zh"))
                .setLayers(2).setNeuronsPerLayer(8).setSamplesSeen(complete ? 4 : 2).setSamplesExpected(4).setComplete(complete)
                .setLrds(lrds).setSads(lrds / 10).setMeanSameLangDiffMeaning(0.5).setMeanDiffLangSameMeaning(0.4)
                .setMeanDiffLangDiffMeaning(0.3).setPerLayer(List.of()).setThreshold(2.0).setThresholdReachable(true)
                .setKeyNeuronCounts(Map.of("en", sklr - 1, "zh", 1)).setSklr(sklr).setSklrFraction(sklr / 16.0).setComputedAt(T).build();
    }

    private static AblationTable table(String cp) {
        return AblationTable.newBuilder().setCheckpointId(cp).setEvalCorpus("xlsum").setLanguages(List.of("en", "zh"))
                .setTotalNeurons(16).setKeyNeurons(Map.of("en", 2, "zh", 1)).setKeyNeuronsPct(Map.of("en", 12.5, "zh", 6.25))
                .setBaseline(Map.of("en", 10.0, "zh", 20.0))
                .setAblated(Map.of("en", Map.of("en", 15.0, "zh", 21.0), "zh", Map.of("en", 10.5, "zh", 40.0)))
                .setRandom(Map.of("en", Map.of("en", 10.1, "zh", 20.2), "zh", Map.of("en", 9.9, "zh", 20.0)))
                .setIncreasePct(Map.of("en", Map.of("en", 50.0, "zh", 5.0), "zh", Map.of("en", 5.0, "zh", 100.0)))
                .setRandomIncreasePct(Map.of("en", Map.of("en", 1.0, "zh", 1.0), "zh", Map.of("en", -1.0, "zh", 0.0)))
                .setRandomSeed(9).setRequestId("table1-" + cp).setComputedAt(T).build();
    }

    @Test
    void rebuildsTheTrendFromTheTopicsAlone() throws Exception {
        Topics topics = new Topics("trend-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.shared().bootstrapServers()))) {
            TopicAdmin.ensureTopics(admin, topics, 2, (short) 1);
        }
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
        AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
        values.configure(TestRegistry.shared().serdeConfig(), false);
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(config, new StringSerializer(), values)) {
            String m = topics.name(Topic.METRICS);
            producer.send(new ProducerRecord<>(m, "toy@200", metrics("toy@200", "toy", 200L, false, Double.NaN, 3)));
            producer.send(new ProducerRecord<>(m, "toy@0", metrics("toy@0", "toy", 0L, true, 0.1, 5)));
            producer.send(new ProducerRecord<>(m, "toy@200", metrics("toy@200", "toy", 200L, true, 0.6, 3)));
            producer.send(new ProducerRecord<>(m, "other@5", metrics("other@5", "other", 5L, true, 0.2, 2)));
            producer.send(new ProducerRecord<>(topics.name(Topic.ABLATION_TABLES), "toy@200", table("toy@200")));
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, TrendConsumer.run(new String[] {"--bootstrap", TestKafka.shared().bootstrapServers(),
                "--registry", TestRegistry.shared().url(), "--topic-prefix", topics.prefix()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
        JsonNode trend = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)).get("models");

        assertEquals(List.of("other", "toy"), List.copyOf(iterable(trend.fieldNames())));
        JsonNode toy = trend.get("toy");
        assertEquals(2, toy.size());
        assertEquals("toy@0", toy.get(0).get("checkpointId").asText(), "ordered by step");
        assertEquals(0.1, toy.get(0).get("lrds").asDouble());
        assertFalse(toy.get(0).has("table1"), "no table published for step 0");
        JsonNode last = toy.get(1);
        assertTrue(last.get("complete").asBoolean(), "the final metrics replace the interim ones");
        assertEquals(0.6, last.get("lrds").asDouble());
        assertEquals(0.06, last.get("sads").asDouble(), 1e-12);
        assertEquals(3, last.get("sklr").asInt());
        assertEquals(50.0, last.at("/table1/ownRegionIncreasePct/en").asDouble());
        assertEquals(100.0, last.at("/table1/ownRegionIncreasePct/zh").asDouble());
        assertEquals(0.0, last.at("/table1/randomIncreasePct/zh").asDouble());
        assertEquals(9, last.at("/table1/randomSeed").asLong());
    }

    @Test
    void withoutTheBrokerOptionItPrintsItsUsage() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, TrendConsumer.run(new String[] {"--registry", "http://x"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage: TrendConsumer"));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
