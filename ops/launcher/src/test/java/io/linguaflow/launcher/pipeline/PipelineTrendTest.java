package io.linguaflow.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5 item 5: the real training checkpoints ({@code fixtures/checkpoints/bloom-tiny-train/step-{0,50,200,800}}),
 * landed in order through the whole pipeline (real worker, real streams application, in-JVM broker, real registry),
 * give per-checkpoint metrics equal to {@code reference/step-N/reference.json} and a {@code /models/{m}/trend} equal to
 * {@code trend.json}; landing a checkpoint again does not analyse it again.
 */
class PipelineTrendTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOLERANCE = 1e-6;
    private static final long[] STEPS = {0, 50, 200, 800};
    /** fixtures/checkpoints/README.md: at step 0 one neuron's z lies within 7.3e-5 of the threshold. */
    private static final double STEP0_MARGIN = 7.3e-5;

    @Test
    void trainingCheckpointsLandedInOrderGiveTheReferenceTrend(@TempDir Path state) throws Exception {
        Path fixtures = SharedData.require(SharedData.fixtures().resolve("checkpoints"));
        landInOrderAndCompareWithTheReferences(fixtures, TestKafka.shared().bootstrapServers(), TestRegistry.shared().url(), state);
    }

    /**
     * The whole test on the given broker and registry: the in-JVM ones here, docker/compose.yaml's Kafka and Confluent
     * registry in {@code ComposePipelineDockerTest}.
     */
    static void landInOrderAndCompareWithTheReferences(Path fixtures, String bootstrapServers, String registryUrl, Path state)
            throws Exception {
        JsonNode trend = JSON.readTree(fixtures.resolve("trend.json").toFile());
        List<Path> dirs = new ArrayList<>();
        for (long s : STEPS) {
            dirs.add(fixtures.resolve("bloom-tiny-train/step-" + s));
        }
        Pipeline.Config config = new Pipeline.Config(bootstrapServers, registryUrl,
                "trend-" + UUID.randomUUID().toString().substring(0, 8) + ".", state, LocalServices.freePort(), 2,
                Duration.ofMinutes(3));
        PrintWriter log = new PrintWriter(System.out, true);
        long t0 = System.nanoTime();
        try (Pipeline pipeline = Pipeline.start(config)) {
            JsonNode report = PipelineReport.run(pipeline, fixtures.resolve("analysis-corpus.tsv"), dirs, 2.0, log);
            log.printf("4 checkpoints analysed in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            double worst = 0;
            for (int i = 0; i < STEPS.length; i++) {
                JsonNode entry = report.get("checkpoints").get(i);
                assertEquals(STEPS[i], entry.get("step").asLong());
                assertEquals("COMPLETE", entry.get("status").asText());
                JsonNode ref = JSON.readTree(fixtures.resolve("reference/step-" + STEPS[i] + "/reference.json").toFile()).get("analysis");
                JsonNode t = trend.get("checkpoints").get(i);
                assertEquals(STEPS[i], t.get("step").asLong());
                worst = Math.max(worst, assertMetrics(entry.get("metrics"), ref, t, "step " + STEPS[i]));
                assertKeyRegions(pipeline, entry, ref.get("key_neurons"), STEPS[i] == 0);
            }
            log.printf("largest LRDS/SADS deviation from the references: %.3g%n", worst);

            // landed again: the same checkpoint is not analysed a second time
            Pipeline.Landed again = pipeline.land(dirs.get(1), report.get("corpus").asText(), 2.0);
            String id50 = again.event().getCheckpointId();
            assertEquals(Stage.COMPLETE, again.stage());
            Thread.sleep(3000); // more than the interim interval: a second analysis would have published by now
            List<Stage> stages = pipeline.progressOf(id50);
            assertEquals(1, stages.stream().filter(s -> s == Stage.PLANNED).count(), stages.toString());
            assertEquals(1, stages.stream().filter(s -> s == Stage.COMPLETE).count(), stages.toString());
            assertEquals(Stage.COMPLETE, stages.get(stages.size() - 1), stages.toString());

            // the same weights under another name (another checkpoint id): skipped as a duplicate, not analysed
            Path copy = Files.createDirectories(state.resolve("copies/bloom-tiny-copy/step-50"));
            try (var files = Files.list(dirs.get(1))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
            Pipeline.Landed renamed = pipeline.land(copy, report.get("corpus").asText(), 2.0);
            assertEquals("bloom-tiny-copy@50", renamed.event().getCheckpointId());
            assertEquals(Stage.SKIPPED_DUPLICATE, renamed.stage());
            JsonNode skipped = PipelineReport.entry(pipeline, renamed);
            assertEquals("SKIPPED_DUPLICATE", skipped.get("status").asText());
            assertTrue(skipped.get("metrics") == null, skipped.toString());

            // the trend endpoint, ordered by step
            JsonNode served = pipeline.get("/models/" + Pipeline.enc(again.event().getModel()) + "/trend").get("checkpoints");
            assertEquals(STEPS.length, served.size());
            for (int i = 0; i < STEPS.length; i++) {
                JsonNode p = served.get(i);
                JsonNode t = trend.get("checkpoints").get(i);
                assertEquals(STEPS[i], p.get("step").asLong());
                assertTrue(p.get("complete").asBoolean());
                assertEquals(t.get("lrds").asDouble(), p.get("lrds").asDouble(), TOLERANCE, "trend lrds step " + STEPS[i]);
                assertEquals(t.get("sads").asDouble(), p.get("sads").asDouble(), TOLERANCE, "trend sads step " + STEPS[i]);
            }
        }
        log.printf("whole test (pipeline start to stop) %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** LRDS/SADS whole and per layer against reference.json and trend.json; returns the largest deviation. */
    static double assertMetrics(JsonNode m, JsonNode ref, JsonNode trend, String what) {
        double worst = 0;
        assertEquals(540, m.get("n_samples").asInt(), what);
        for (String f : List.of("lrds", "sads")) {
            worst = Math.max(worst, close(ref.get("overall").get(f).asDouble(), m.get(f).asDouble(), what + " " + f));
            worst = Math.max(worst, close(trend.get(f).asDouble(), m.get(f).asDouble(), what + " trend " + f));
            for (int l = 0; l < m.get("layers").asInt(); l++) {
                double got = m.get("per_layer").get(f).get(l).asDouble();
                worst = Math.max(worst, close(ref.get("per_layer").get(l).get(f).asDouble(), got, what + " layer " + l + " " + f));
                worst = Math.max(worst, close(trend.get("per_layer").get(l).get(f).asDouble(), got, what + " trend layer " + l + " " + f));
            }
        }
        return worst;
    }

    private static double close(double expected, double actual, String what) {
        assertEquals(expected, actual, TOLERANCE, what);
        return Math.abs(expected - actual);
    }

    /**
     * Key regions equal to the reference's; at step 0 one neuron may differ in one language, and only one whose z the
     * REST API serves within {@link #STEP0_MARGIN} of the threshold (float32 activations vs. the reference's).
     */
    static void assertKeyRegions(Pipeline pipeline, JsonNode entry, JsonNode ref, boolean step0) throws Exception {
        String id = entry.get("checkpoint_id").asText();
        double threshold = ref.get("threshold").asDouble();
        List<String> differing = new ArrayList<>();
        ref.get("indices").properties().forEach(e -> {
            Set<Integer> want = ints(e.getValue());
            Set<Integer> got = ints(entry.get("key_regions").get(e.getKey()));
            Set<Integer> diff = new TreeSet<>(want);
            diff.addAll(got);
            Set<Integer> both = new HashSet<>(want);
            both.retainAll(got);
            diff.removeAll(both);
            diff.forEach(k -> differing.add(e.getKey() + ":" + k));
            int refCount = ref.get("counts").get(e.getKey()).asInt();
            assertEquals(got.size(), entry.get("metrics").get("key_neuron_counts").get(e.getKey()).asInt(), id + " " + e.getKey());
            assertEquals(want.size(), refCount);
        });
        if (!step0 || differing.isEmpty()) {
            assertEquals(List.of(), differing, id + ": key neurons differing from the reference");
            for (String lang : iterable(ref.get("counts_per_layer").fieldNames())) {
                assertEquals(ref.get("counts_per_layer").get(lang), entry.get("metrics").get("key_neurons_per_layer").get(lang), id + " " + lang);
            }
            return;
        }
        assertEquals(1, differing.size(), id + ": only the one documented borderline neuron may differ, got " + differing);
        String[] langNeuron = differing.get(0).split(":");
        JsonNode neuron = pipeline.get("/checkpoints/" + Pipeline.enc(id) + "/neurons/" + langNeuron[1]);
        double z = Double.NaN;
        for (JsonNode l : neuron.get("languages")) {
            if (l.get("lang").asText().equals(langNeuron[0])) {
                z = l.get("z").asDouble();
            }
        }
        System.out.printf("%s: neuron %s differs from the reference, served z - threshold = %.3g%n", id, differing.get(0), z - threshold);
        assertTrue(Math.abs(z - threshold) < STEP0_MARGIN, differing.get(0) + " z=" + z + " is not within " + STEP0_MARGIN + " of the threshold");
    }

    private static Set<Integer> ints(JsonNode array) {
        Set<Integer> s = new HashSet<>();
        array.forEach(n -> s.add(n.asInt()));
        return s;
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }
}
