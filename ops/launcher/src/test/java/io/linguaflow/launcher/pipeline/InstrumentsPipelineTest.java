package io.linguaflow.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.cli.ExpertsCommand;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.probes.LanguageProbe;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.producers.corpus.CorpusOptions;
import io.linguaflow.producers.corpus.CorpusResult;
import io.linguaflow.producers.corpus.LabelColumn;
import io.linguaflow.producers.corpus.TsvCorpusReader;
import io.linguaflow.producers.kafka.TopicReader;
import io.linguaflow.schemas.KafkaEnvironment;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.config.InstrumentSettings;
import io.linguaflow.worker.cli.ProbeCommand;
import io.linguaflow.worker.runtime.Capture;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 11 part 5 end to end: two of the reference kit's training checkpoints of bloom-tiny
 * ({@code fixtures/checkpoints/bloom-tiny-train/step-{0,800}}) through the whole pipeline (in-JVM broker, real registry,
 * real worker capturing as {@code worker --emit-maxima --emit-token-sample 4}, real streams application with its
 * instruments) on a corpus with a concept column published by the producer with {@code --labels-column topic}. The REST
 * API then serves, per checkpoint, probes equal to the batch {@code linguaflow probe} on the same model and corpus (its
 * own forward pass and token sample) and experts equal to the batch {@code linguaflow experts} on the worker's max
 * vectors (read back from the activations topic: a forward pass in other batches rounds the maxima differently, which
 * moves APs in the 4th digit); the neuron-type changes between the two checkpoints; and a trend whose instrument fields
 * are those answers.
 */
class InstrumentsPipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The training module's bundled corpus (id, lang, topic, text: 120 meanings x 9 languages, 10 topics). */
    private static final Path EVERYDAY9 = Path.of("../../training/src/main/resources/io/linguaflow/training/corpus/everyday9.tsv");
    private static final List<String> LANGUAGES = List.of("en", "zh", "ar");
    private static final long[] STEPS = {0, 800};
    private static final int TOP_K = 50;

    @Test
    void probesExpertsAndTypeChangesOfTwoCheckpointsEqualTheBatchCommands(@TempDir Path tmp) throws Exception {
        Path checkpoints = SharedData.require(SharedData.fixtures().resolve("checkpoints"));
        Path corpus = subset(tmp.resolve("everyday3.tsv"));
        Pipeline.Config config = new Pipeline.Config(TestKafka.shared().bootstrapServers(), TestRegistry.shared().url(),
                "instr-" + UUID.randomUUID().toString().substring(0, 8) + ".", tmp.resolve("state"), LocalServices.freePort(), 2,
                Duration.ofMinutes(5));
        Capture capture = Capture.NONE.withMaxima(true).withTokens(4, 1, Capture.TokenSource.BLOCK_OUTPUT);
        long t0 = System.nanoTime();
        try (Pipeline pipeline = Pipeline.start(config, s -> s.withInstruments(new InstrumentSettings(true, TOP_K)), Map.of(), capture)) {
            CorpusResult read = new TsvCorpusReader(corpus, new LabelColumn("topic", null)).read(CorpusOptions.defaults());
            assertTrue(read.rejected().isEmpty(), read.rejected().toString());
            pipeline.publishCorpus(read);
            List<String> langs = read.sentences().stream().map(s -> s.getLang()).toList();
            List<String> ids = new ArrayList<>();
            for (long step : STEPS) {
                Pipeline.Landed landed = pipeline.land(checkpoints.resolve("bloom-tiny-train/step-" + step), read.corpus(), 2.0);
                assertEquals(Stage.COMPLETE, landed.stage());
                ids.add(landed.event().getCheckpointId());
            }
            System.out.printf("2 checkpoints analysed in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            List<JsonNode> bestLayers = new ArrayList<>();
            List<Double> meanJaccards = new ArrayList<>();
            for (int c = 0; c < STEPS.length; c++) {
                String cp = "/checkpoints/" + Pipeline.enc(ids.get(c));
                Path model = checkpoints.resolve("bloom-tiny-train/step-" + STEPS[c]);
                Path batch = Files.createDirectories(tmp.resolve("batch-" + STEPS[c]));

                JsonNode probes = await(pipeline, cp + "/probes", n -> n.get("complete").asBoolean());
                WorkerCapture worker = WorkerCapture.read(config, pipeline, ids.get(c), read.sentences().size());
                assertProbesEqual(worker, langs, probes, ids.get(c));
                assertEquals(0, run(new ProbeCommand(), "--model", model.toString(), "--corpus", corpus.toString(),
                        "--out", batch.resolve("probe.json").toString(), "--threads", "1", "--tokens-per-sentence", "4", "--token-seed", "1"));
                assertProbesClose(JSON.readTree(batch.resolve("probe.json").toFile()), probes, ids.get(c));
                bestLayers.add(probes.get("best"));

                JsonNode listing = await(pipeline, cp + "/experts", n -> n.has("concepts"));
                Path maxVectors = worker.writeMaxVectors(batch.resolve("max_vectors.npy"));
                assertEquals(0, run(new ExpertsCommand(), "--max-vectors", maxVectors.toString(),
                        "--corpus", corpus.toString(), "--labels-column", "topic", "--top-k", Integer.toString(TOP_K),
                        "--out", batch.resolve("experts.json").toString()));
                meanJaccards.add(assertExpertsEqual(pipeline, cp, JSON.readTree(batch.resolve("experts.json").toFile()), listing));
            }

            // the neuron types moved between the two checkpoints; the changes route compares their published records
            JsonNode from = pipeline.get("/checkpoints/" + Pipeline.enc(ids.get(0)) + "/neuron-types");
            JsonNode to = pipeline.get("/checkpoints/" + Pipeline.enc(ids.get(1)) + "/neuron-types");
            JsonNode changes = pipeline.get("/checkpoints/" + Pipeline.enc(ids.get(1)) + "/neuron-types/changes?from="
                    + Pipeline.enc(ids.get(0)));
            assertEquals(ids.get(0), changes.get("from").asText());
            assertEquals(generalCount(to) - generalCount(from), sum(changes.at("/types/general/deltaPerLayer")));
            assertEquals(generalCount(to), changes.at("/types/general/overlap/size").asInt());
            assertEquals(generalCount(from), changes.at("/types/general/overlap/fromSize").asInt());

            // the trend: each checkpoint's best probe layer and mean expert Jaccard, as the routes answer them
            JsonNode trend = pipeline.get("/models/" + Pipeline.enc("bloom-tiny-train") + "/trend").get("checkpoints");
            assertEquals(2, trend.size());
            for (int c = 0; c < STEPS.length; c++) {
                JsonNode p = trend.get(c);
                assertEquals(ids.get(c), p.get("checkpointId").asText());
                assertFalse(p.get("probeBest").isNull(), p.toString());
                assertEquals(bestLayers.get(c), p.get("probeBest"));
                assertEquals(meanJaccards.get(c), p.get("expertMeanJaccard").asDouble(), 1e-12);
            }
            assertEquals(ids.get(0), trend.get(1).at("/neuronTypeChanges/from").asText());
            System.out.printf("best probe layers %s, mean expert Jaccard %s; whole test %.1f s%n", bestLayers, meanJaccards,
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * What the worker published for one checkpoint (committed activation records), per sample in corpus order: the
     * maxima [M*D] and, per layer, the sampled tokens' vectors [P*W] (positions ascending).
     */
    private record WorkerCapture(float[][] maxima, float[][][] tokens, int width) {

        static WorkerCapture read(Pipeline.Config config, Pipeline pipeline, String cp, int samples) {
            KafkaEnvironment env = new KafkaEnvironment(config.bootstrapServers(), config.registryUrl(), pipeline.topics());
            AvroDeserializer<ActivationRecord> values = new AvroDeserializer<>(ActivationRecord.class);
            values.configure(env.clientConfig(), false);
            float[][] maxima = new float[samples][];
            List<float[][]> tokens = new ArrayList<>();
            int[] width = new int[1];
            TopicReader.readToEnd(env.clientConfig(), pipeline.topics().name(Topic.ACTIVATIONS), Duration.ofMinutes(1), r -> {
                ActivationRecord a = values.deserialize(r.topic(), r.value());
                if (!a.getCheckpointId().equals(cp)) {
                    return;
                }
                int d = a.getNeuronsPerLayer();
                if (maxima[a.getIndex()] == null) {
                    maxima[a.getIndex()] = new float[a.getLayers() * d];
                }
                a.getMaxValues().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(maxima[a.getIndex()], a.getLayer() * d, d);
                while (tokens.size() < a.getLayers()) {
                    tokens.add(new float[samples][]);
                }
                FloatBuffer v = a.getSampledTokenVectors().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                float[] vectors = new float[v.remaining()];
                v.get(vectors);
                tokens.get(a.getLayer())[a.getIndex()] = vectors;
                width[0] = vectors.length / (a.getSampledTokenPositions().remaining() / 4);
            });
            return new WorkerCapture(maxima, tokens.toArray(new float[0][][]), width[0]);
        }

        /** The maxima as {@code linguaflow extract} writes max_vectors.npy: float32 [N, M*D] in corpus order. */
        Path writeMaxVectors(Path out) throws IOException {
            int w = maxima[0].length;
            float[] flat = new float[maxima.length * w];
            for (int i = 0; i < maxima.length; i++) {
                System.arraycopy(maxima[i], 0, flat, i * w, w);
            }
            Npy.writeFloat32(out, new long[] {maxima.length, w}, flat);
            return out;
        }

        /** A layer's tokens as {@code linguaflow probe} assembles its own: sentences in corpus order, positions ascending. */
        LanguageProbe.Tokens probeTokens(int layer, List<String> langs) {
            List<float[]> features = new ArrayList<>();
            List<String> tokenLangs = new ArrayList<>();
            List<Integer> sentences = new ArrayList<>();
            for (int i = 0; i < langs.size(); i++) {
                float[] v = tokens[layer][i];
                for (int p = 0; p < v.length / width; p++) {
                    features.add(Arrays.copyOfRange(v, p * width, (p + 1) * width));
                    tokenLangs.add(langs.get(i));
                    sentences.add(i);
                }
            }
            return new LanguageProbe.Tokens(features.toArray(new float[0][]), tokenLangs,
                    sentences.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /** The header and the rows of {@link #LANGUAGES} of the bundled corpus: 360 rows. */
    private static Path subset(Path out) throws IOException {
        List<String> lines = Files.readAllLines(EVERYDAY9);
        StringBuilder b = new StringBuilder(lines.get(0)).append('\n');
        for (String l : lines.subList(1, lines.size())) {
            if (LANGUAGES.contains(l.split("\t")[1])) {
                b.append(l).append('\n');
            }
        }
        return Files.writeString(out, b);
    }

    /**
     * Every layer's probe equals {@link LanguageProbe#crossValidate} with the batch command's options on the worker's own
     * sampled tokens, assembled as {@code linguaflow probe} assembles its tokens: the same folds and SGD order, so the
     * same accuracies to the last bit.
     */
    private static void assertProbesEqual(WorkerCapture worker, List<String> langs, JsonNode served, String cp) {
        assertEquals(worker.tokens().length, served.get("layers").asInt(), cp);
        assertEquals(worker.tokens().length, served.get("probes").size(), cp);
        for (int l = 0; l < worker.tokens().length; l++) {
            LanguageProbe.Tokens tokens = worker.probeTokens(l, langs);
            LanguageProbe.LayerResult b = LanguageProbe.crossValidate(l, tokens, LanguageProbe.Options.DEFAULTS, cp + " layer " + l);
            JsonNode s = served.get("probes").get(l);
            String what = cp + " layer " + l;
            assertEquals(l, s.get("layer").asInt(), what);
            assertEquals(tokens.languages().size(), s.get("tokens").asInt(), what);
            assertEquals(langs.size(), s.get("sentences").asInt(), what);
            assertEquals(b.accuracyMean(), s.get("accuracyMean").asDouble(), 1e-15, what);
            assertEquals(b.accuracyStd(), s.get("accuracyStd").asDouble(), 1e-15, what);
            assertEquals(b.folds().size(), s.get("foldResults").size(), what);
            for (int f = 0; f < b.folds().size(); f++) {
                LanguageProbe.Fold bf = b.folds().get(f);
                JsonNode sf = s.get("foldResults").get(f);
                assertEquals(bf.seed(), sf.get("seed").asLong(), what);
                assertEquals(bf.fold(), sf.get("fold").asInt(), what);
                assertEquals(bf.trainTokens(), sf.get("trainTokens").asInt(), what);
                assertEquals(bf.testTokens(), sf.get("testTokens").asInt(), what);
                assertEquals(bf.accuracy(), sf.get("accuracy").asDouble(), 1e-15, what + " fold " + f);
            }
        }
    }

    /**
     * The batch {@code linguaflow probe} on the same model and corpus runs its own forward pass in other batches: the
     * same tokens (the sample is seeded per sentence) with vectors rounded differently, so its accuracies may differ from
     * the served ones by a few tokens' worth, not more.
     */
    private static void assertProbesClose(JsonNode batch, JsonNode served, String cp) {
        assertEquals(batch.get("layers").size(), served.get("probes").size(), cp);
        for (int l = 0; l < batch.get("layers").size(); l++) {
            JsonNode b = batch.get("layers").get(l);
            JsonNode s = served.get("probes").get(l);
            String what = cp + " layer " + l + " against linguaflow probe";
            assertEquals(batch.get("tokens").asInt(), s.get("tokens").asInt(), what);
            assertEquals(b.get("accuracy_mean").asDouble(), s.get("accuracyMean").asDouble(), 0.005, what);
            System.out.printf("%s: served %.6f, batch %.6f%n", what, s.get("accuracyMean").asDouble(), b.get("accuracy_mean").asDouble());
        }
    }

    /**
     * Every (concept, language) ranking served equals the batch's (experts, AP, positives, negatives, overlaps), and the
     * listing names exactly the batch's concepts; returns the served mean Jaccard, checked against the batch's pairs.
     */
    private static double assertExpertsEqual(Pipeline pipeline, String cp, JsonNode batch, JsonNode listing) throws Exception {
        assertEquals(TOP_K, listing.get("k").asInt());
        Set<String> servedConcepts = new HashSet<>();
        listing.get("concepts").forEach(c -> servedConcepts.add(c.get("concept").asText()));
        Set<String> batchConcepts = new HashSet<>();
        batch.get("concepts").fieldNames().forEachRemaining(batchConcepts::add);
        assertEquals(batchConcepts, servedConcepts, cp);
        double conceptSum = 0;
        for (String concept : batchConcepts) {
            JsonNode byLang = batch.get("concepts").get(concept);
            for (String lang : LANGUAGES) {
                JsonNode b = byLang.get(lang);
                JsonNode s = pipeline.get(cp + "/experts?concept=" + Pipeline.enc(concept) + "&lang=" + lang);
                String what = cp + " " + concept + "/" + lang;
                assertEquals(b.get("positives").asInt(), s.get("positives").asInt(), what);
                assertEquals(b.get("negatives").asInt(), s.get("negatives").asInt(), what);
                assertEquals(b.get("experts").size(), s.get("experts").size(), what);
                for (int i = 0; i < b.get("experts").size(); i++) {
                    assertEquals(b.get("experts").get(i).get(0).asInt(), s.get("experts").get(i).get("neuron").asInt(), what + " #" + i);
                    assertEquals(b.get("experts").get(i).get(1).asDouble(), s.get("experts").get(i).get("ap").asDouble(), 1e-12,
                            what + " #" + i);
                }
            }
            double pairSum = 0;
            int pairs = 0;
            for (var pair : (Iterable<Map.Entry<String, JsonNode>>) () -> batch.get("overlap").get(concept).fields()) {
                pairSum += pair.getValue().get("jaccard").asDouble();
                pairs++;
            }
            conceptSum += pairSum / pairs;
        }
        double mean = conceptSum / batchConcepts.size();
        assertEquals(mean, listing.get("meanJaccard").asDouble(), 1e-12, cp + " mean Jaccard of the batch's pairs");
        return listing.get("meanJaccard").asDouble();
    }

    private static int generalCount(JsonNode neuronTypes) {
        return neuronTypes.get("general").size();
    }

    private static int sum(JsonNode array) {
        int s = 0;
        for (JsonNode n : array) {
            s += n.asInt();
        }
        return s;
    }

    /** GET until the answer is there and satisfies {@code done} (404 before the instruments publish), up to 3 minutes. */
    private static JsonNode await(Pipeline pipeline, String path, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            try {
                JsonNode n = pipeline.get(path);
                if (done.test(n)) {
                    return n;
                }
            } catch (IOException e) {
                if (!e.getMessage().contains("answered 404") || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            assertTrue(System.nanoTime() < deadline, "timed out on " + path);
            Thread.sleep(500);
        }
    }

    private static int run(Object command, String... args) {
        return new CommandLine(command).execute(args);
    }
}
