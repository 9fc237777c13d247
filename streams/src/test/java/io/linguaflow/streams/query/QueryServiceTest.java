package io.linguaflow.streams.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.batch.AnalysisResult;
import io.linguaflow.analysis.keyregions.LayerScores;
import io.linguaflow.analysis.similarity.SimilarityCsv;
import io.linguaflow.analysis.similarity.SimilarityMap;
import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.aggregator.Activations;
import io.linguaflow.streams.aggregator.AggregatorTopology;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.app.LinguaflowStreams;
import io.linguaflow.streams.app.StreamsConfigs;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.testkit.Chromium;
import io.linguaflow.streams.testkit.Fixture;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the application on the in-JVM broker, each with its query service: they share the partitions,
 * and every call answered by either instance is identical (forwarded to the owner or gathered), and equals the reference.
 */
class QueryServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String CP0 = "bloom-tiny@0";
    private static final String CP1 = "bloom-tiny@100";
    private static final String CP2 = "bloom-tiny@200";
    /** Both instances are given the same internal secret, as --internal-secret gives it. */
    private static final QueryService.Options SHARED = QueryService.Options.defaults()
            .withInternalSecret(InternalSecret.of("iq-test-secret-0123456789"));

    @Test
    void twoInstancesAnswerEveryQueryIdentically(@TempDir Path dir) throws Exception {
        Fixture fixture = Fixture.load();
        TestKafka kafka = TestKafka.shared();
        TestRegistry registry = TestRegistry.shared();
        String prefix = "iq-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        StreamsSettings settings = StreamsSettings.defaults(new Topics(prefix), registry.serdeConfig())
                .withInterimInterval(Duration.ofMillis(500));
        try (Admin admin = kafka.admin()) {
            LinguaflowStreams.ensureTopics(admin, settings, 4, (short) 1);
        }
        HostInfo hostA = new HostInfo("127.0.0.1", TestRegistry.freePort());
        HostInfo hostB = new HostInfo("127.0.0.1", TestRegistry.freePort());
        try (LinguaflowStreams a = new LinguaflowStreams(settings, props(kafka, registry, prefix, dir.resolve("a"), hostA));
             LinguaflowStreams b = new LinguaflowStreams(settings, props(kafka, registry, prefix, dir.resolve("b"), hostB));
             QueryService qa = new QueryService(a.kafkaStreams(), hostA, SHARED);
             QueryService qb = new QueryService(b.kafkaStreams(), hostB, SHARED);
             KafkaProducer<String, SpecificRecord> producer = producer(kafka, registry)) {
            qa.start();
            qb.start();
            assertEquals(503, call(hostA, "/checkpoints").statusCode(), "not running yet: retry later");
            assertEquals("1", call(hostA, "/checkpoints").headers().firstValue("Retry-After").orElse(null));
            a.start();
            b.start();
            awaitRunning(a.kafkaStreams(), b.kafkaStreams());

            for (int i = 0; i < fixture.samples(); i++) {
                producer.send(new ProducerRecord<>(settings.topic(Topic.SENTENCES), fixture.sentenceKey(i), fixture.sentence(i)));
            }
            CheckpointEvent later = CheckpointEvent.newBuilder(fixture.checkpoint(CP1, "h100")).setStep(100L).build();
            producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), CP1, later));
            producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), CP0, fixture.checkpoint(CP0, "h0")));
            producer.flush();
            // planned (not WAITING_FOR_CORPUS: the events may reach the planner before the last sentence)
            awaitJson(hostA, "/checkpoints", n -> n.size() == 2 && n.get(0).get("status").asText().equals("PLANNED")
                    && n.get(1).get("status").asText().equals("PLANNED"));
            assertError(hostA, "/checkpoints/bloom-tiny%400/similarity.csv", 409, "checkpoint 'bloom-tiny@0' is not complete yet");
            for (String cp : List.of(CP0, CP1)) {
                for (ActivationRecord r : fixture.shuffledRecords(cp, cp.hashCode())) {
                    producer.send(new ProducerRecord<>(settings.topic(Topic.ACTIVATIONS), Keys.activation(cp, r.getLayer()), r));
                }
            }
            producer.flush();
            awaitJson(hostB, "/checkpoints", n -> n.size() == 2 && n.get(0).get("status").asText().equals("COMPLETE")
                    && n.get(1).get("status").asText().equals("COMPLETE"));

            assertEquals(2, a.kafkaStreams().metadataForAllStreamsClients().size());
            assertTrue(a.kafkaStreams().metadataForLocalThreads().stream().anyMatch(t -> !t.activeTasks().isEmpty()));
            assertTrue(b.kafkaStreams().metadataForLocalThreads().stream().anyMatch(t -> !t.activeTasks().isEmpty()),
                    "both instances own tasks");

            AnalysisResult batch = fixture.batch();
            int zh = fixture.languages().indexOf("zh");
            int keyNeuron = fixture.referenceKeyNeurons("zh").get(3);
            String cp0 = "/checkpoints/bloom-tiny%400";
            List<String> calls = List.of("/checkpoints", cp0 + "/metrics", cp0 + "/layers/2", cp0 + "/key-regions/zh",
                    cp0 + "/neurons/" + keyNeuron, cp0 + "/neurons/5", cp0 + "/neuron-types", "/models/bloom-tiny/trend",
                    "/compare?a=bloom-tiny%400&b=bloom-tiny%40100", "/corpora/fixture/sentences",
                    "/checkpoints/bloom-tiny%40100/neuron-types/changes?from=bloom-tiny%400");
            for (String call : calls) {
                HttpResponse<String> ra = call(hostA, call);
                HttpResponse<String> rb = call(hostB, call);
                assertEquals(200, ra.statusCode(), call + ": " + ra.body());
                assertEquals(ra.body(), rb.body(), call + " answered differently by the two instances");
            }
            JsonNode metrics = json(hostA, cp0 + "/metrics");
            assertEquals(fixture.reference.at("/analysis/overall/lrds").asDouble(), metrics.get("lrds").asDouble(), 1e-6);
            assertEquals(fixture.reference.at("/analysis/overall/sads").asDouble(), metrics.get("sads").asDouble(), 1e-6);
            assertEquals(fixture.reference.at("/analysis/per_layer/2/lrds").asDouble(), json(hostB, cp0 + "/layers/2").get("lrds").asDouble(), 1e-6);
            List<Integer> region = JSON.convertValue(json(hostB, cp0 + "/key-regions/zh").get("neurons"),
                    JSON.getTypeFactory().constructCollectionType(List.class, Integer.class));
            assertEquals(fixture.referenceKeyNeurons("zh"), region);
            JsonNode neuron = json(hostA, cp0 + "/neurons/" + keyNeuron);
            JsonNode zhEntry = neuron.get("languages").get(zh);
            assertEquals("zh", zhEntry.get("lang").asText());
            assertEquals(batch.zScores()[zh][keyNeuron], zhEntry.get("z").asDouble(), 1e-9);
            assertEquals(batch.scores()[zh][keyNeuron], zhEntry.get("contribution").asDouble(), 1e-12);
            assertTrue(zhEntry.get("key").asBoolean());
            JsonNode types = json(hostB, cp0 + "/neuron-types");
            JsonNode zhMask = types.at("/masks/zh");
            int typed = zhMask.get(0).asInt();
            JsonNode typedNeuron = json(hostA, cp0 + "/neurons/" + typed);
            assertTrue(List.of("language-specific", "language-related").contains(typedNeuron.get("neuronType").asText()));
            boolean inZh = false;
            for (JsonNode l : typedNeuron.get("inNeuronTypeMasks")) {
                inZh |= l.asText().equals("zh");
            }
            assertTrue(inZh, typedNeuron.toString());
            JsonNode trend = json(hostB, "/models/bloom-tiny/trend").get("checkpoints");
            assertEquals(CP0, trend.get(0).get("checkpointId").asText(), "ordered by step");
            assertEquals(CP1, trend.get(1).get("checkpointId").asText());
            // same activations, same neuron types: nothing changes, every set is shared whole (and joins the trend)
            JsonNode changes = json(hostA, "/checkpoints/bloom-tiny%40100/neuron-types/changes?from=bloom-tiny%400");
            assertEquals(CP0, changes.get("from").asText());
            assertTrue(trend.get(0).get("neuronTypeChanges").isNull(), "the first checkpoint has nothing to change from");
            JsonNode trendChanges = trend.get(1).get("neuronTypeChanges");
            assertEquals(CP0, trendChanges.get("from").asText());
            int typedNeurons = 0;
            for (String type : List.of("specific", "related", "general")) {
                JsonNode t = changes.get("types").get(type);
                t.get("deltaPerLayer").forEach(d -> assertEquals(0, d.asInt(), type));
                JsonNode o = t.get("overlap");
                assertEquals(o.get("fromSize").asInt(), o.get("shared").asInt(), type);
                assertEquals(o.get("size").asInt(), o.get("shared").asInt(), type);
                assertEquals(o.get("size").asInt() > 0 ? 1.0 : 0.0, o.get("jaccard").asDouble(), type);
                assertEquals(o.get("jaccard").asDouble(), trendChanges.get(type).get("jaccard").asDouble(), type);
                assertEquals(0, trendChanges.get(type).get("countChange").asInt(), type);
                typedNeurons += o.get("size").asInt();
            }
            assertTrue(typedNeurons > 0, "the fixture has typed neurons: " + changes);
            assertError(hostB, "/checkpoints/bloom-tiny%40100/neuron-types/changes", 400, "'from' is required");
            assertError(hostB, "/checkpoints/bloom-tiny%40100/neuron-types/changes?from=nope%401", 404, "unknown checkpoint 'nope@1'");
            JsonNode compare = json(hostA, "/compare?a=bloom-tiny%400&b=bloom-tiny%40100");
            assertEquals(1.0, compare.at("/keyRegionOverlap/zh/jaccard").asDouble(), "same activations, same regions");

            assertError(hostA, "/checkpoints/nope@1/metrics", 404, "unknown checkpoint 'nope@1'");
            assertError(hostB, cp0 + "/layers/x", 400, "layer must be an integer");
            assertError(hostB, cp0 + "/layers/9", 404, "has no layer 9");
            assertError(hostA, cp0 + "/key-regions/xx", 404, "no language 'xx'");
            assertError(hostA, cp0 + "/neurons/99999", 400, "outside [0, 1024)");
            assertError(hostA, "/compare?a=bloom-tiny%400", 400, "'b' is required");
            JsonNode sentences = json(hostB, "/corpora/fixture/sentences").get("sentences");
            assertEquals(fixture.samples(), sentences.size());
            for (int i = 0; i < fixture.samples(); i++) {
                assertEquals(fixture.sampleIds().get(i), sentences.get(i).get("sampleId").asText(), "corpus order");
                assertEquals(fixture.sentence(i).getText(), sentences.get(i).get("text").asText());
            }
            assertError(hostA, "/corpora/nope/sentences", 404, "unknown corpus 'nope'");
            assertSimilarityMaps(a.kafkaStreams(), qa, qb, fixture);
            assertTrue(json(hostB, "/openapi.json").get("paths").has("/checkpoints/{checkpointId}/key-regions/{lang}"));
            assertTrue(json(hostB, "/openapi.json").get("paths").has("/checkpoints/{checkpointId}/similarity.png"));
            HttpResponse<String> dashboard = call(hostA, "/");
            assertEquals(200, dashboard.statusCode());
            assertTrue(dashboard.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            String script = call(hostA, "/dashboard.js").body();
            assertTrue(script.contains("get(\"/checkpoints\")") && script.contains("/trend"), "the page reads the API");
            assertTrue(script.contains("/similarity.json"), "the page shows the map");
            assertMalformedIdsAreRefused(hostB);

            // a worker's failure on the progress topic: the planned checkpoint is FAILED with the worker's error, the
            // complete ones stay COMPLETE, and the trend (checkpoints with results) is unchanged
            producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), CP2,
                    CheckpointEvent.newBuilder(fixture.checkpoint(CP2, "h200")).setStep(200L).build()));
            producer.flush();
            awaitJson(hostA, "/checkpoints", n -> n.size() == 3 && n.get(2).get("status").asText().equals("PLANNED")
                    && n.get(2).get("message").asText("").contains("inference requests"));
            producer.send(new ProducerRecord<>(settings.topic(Topic.PROGRESS), CP2, Progress.newBuilder().setCheckpointId(CP2)
                    .setStage(Stage.FAILED).setSamplesExpected(0).setSamplesSeen(0).setLayerRecordsExpected(0).setLayerRecordsSeen(0)
                    .setMessage("bloom-tiny@200/0: cannot load checkpoint /models/bloom-tiny").setUpdatedAt(Instant.now()).build()));
            producer.flush();
            JsonNode list = awaitJson(hostA, "/checkpoints", n -> n.size() == 3 && n.get(2).get("status").asText().equals("FAILED"));
            assertEquals(CP2, list.get(2).get("checkpointId").asText());
            assertEquals("bloom-tiny@200/0: cannot load checkpoint /models/bloom-tiny", list.get(2).get("message").asText());
            assertEquals(fixture.samples(), list.get(2).get("samplesExpected").asInt(), "from the plan");
            assertEquals("COMPLETE", list.get(0).get("status").asText());
            assertEquals("final results published", list.get(0).get("message").asText());
            assertEquals(list, awaitJson(hostB, "/checkpoints", list::equals), "every instance has the progress store");
            assertEquals(2, json(hostB, "/models/bloom-tiny/trend").get("checkpoints").size());
            assertStatusesWithMessages(producer, settings, fixture, hostA, hostB, list.get(2));
            assertIncompleteLayerNeuronFromTheVectors(producer, settings, fixture, hostA, hostB);
        }
    }

    /**
     * An incomplete layer's groups are held in its task, not logged (docs/state-layout.md): its neuron is answered from
     * the layer's vectors, equal to the language groups of the samples sent so far (here the first ten meanings of
     * layer 1 of the planned bloom-tiny@200), on both instances.
     */
    private static void assertIncompleteLayerNeuronFromTheVectors(KafkaProducer<String, SpecificRecord> producer, StreamsSettings settings,
                                                                  Fixture fixture, HostInfo hostA, HostInfo hostB) throws Exception {
        List<ActivationRecord> some = fixture.shuffledRecords(CP2, 5).stream()
                .filter(r -> r.getLayer() == 1 && Integer.parseInt(r.getMeaningId().substring(1)) <= 10).toList();
        Map<String, GroupSums> byLang = new HashMap<>();
        for (ActivationRecord r : some) {
            producer.send(new ProducerRecord<>(settings.topic(Topic.ACTIVATIONS), Keys.activation(CP2, 1), r));
            byLang.computeIfAbsent(r.getLang(), l -> GroupSums.withNeuronStatistics(fixture.neurons)).add(Activations.vector(null, r));
        }
        producer.flush();
        CheckpointPlan plan = fixture.plan(CP2);
        List<String> languages = plan.getLanguages().stream().filter(byLang::containsKey).toList();
        LayerScores.Neuron expected = LayerScores.neuron(languages.stream().map(byLang::get).toList(), plan.getLfCompat(), 5, plan.getThreshold());
        String path = "/checkpoints/bloom-tiny%40200/layers/1/neurons/5";
        java.util.function.Predicate<JsonNode> sameAsExpected = n -> {
            JsonNode langs = n.get("languages");
            if (langs.size() != expected.languages().length) {
                return false;
            }
            for (int l = 0; l < langs.size(); l++) {
                if (!langs.get(l).get("lang").asText().equals(languages.get(expected.languages()[l]))
                        || langs.get(l).get("contribution").asDouble() != expected.contributions()[l]
                        || langs.get(l).get("z").asDouble() != expected.z()[l]) {
                    return false;
                }
            }
            return true;
        };
        awaitJson(hostA, path, sameAsExpected);
        awaitJson(hostB, path, sameAsExpected);
    }

    /**
     * Besides FAILED, the two stages a checkpoint can stop at before any result: SKIPPED_DUPLICATE (weights analysed
     * already) and WAITING_FOR_CORPUS (its corpus has no rows). Each is served with the planner's message by /checkpoints
     * and /checkpoints/{id} on both instances, and shown by the dashboard (in chromium, when there is one).
     */
    private static void assertStatusesWithMessages(KafkaProducer<String, SpecificRecord> producer, StreamsSettings settings, Fixture fixture,
                                                   HostInfo hostA, HostInfo hostB, JsonNode failed) throws Exception {
        String duplicate = "bloom-tiny@300";
        String waiting = "bloom-tiny@400";
        producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), duplicate,
                CheckpointEvent.newBuilder(fixture.checkpoint(duplicate, "h0")).setStep(300L).build()));
        producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), waiting,
                CheckpointEvent.newBuilder(fixture.checkpoint(waiting, "h400")).setStep(400L).setCorpus("not-landed-yet").build()));
        producer.flush();
        JsonNode list = awaitJson(hostA, "/checkpoints", n -> n.size() == 5);
        Map<String, String> expected = Map.of(
                CP2, "FAILED|" + failed.get("message").asText(),
                duplicate, "SKIPPED_DUPLICATE|content hash h0 was already analysed on corpus 'fixture' as checkpoint '" + CP0 + "'",
                waiting, "WAITING_FOR_CORPUS|corpus 'not-landed-yet' has no rows yet; planning when the last one arrives");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String[] statusAndMessage = e.getValue().split("\\|", 2);
            JsonNode listed = null;
            for (JsonNode n : list) {
                listed = n.get("checkpointId").asText().equals(e.getKey()) ? n : listed;
            }
            assertTrue(listed != null, e.getKey() + " listed: " + list);
            assertEquals(statusAndMessage[0], listed.get("status").asText(), listed.toString());
            assertEquals(statusAndMessage[1], listed.get("message").asText(), listed.toString());
            String path = "/checkpoints/" + Api.encode(e.getKey());
            assertEquals(listed, json(hostA, path), path);
            assertEquals(listed, json(hostB, path), path + " on the other instance");
        }
        assertError(hostB, "/checkpoints/bloom-tiny%40999", 404, "unknown checkpoint 'bloom-tiny@999'");

        String chromium = Chromium.find();
        if (chromium == null) {
            System.out.println("SKIPPED the dashboard check of FAILED/SKIPPED_DUPLICATE/WAITING_FOR_CORPUS: no chromium on PATH");
            return;
        }
        Chromium.Page page = Chromium.load(chromium, "http://" + hostA.host() + ":" + hostA.port() + "/");
        String dom = page.dom();
        assertFalse(page.log().contains("Content Security Policy"), "the dashboard runs within its Content-Security-Policy:\n" + page.log());
        for (String panel : List.of("checkpoints", "similarity", "trend", "layers", "key-layers", "key-languages", "neuron-types")) {
            String section = dom.substring(dom.indexOf("data-panel=\"" + panel + "\""));
            assertTrue(section.substring(0, section.indexOf('>')).contains("data-ready=\"true\""), "panel " + panel + " drew its data: "
                    + section.substring(0, section.indexOf('>')));
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String[] statusAndMessage = e.getValue().split("\\|", 2);
            String item = Chromium.element(dom, "li data-checkpoint=\"" + e.getKey() + "\"", "</li>");
            assertTrue(item.contains("data-status=\"" + statusAndMessage[0] + "\""), item);
            assertTrue(item.contains(">" + statusAndMessage[0] + "</span>"), "the status badge: " + item);
            assertTrue(item.contains(Chromium.html(statusAndMessage[1])), "the message: " + item);
        }
    }

    /**
     * Malformed ids, one of each kind: negative, too large, signed, NUL, too long, a line break; each a 400 naming the
     * parameter and quoting the value escaped (a NUL in the path itself is refused by Jetty, still as a JSON 400).
     */
    private static void assertMalformedIdsAreRefused(HostInfo host) throws Exception {
        String cp0 = "/checkpoints/bloom-tiny%400";
        assertError(host, cp0 + "/layers/-1", 400, "layer must be an integer >= 0 in decimal digits, got '-1'");
        assertError(host, cp0 + "/neurons/99999999999", 400, "neuron must be an integer >= 0 in decimal digits, got '99999999999'");
        assertError(host, cp0 + "/neurons/2147483648", 400, "neuron must be at most 2147483647, got '2147483648'");
        assertError(host, cp0 + "/layers/+1", 400, "layer must be an integer >= 0 in decimal digits, got '+1'");
        assertError(host, cp0 + "/layers/%2B1", 400, "layer must be an integer >= 0 in decimal digits, got '+1'");
        // Jetty refuses %00 in a path before any route (the URI is gone by then): the JSON error says what it refuses
        assertError(host, cp0 + "/layers/%00", 400, "malformed request: the server refuses this URI (a %00");
        assertError(host, "/checkpoints/bloom-tiny%00/metrics", 400, "malformed request: the server refuses this URI (a %00");
        assertError(host, "/checkpoints/" + "x".repeat(300) + "/metrics", 400,
                "checkpointId must be 1 to 256 characters, got 300: '" + "x".repeat(64) + "'... (300 characters)");
        assertError(host, "/models/a%0Ab/trend", 400, "model must not contain control characters, got 'a\\u000ab'");
        assertError(host, "/compare?a=bloom-tiny%400&b=%00", 400, "b must not contain control characters, got '\\u0000'");
    }

    /**
     * The similarity map of bloom-tiny@0, whose layers are owned by both instances: each layer's block is computed by its
     * owner and the whole-model map is summed by the instance that got the call. CSV equals similarity.npy (the oracle,
     * float64 means) within 1e-6 and the batch map of the same float32 vectors within 1e-12, from either instance; the
     * per-layer map likewise; the PNG decodes; bad calls get 400/404/409.
     */
    private static void assertSimilarityMaps(KafkaStreams streams, QueryService qa, QueryService qb, Fixture fixture) throws Exception {
        HostInfo hostA = qa.host();
        HostInfo hostB = qb.host();
        Set<HostInfo> owners = new HashSet<>();
        for (int m = 0; m < fixture.layers; m++) {
            owners.add(streams.queryMetadataForKey(AggregatorTopology.VECTORS_STORE, Keys.activation(CP0, m), new StringSerializer())
                    .activeHost());
        }
        assertEquals(Set.of(hostA, hostB), owners, "the layers of the checkpoint are spread over both instances");
        String cp0 = "/checkpoints/bloom-tiny%400";

        long t0 = System.nanoTime();
        HttpResponse<byte[]> csvA = bytes(hostA, cp0 + "/similarity.csv");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        HttpResponse<byte[]> csvB = bytes(hostB, cp0 + "/similarity.csv");
        assertEquals(200, csvA.statusCode(), new String(csvA.body(), StandardCharsets.UTF_8));
        assertEquals("text/csv; charset=utf-8", csvA.headers().firstValue("Content-Type").orElse(null));
        assertArrayEquals(csvA.body(), csvB.body(), "both instances gather the same map");
        // each owner computed its layers' blocks once (B's call found them cached), each gatherer its sum once
        assertEquals(fixture.layers + 2, computations(qa, qb), "4 blocks, computed by their owners, and one sum per instance");
        assertArrayEquals(csvA.body(), bytes(hostA, cp0 + "/similarity.csv").body(), "a repeated call");
        assertEquals(200, bytes(hostB, cp0 + "/similarity.png").statusCode());
        assertEquals(fixture.layers + 2, computations(qa, qb), "the repeated CSV and the PNG of the same map come from the cache");
        SimilarityCsv.Table whole = csv(csvA);
        assertEquals(fixture.sampleIds(), whole.sampleIds(), "corpus order");
        double[][] reference = fixture.referenceSimilarity();
        double max = 0;
        for (int i = 0; i < reference.length; i++) {
            for (int j = 0; j < reference.length; j++) {
                max = Math.max(max, Math.abs(whole.map().get(i, j) - reference[i][j]));
            }
        }
        assertTrue(max < 1e-6, "the served map deviates from similarity.npy by " + max);
        System.out.printf("similarity.csv over REST (2 instances): %d ms, max |S - similarity.npy| = %.3g%n", millis, max);
        assertArrayEquals(SimilarityMap.wholeModel(fixture.vectors()).flatten(), whole.map().flatten(), 1e-12);

        SimilarityCsv.Table layer1 = csv(bytes(hostB, cp0 + "/similarity.csv?layer=1"));
        assertEquals(fixture.sampleIds(), layer1.sampleIds());
        assertArrayEquals(fixture.referenceLayerMap(1).flatten(), layer1.map().flatten(), 1e-6);
        assertArrayEquals(SimilarityMap.layer(fixture.vectors(), 1).flatten(), layer1.map().flatten(), 1e-12);

        HttpResponse<byte[]> png = bytes(hostB, cp0 + "/similarity.png");
        assertEquals(200, png.statusCode());
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(null));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.body()));
        int side = 450 * 2 + 8; // 2 px per sample, 8 language boundaries
        assertEquals(side, image.getWidth());
        assertEquals(side + 22, image.getHeight(), "map, gap, legend strip and ticks");
        assertEquals(0x67001f, image.getRGB(0, 0) & 0xffffff, "S = 1 at the first sample");
        assertEquals(0x67001f, image.getRGB(side - 1, side - 1) & 0xffffff, "S = 1 at the last sample");
        assertEquals(200, bytes(hostA, cp0 + "/similarity.png?layer=3").statusCode());

        // the dashboard's form: ids, texts and the upper triangle rounded to 4 decimals, the same map as the CSV
        assertJsonMap(hostA, cp0 + "/similarity.json?layer=1", 1, layer1, fixture);
        assertJsonMap(hostB, cp0 + "/similarity.json", null, whole, fixture);
        assertError(hostA, cp0 + "/similarity.json?layer=4", 400, "layer 4 outside [0, 4)");

        assertError(hostA, "/checkpoints/nope@1/similarity.csv", 404, "unknown checkpoint 'nope@1'");
        assertError(hostB, cp0 + "/similarity.png?layer=x", 400, "layer must be an integer >= 0 in decimal digits, got 'x'");
        assertError(hostA, cp0 + "/similarity.csv?layer=4", 400, "layer 4 outside [0, 4) of checkpoint 'bloom-tiny@0'");
        String block = "/internal/checkpoints/bloom-tiny%400/layers/0/similarity-block";
        String secret = SHARED.internalSecret().value();
        assertError(hostA, block + "?normalisation=cosine", 400, "normalisation must be 'model' or 'layer'", secret);
        assertError(hostB, block + "?normalisation=model&samples=00", 409, "holds other samples", secret);
        assertError(hostA, "/internal/checkpoints/bloom-tiny%400/layers/7/samples", 404, "no stored vectors of layer 7", secret);
        // the internal calls the instances made above carried the secret; a direct call without it, or with another, is refused
        for (HostInfo host : List.of(hostA, hostB)) {
            assertError(host, block + "?normalisation=model", 403, "internal calls need the instances' shared secret");
            assertError(host, "/internal/checkpoints/bloom-tiny%400/layers/0/samples", 403, "shared secret", "iq-test-secret-9876543210");
        }

        // two more services on instance A's streams, at addresses that own nothing, so every call of theirs is forwarded:
        // one with a cap below N refuses the map (413) before any block is computed, one with another secret is refused by
        // the owners of the layers (their 403 reaches the client as 502, naming the cause)
        long before = computations(qa, qb);
        HostInfo hostC = new HostInfo("127.0.0.1", TestRegistry.freePort());
        HostInfo hostD = new HostInfo("127.0.0.1", TestRegistry.freePort());
        try (QueryService capped = new QueryService(streams, hostC, SHARED.withMaxSimilaritySamples(fixture.samples() - 1));
             QueryService stranger = new QueryService(streams, hostD, QueryService.Options.defaults())) {
            capped.start();
            stranger.start();
            for (String format : List.of("csv", "png", "json")) {
                assertError(hostC, cp0 + "/similarity." + format, 413, "the similarity map of checkpoint 'bloom-tiny@0' has N = "
                        + fixture.samples() + " samples, more than this instance serves (--max-similarity-samples " + (fixture.samples() - 1));
            }
            assertEquals(0, capped.similarityCache().computations());
            assertError(hostD, cp0 + "/similarity.csv?layer=2", 502, "refused this instance's internal call (403): the instances of one "
                    + "application must be given the same --internal-secret");
            assertEquals(before, computations(qa, qb), "nothing computed for refused calls");
        }
        try (QueryService exact = new QueryService(streams, hostC, SHARED.withMaxSimilaritySamples(fixture.samples()))) {
            exact.start();
            assertArrayEquals(csvA.body(), bytes(hostC, cp0 + "/similarity.csv").body(), "N = cap is served, the same bytes");
        }
    }

    private static void assertJsonMap(HostInfo host, String path, Integer layer, SimilarityCsv.Table csv, Fixture fixture) throws Exception {
        HttpResponse<String> r = call(host, path);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(null));
        JsonNode map = JSON.readTree(r.body());
        assertEquals(layer == null, map.get("layer").isNull());
        assertEquals(layer == null ? "model" : "layer", map.get("normalisation").asText());
        assertEquals(fixture.sampleIds(), JSON.convertValue(map.get("samples"), List.class));
        for (int i = 0; i < fixture.samples(); i++) {
            assertEquals(fixture.sentence(i).getText(), map.get("texts").get(i).asText());
        }
        int n = fixture.samples();
        JsonNode values = map.get("values");
        assertEquals(n * (n + 1) / 2, values.size(), "the upper triangle");
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++, k++) {
                assertEquals(csv.map().get(i, j), values.get(k).asDouble(), 0.5e-4 + 1e-12, "S_" + i + "," + j);
            }
        }
    }

    private static long computations(QueryService qa, QueryService qb) {
        return qa.similarityCache().computations() + qb.similarityCache().computations();
    }

    private static SimilarityCsv.Table csv(HttpResponse<byte[]> response) throws Exception {
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        return SimilarityCsv.read(new BufferedReader(new StringReader(new String(response.body(), StandardCharsets.UTF_8))),
                response.uri().toString());
    }

    private static HttpResponse<byte[]> bytes(HostInfo host, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static Properties props(TestKafka kafka, TestRegistry registry, String prefix, Path state, HostInfo host) {
        Properties p = StreamsConfigs.of(prefix + "streams", kafka.bootstrapServers(), state, host.host() + ":" + host.port(),
                registry.serdeConfig(), prefix);
        p.put("replication.factor", 1);
        p.put("consumer.session.timeout.ms", 6000);
        p.put("consumer.heartbeat.interval.ms", 1000);
        return p;
    }

    static KafkaProducer<String, SpecificRecord> producer(TestKafka kafka, TestRegistry registry) {
        Map<String, Object> config = new HashMap<>(kafka.producerConfig());
        config.putAll(registry.serdeConfig());
        AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
        values.configure(config, false);
        return new KafkaProducer<>(config, new StringSerializer(), values);
    }

    static void awaitRunning(KafkaStreams... instances) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (java.util.Arrays.stream(instances).anyMatch(s -> s.state() != KafkaStreams.State.RUNNING)) {
            assertTrue(System.nanoTime() < deadline, "instances did not reach RUNNING");
            Thread.sleep(100);
        }
    }

    static HttpResponse<String> call(HostInfo host, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HostInfo host, String path) throws Exception {
        HttpResponse<String> r = call(host, path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** Polls until the answer satisfies {@code done} (503 during rebalances is retried), for up to 90 s. */
    private static JsonNode awaitJson(HostInfo host, String path, java.util.function.Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            HttpResponse<String> r = call(host, path);
            if (r.statusCode() == 200) {
                JsonNode n = JSON.readTree(r.body());
                if (done.test(n)) {
                    return n;
                }
            }
            assertTrue(System.nanoTime() < deadline, "timed out on " + path + ": " + r.statusCode() + " " + r.body());
            Thread.sleep(250);
        }
    }

    /** @param secret the internal secret to send, if any */
    private static void assertError(HostInfo host, String path, int status, String message, String... secret) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + path)).GET();
        for (String s : secret) {
            b.header(InternalSecret.HEADER, s);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), path + ": " + r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(status, body.get("status").asInt());
        assertTrue(body.get("error").asText().contains(message), path + ": " + body);
    }
}
