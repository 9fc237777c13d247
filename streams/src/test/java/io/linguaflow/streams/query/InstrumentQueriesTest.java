package io.linguaflow.streams.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.experts.ExpertNeurons;
import io.linguaflow.analysis.experts.Responses;
import io.linguaflow.analysis.probes.LanguageProbe;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.Expert;
import io.linguaflow.schemas.avro.ExpertOverlap;
import io.linguaflow.schemas.avro.ExpertRanking;
import io.linguaflow.schemas.avro.ProbeFold;
import io.linguaflow.schemas.avro.ProbeLayer;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.aggregator.StoreKeys;
import io.linguaflow.streams.app.LinguaflowStreams;
import io.linguaflow.streams.app.LinguaflowTopology;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.config.InstrumentSettings;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.instruments.InstrumentTopology;
import io.linguaflow.streams.testkit.Fixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /checkpoints/{id}/probes}, {@code /checkpoints/{id}/experts} and the trend's instrument fields, on two instances
 * of the real streams application (with its instruments switched off) that also hold the instruments' two results stores
 * under their names, keyed and partitioned as the instruments keep them: probes {@code <cp>|<layer>} on a topic keyed like
 * the activations, rankings {@code <cp>|<concept>|<lang>} from a topic keyed by checkpoint like the combiner's input. The
 * stored values are the analysis' own results on the reference kit (LanguageProbe on each layer's sample vectors,
 * ExpertNeurons on the whole-model vectors with topics per meaning); the expected overlaps are recomputed from the expert
 * sets by brute force. The routes' gathering from the layers' owners and forwarding to a checkpoint's owner make both
 * instances answer identically.
 */
class InstrumentQueriesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CP0 = "bloom-tiny@0";
    private static final String CP1 = "bloom-tiny@100";
    private static final List<String> TOPICS = List.of("greeting", "food", "travel");
    private static final int K = 20;
    private static final QueryService.Options SHARED = QueryService.Options.defaults()
            .withInternalSecret(InternalSecret.of("instrument-test-secret-0123"));

    @Test
    void probesExpertsAndTrendFromTheOwnersOfEveryLayerAndCheckpoint(@TempDir Path dir) throws Exception {
        Fixture fixture = Fixture.load();
        TestKafka kafka = TestKafka.shared();
        TestRegistry registry = TestRegistry.shared();
        String prefix = "instr-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        StreamsSettings settings = StreamsSettings.defaults(new Topics(prefix), registry.serdeConfig())
                .withInterimInterval(Duration.ofMillis(500)).withInstruments(InstrumentSettings.OFF);
        String probesTopic = prefix + "test-probes";
        String expertsTopic = prefix + "test-experts";
        try (Admin admin = kafka.admin()) {
            LinguaflowStreams.ensureTopics(admin, settings, 4, (short) 1);
            admin.createTopics(List.of(new NewTopic(probesTopic, 4, (short) 1), new NewTopic(expertsTopic, 4, (short) 1))).all().get();
        }
        HostInfo hostA = new HostInfo("127.0.0.1", TestRegistry.freePort());
        HostInfo hostB = new HostInfo("127.0.0.1", TestRegistry.freePort());
        try (KafkaStreams a = new KafkaStreams(topology(settings, probesTopic, expertsTopic), QueryServiceTest.props(kafka, registry, prefix, dir.resolve("a"), hostA));
             KafkaStreams b = new KafkaStreams(topology(settings, probesTopic, expertsTopic), QueryServiceTest.props(kafka, registry, prefix, dir.resolve("b"), hostB));
             QueryService qa = new QueryService(a, hostA, SHARED);
             QueryService qb = new QueryService(b, hostB, SHARED);
             KafkaProducer<String, SpecificRecord> producer = QueryServiceTest.producer(kafka, registry)) {
            qa.start();
            qb.start();
            a.start();
            b.start();
            QueryServiceTest.awaitRunning(a, b);

            // the corpus with a topic per meaning: the planner puts it into the plans (conceptsByMeaning)
            List<String> langs = new ArrayList<>();
            List<Set<String>> concepts = new ArrayList<>();
            for (int i = 0; i < fixture.samples(); i++) {
                Sentence s = fixture.sentence(i);
                String topic = TOPICS.get(Integer.parseInt(s.getMeaningId().substring(1)) % TOPICS.size());
                langs.add(s.getLang());
                concepts.add(Set.of(topic));
                producer.send(new ProducerRecord<>(settings.topic(Topic.SENTENCES), fixture.sentenceKey(i),
                        Sentence.newBuilder(s).setConcepts(List.of(topic)).build()));
            }
            producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), CP0, fixture.checkpoint(CP0, "h0")));
            producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), CP1,
                    CheckpointEvent.newBuilder(fixture.checkpoint(CP1, "h100")).setStep(100L).build()));
            producer.flush();
            awaitJson(hostA, "/checkpoints", n -> n.size() == 2 && n.get(0).get("status").asText().equals("PLANNED")
                    && n.get(1).get("status").asText().equals("PLANNED"));
            assertError(hostB, "/checkpoints/bloom-tiny%400/experts", 404,
                    "checkpoint 'bloom-tiny@0' has no expert neurons: not published yet");
            assertError(hostA, "/checkpoints/bloom-tiny%400/probes", 404, "no probe result of checkpoint 'bloom-tiny@0' yet");
            for (String cp : List.of(CP0, CP1)) {
                for (ActivationRecord r : fixture.shuffledRecords(cp, cp.hashCode())) {
                    producer.send(new ProducerRecord<>(settings.topic(Topic.ACTIVATIONS), Keys.activation(cp, r.getLayer()), r));
                }
            }

            // the instruments' results: every layer's probe of CP0, all but layer 1 of CP1; the experts of CP0 only
            List<ProbeLayer> probes = new ArrayList<>();
            for (int layer = 0; layer < fixture.layers; layer++) {
                probes.add(probe(fixture, langs, layer));
            }
            for (String cp : List.of(CP0, CP1)) {
                for (ProbeLayer p : probes) {
                    if (!(cp.equals(CP1) && p.getLayer() == 1)) {
                        ProbeLayer forCp = ProbeLayer.newBuilder(p).setCheckpointId(cp).build();
                        producer.send(new ProducerRecord<>(probesTopic, StoreKeys.layer(cp, p.getLayer()), forCp));
                    }
                }
            }
            float[][] maxima = new float[fixture.samples()][];
            for (int i = 0; i < fixture.samples(); i++) {
                maxima[i] = new float[fixture.layers * fixture.neurons];
                for (int layer = 0; layer < fixture.layers; layer++) {
                    System.arraycopy(floats(fixture.slice(i, layer)), 0, maxima[i], layer * fixture.neurons, fixture.neurons);
                }
            }
            ExpertNeurons.Result found = ExpertNeurons.find(Responses.of(maxima), langs, concepts, K, "fixture");
            for (ExpertRanking r : rankings(CP0, found)) {
                producer.send(new ProducerRecord<>(expertsTopic, CP0, r)); // keyed by checkpoint, as the combiner's input
            }
            producer.flush();
            awaitJson(hostB, "/checkpoints", n -> n.size() == 2 && n.get(0).get("status").asText().equals("COMPLETE")
                    && n.get(1).get("status").asText().equals("COMPLETE"));

            // probes: every layer from its owner, in layer order, the stored records whole
            String cp0 = "/checkpoints/bloom-tiny%400";
            JsonNode p0 = awaitJson(hostA, cp0 + "/probes", n -> n.get("reported").asInt() == fixture.layers);
            assertTrue(p0.get("complete").asBoolean());
            assertEquals(fixture.layers, p0.get("layers").asInt());
            int bestLayer = 0;
            for (int layer = 0; layer < fixture.layers; layer++) {
                JsonNode served = p0.get("probes").get(layer);
                ProbeLayer expected = ProbeLayer.newBuilder(probes.get(layer)).setCheckpointId(CP0).build();
                assertEquals(JSON.readTree(AvroJson.of(expected).toString()), served, "layer " + layer);
                assertEquals(served, QueryServiceTest.json(hostB, cp0 + "/probes/" + layer), "the per-layer route");
                if (probes.get(layer).getAccuracyMean() > probes.get(bestLayer).getAccuracyMean()) {
                    bestLayer = layer;
                }
            }
            assertEquals(bestLayer, p0.at("/best/layer").asInt());
            assertEquals(probes.get(bestLayer).getAccuracyMean(), p0.at("/best/accuracyMean").asDouble());
            assertTrue(probes.get(bestLayer).getAccuracyMean() > 1.0 / 9, "the probe tells the 9 languages apart better than chance");
            JsonNode p1 = awaitJson(hostB, "/checkpoints/bloom-tiny%40100/probes", n -> n.get("reported").asInt() == fixture.layers - 1);
            assertFalse(p1.get("complete").asBoolean());
            assertEquals(List.of(0, 2, 3), layersOf(p1));
            assertError(hostA, "/checkpoints/bloom-tiny%40100/probes/1", 404, "no probe of layer 1 of checkpoint 'bloom-tiny@100'");

            // experts: the listing with the overlaps recomputed from the expert sets, and one ranking
            JsonNode listing = awaitJson(hostA, cp0 + "/experts", n -> n.has("concepts"));
            assertEquals(K, listing.get("k").asInt());
            assertEquals(List.of("food", "greeting", "travel"), textsOf(listing.get("concepts"), "concept"));
            List<String> sortedLangs = new LinkedHashSet<>(langs).stream().sorted().toList();
            assertEquals(sortedLangs, JSON.convertValue(listing.get("languages"), List.class));
            double sum = 0;
            for (JsonNode c : listing.get("concepts")) {
                double expected = meanPairJaccard(found, c.get("concept").asText());
                assertEquals(expected, c.get("meanJaccard").asDouble(), 1e-12, c.get("concept").asText());
                assertEquals(sortedLangs, JSON.convertValue(c.get("languages"), List.class));
                sum += expected;
            }
            double meanJaccard = sum / TOPICS.size();
            assertEquals(meanJaccard, listing.get("meanJaccard").asDouble(), 1e-12);
            assertTrue(meanJaccard > 0 && meanJaccard < 1, "a real overlap: " + meanJaccard);
            JsonNode ranking = QueryServiceTest.json(hostB, cp0 + "/experts?concept=food&lang=zh");
            ExpertNeurons.Ranking zhFood = found.concepts().get("food").get("zh");
            assertEquals(K, ranking.get("experts").size());
            for (int i = 0; i < K; i++) {
                assertEquals(zhFood.experts().get(i).neuron(), ranking.get("experts").get(i).get("neuron").asInt());
                assertEquals(zhFood.experts().get(i).ap(), ranking.get("experts").get(i).get("ap").asDouble());
            }
            assertEquals(zhFood.positives(), ranking.get("positives").asInt());
            assertEquals(sortedLangs.size() - 1, ranking.get("overlaps").size());
            assertError(hostA, cp0 + "/experts?concept=food", 400, "'concept' and 'lang' go together");
            assertError(hostA, cp0 + "/experts?concept=sports&lang=zh", 404, "has no expert ranking of concept 'sports' in language 'zh'");
            assertError(hostB, "/checkpoints/nope%401/experts", 404, "unknown checkpoint 'nope@1'");
            assertError(hostA, "/checkpoints/nope%401/probes", 404, "unknown checkpoint 'nope@1'");
            assertError(hostA, "/checkpoints/bloom-tiny%40100/experts", 404, "not published yet");

            // the trend: CP0's best layer and mean Jaccard; CP1 has neither (a layer without probe, no experts)
            JsonNode trend = QueryServiceTest.json(hostA, "/models/bloom-tiny/trend").get("checkpoints");
            assertEquals(CP0, trend.get(0).get("checkpointId").asText());
            assertEquals(p0.get("best"), trend.get(0).get("probeBest"));
            assertEquals(meanJaccard, trend.get(0).get("expertMeanJaccard").asDouble(), 1e-12);
            assertTrue(trend.get(1).get("probeBest").isNull());
            assertTrue(trend.get(1).get("expertMeanJaccard").isNull());
            // CP1's last probe arrives: the trend shows it (an absent summary is not kept)
            producer.send(new ProducerRecord<>(probesTopic, StoreKeys.layer(CP1, 1),
                    ProbeLayer.newBuilder(probes.get(1)).setCheckpointId(CP1).build()));
            producer.flush();
            JsonNode later = awaitJson(hostB, "/models/bloom-tiny/trend", n -> !n.get("checkpoints").get(1).get("probeBest").isNull());
            assertEquals(p0.get("best"), later.get("checkpoints").get(1).get("probeBest"), "the same probes, the same best layer");

            for (String call : List.of(cp0 + "/probes", cp0 + "/probes/2", cp0 + "/experts", cp0 + "/experts?concept=travel&lang=en",
                    "/checkpoints/bloom-tiny%40100/probes", "/models/bloom-tiny/trend")) {
                HttpResponse<String> ra = QueryServiceTest.call(hostA, call);
                HttpResponse<String> rb = QueryServiceTest.call(hostB, call);
                assertEquals(200, ra.statusCode(), call + ": " + ra.body());
                assertEquals(ra.body(), rb.body(), call + " answered differently by the two instances");
            }
            assertInstrumentsOffAnswer404(kafka, registry, settings, dir.resolve("off"));
        }
    }

    /** An application whose topology has no instrument store answers the instrument routes 404 (once RUNNING). */
    private static void assertInstrumentsOffAnswer404(TestKafka kafka, TestRegistry registry, StreamsSettings settings, Path state)
            throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        Plans.addGlobalStore(builder, settings);
        HostInfo host = new HostInfo("127.0.0.1", TestRegistry.freePort());
        String prefix = "instr-off-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        try (KafkaStreams off = new KafkaStreams(builder.build(), QueryServiceTest.props(kafka, registry, prefix, state, host));
             QueryService q = new QueryService(off, host, SHARED)) {
            q.start();
            off.start();
            QueryServiceTest.awaitRunning(off);
            for (String path : List.of("/checkpoints/bloom-tiny%400/probes", "/checkpoints/bloom-tiny%400/probes/0",
                    "/checkpoints/bloom-tiny%400/experts", "/checkpoints/bloom-tiny%400/experts?concept=food&lang=zh")) {
                assertError(host, path, 404, "instruments are off in this deployment");
            }
        }
    }

    /** The streams application, instruments off, plus the instruments' two results stores filled from test topics. */
    private static org.apache.kafka.streams.Topology topology(StreamsSettings settings, String probesTopic, String expertsTopic) {
        StreamsBuilder builder = new StreamsBuilder();
        LinguaflowTopology.addTo(builder, settings);
        store(builder, settings, probesTopic, InstrumentTopology.PROBES_STORE, ProbeLayer.class, (key, p) -> key);
        store(builder, settings, expertsTopic, InstrumentTopology.EXPERTS_STORE, ExpertRanking.class,
                (key, r) -> Keys.expertRanking(r.getCheckpointId(), r.getConcept(), r.getLang()));
        return builder.build();
    }

    private static <V extends SpecificRecord> void store(StreamsBuilder builder, StreamsSettings settings, String topic, String store,
                                                         Class<V> type, BiFunction<String, V, String> storeKey) {
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(store), Serdes.String(), settings.valueSerde(type)));
        builder.stream(topic, Consumed.with(Serdes.String(), settings.valueSerde(type))).process(() -> new ContextualProcessor<String, V, Void, Void>() {
            @Override
            public void process(Record<String, V> record) {
                KeyValueStore<String, V> s = context().getStateStore(store);
                s.put(storeKey.apply(record.key(), record.value()), record.value());
            }
        }, Named.as("test-" + store), store);
    }

    /** LanguageProbe on one token per sample (its layer vector), as the instruments would publish it. */
    private static ProbeLayer probe(Fixture fixture, List<String> langs, int layer) {
        float[][] features = new float[fixture.samples()][];
        int[] sentences = new int[fixture.samples()];
        for (int i = 0; i < fixture.samples(); i++) {
            features[i] = floats(fixture.slice(i, layer));
            sentences[i] = i;
        }
        LanguageProbe.Options o = LanguageProbe.Options.DEFAULTS;
        LanguageProbe.LayerResult r = LanguageProbe.crossValidate(layer, new LanguageProbe.Tokens(features, langs, sentences), o,
                "fixture layer " + layer);
        List<ProbeFold> folds = r.folds().stream().map(f -> new ProbeFold(f.seed(), f.fold(), f.trainTokens(), f.testTokens(), f.accuracy()))
                .toList();
        return ProbeLayer.newBuilder().setCheckpointId("").setLayer(layer).setLayers(fixture.layers).setSource("block_output")
                .setWidth(fixture.neurons).setSentences(fixture.samples()).setTokens(fixture.samples())
                .setLanguages(new ArrayList<>(new LinkedHashSet<>(langs))).setFolds(o.folds()).setSeeds(o.seeds()).setEpochs(o.epochs())
                .setLearningRate(o.learningRate()).setStandardise(o.standardise()).setAccuracyMean(r.accuracyMean())
                .setAccuracyStd(r.accuracyStd()).setFoldResults(folds).setComputedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    /** One record per (concept, language), with the overlaps with each other language of the concept. */
    private static List<ExpertRanking> rankings(String cp, ExpertNeurons.Result found) {
        List<ExpertRanking> out = new ArrayList<>();
        found.concepts().forEach((concept, byLang) -> byLang.forEach((lang, r) -> {
            List<ExpertOverlap> overlaps = new ArrayList<>();
            for (ExpertNeurons.Overlap o : found.overlaps().get(concept)) {
                if (o.a().equals(lang) || o.b().equals(lang)) {
                    overlaps.add(new ExpertOverlap(o.a().equals(lang) ? o.b() : o.a(), o.shared(), o.sharedOverK(), o.jaccard()));
                }
            }
            out.add(ExpertRanking.newBuilder().setCheckpointId(cp).setConcept(concept).setLang(lang).setK(found.k())
                    .setPositives(r.positives()).setNegatives(r.negatives())
                    .setExperts(r.experts().stream().map(x -> new Expert(x.neuron(), x.ap())).toList()).setOverlaps(overlaps)
                    .setComputedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build());
        }));
        return out;
    }

    /** Brute force: the mean over language pairs of |A∩B|/|A∪B| of the concept's expert sets. */
    private static double meanPairJaccard(ExpertNeurons.Result found, String concept) {
        List<Set<Integer>> sets = new ArrayList<>();
        found.concepts().get(concept).values().forEach(r -> {
            Set<Integer> s = new HashSet<>();
            r.experts().forEach(x -> s.add(x.neuron()));
            sets.add(s);
        });
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < sets.size(); i++) {
            for (int j = i + 1; j < sets.size(); j++) {
                Set<Integer> both = new HashSet<>(sets.get(i));
                both.retainAll(sets.get(j));
                Set<Integer> either = new HashSet<>(sets.get(i));
                either.addAll(sets.get(j));
                sum += (double) both.size() / either.size();
                pairs++;
            }
        }
        return sum / pairs;
    }

    private static float[] floats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    private static List<Integer> layersOf(JsonNode probes) {
        List<Integer> out = new ArrayList<>();
        probes.get("probes").forEach(p -> out.add(p.get("layer").asInt()));
        return out;
    }

    private static List<String> textsOf(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    /** Polls until the answer satisfies {@code done} (503 during rebalances, 404 before the results, are retried), up to 90 s. */
    private static JsonNode awaitJson(HostInfo host, String path, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            HttpResponse<String> r = QueryServiceTest.call(host, path);
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

    private static void assertError(HostInfo host, String path, int status, String message) throws Exception {
        HttpResponse<String> r = QueryServiceTest.call(host, path);
        assertEquals(status, r.statusCode(), path + ": " + r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(status, body.get("status").asInt());
        assertTrue(body.get("error").asText().contains(message), path + ": " + body);
    }
}
