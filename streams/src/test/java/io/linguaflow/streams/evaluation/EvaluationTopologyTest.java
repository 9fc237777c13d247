package io.linguaflow.streams.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.AblationRequest;
import io.linguaflow.schemas.avro.AblationResult;
import io.linguaflow.schemas.avro.AblationTable;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.EvalRequest;
import io.linguaflow.schemas.avro.EvalResult;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.config.EvaluationSettings;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.testkit.Drivers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation topology alone: requests issued once the key regions are final, the table assembled, results collected. */
class EvaluationTopologyTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<String> LANGS = List.of("en", "zh");

    private static CheckpointPlan plan(String cp) {
        return CheckpointPlan.newBuilder().setCheckpointId(cp).setModel("m").setStep(10L).setContentHash("h").setCorpus("analysis")
                .setLanguages(LANGS).setSamplesExpected(4).setLayers(2).setCheckpointPath("/ckpt/" + cp).setThreshold(2.0)
                .setLfCompat(false).setBatches(1).setPlannedAt(T).build();
    }

    private static KeyRegion region(String cp, String lang, List<Integer> neurons, boolean complete) {
        return KeyRegion.newBuilder().setCheckpointId(cp).setLang(lang).setThreshold(2.0).setLayers(2).setNeuronsPerLayer(50)
                .setNeurons(neurons).setPerLayerCounts(List.of(neurons.size(), 0)).setComplete(complete).setComputedAt(T).build();
    }

    private static AblationResult result(String requestId, String cp, Map<String, Double> baseline) {
        return AblationResult.newBuilder().setRequestId(requestId).setCheckpointId(cp).setBaseline(baseline)
                .setAblated(Map.of("en", Map.of("en", 15.0, "zh", 21.0), "zh", Map.of("en", 10.5, "zh", 40.0)))
                .setRandomBaseline(Map.of("en", Map.of("en", 10.1, "zh", 20.2), "zh", Map.of("en", 9.9, "zh", 20.0)))
                .setPredictedTokens(Map.of()).setComputedAt(T).build();
    }

    private final StreamsSettings settings = Drivers.settings().withEvaluations(EvaluationSettings.off().withEvalCorpus("xlsum")
            .withRandomSeed(9).withStoryCloze(List.of("en", "zh"), 20, true));

    @Test
    void finalRegionsIssueTheRequestsOnceAndTheResultBecomesTheTable(@TempDir Path state) {
        try (TopologyTestDriver driver = new TopologyTestDriver(EvaluationTopology.build(settings), Drivers.props(state))) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput("cp1", plan("cp1"));
            TestInputTopic<String, KeyRegion> regions = Drivers.input(driver, settings.topic(Topic.KEY_REGIONS), KeyRegion.class);
            var ablations = Drivers.output(driver, settings.topic(Topic.ABLATION_REQUESTS), AblationRequest.class);
            var evals = Drivers.output(driver, settings.topic(Topic.EVAL_REQUESTS), EvalRequest.class);

            regions.pipeInput(Keys.keyRegion("cp1", "en"), region("cp1", "en", List.of(1, 2, 60, 99, 7), true));
            regions.pipeInput(Keys.keyRegion("cp1", "zh"), region("cp1", "zh", List.of(3), false)); // interim: not final
            assertTrue(ablations.isEmpty() && evals.isEmpty(), "zh has no final region yet");
            regions.pipeInput(Keys.keyRegion("cp1", "zh"), region("cp1", "zh", List.of(3, 4, 5), true));

            List<AblationRequest> issued = ablations.readValuesToList();
            assertEquals(1, issued.size());
            AblationRequest a = issued.get(0);
            assertEquals("table1-cp1", a.getRequestId());
            assertEquals("/ckpt/cp1", a.getCheckpointPath());
            assertEquals("xlsum", a.getCorpus());
            assertEquals(9L, a.getRandomBaselineSeed());
            assertEquals(Map.of("en", List.of(1, 2, 60, 99, 7), "zh", List.of(3, 4, 5)), a.getSets());

            Map<String, EvalRequest> e = evals.readValuesToList().stream().collect(Collectors.toMap(EvalRequest::getRequestId, r -> r));
            assertEquals(6, e.size(), "2 variants x (full model + 2 regions): " + e.keySet());
            EvalRequest crossZh = e.get("xstorycloze-cross-lingual-zh-cp1");
            assertTrue(crossZh.getCrossLingual());
            assertEquals("zh", crossZh.getRegion());
            assertEquals(List.of(3, 4, 5), crossZh.getAblate());
            assertEquals(LANGS, crossZh.getLanguages());
            assertEquals(20, crossZh.getLimit());
            EvalRequest monoFull = e.get("xstorycloze-monolingual-full-cp1");
            assertFalse(monoFull.getCrossLingual());
            assertNull(monoFull.getRegion());
            assertTrue(monoFull.getAblate().isEmpty());

            regions.pipeInput(Keys.keyRegion("cp1", "zh"), region("cp1", "zh", List.of(3, 4, 5), true)); // replayed
            assertTrue(ablations.isEmpty() && evals.isEmpty(), "issued once per checkpoint");

            TestInputTopic<String, AblationResult> results = Drivers.input(driver, settings.topic(Topic.ABLATION_RESULTS), AblationResult.class);
            var tables = Drivers.output(driver, settings.topic(Topic.ABLATION_TABLES), AblationTable.class);
            results.pipeInput("manual-1", result("manual-1", "cp1", Map.of("en", 10.0, "zh", 20.0)));
            assertTrue(tables.isEmpty(), "a hand-made request's result makes no table");
            results.pipeInput("table1-cp1", result("table1-cp1", "cp1", Map.of("en", 10.0, "zh", 20.0, "fr", 3.0)));
            var out = tables.readKeyValuesToList();
            assertEquals(1, out.size());
            assertEquals("cp1", out.get(0).key);
            AblationTable t = out.get(0).value;
            assertEquals(LANGS, t.getLanguages());
            assertEquals(100, t.getTotalNeurons());
            assertEquals(Map.of("en", 5, "zh", 3), t.getKeyNeurons());
            assertEquals(5.0, t.getKeyNeuronsPct().get("en"), 1e-12);
            assertEquals(Map.of("en", 10.0, "zh", 20.0), t.getBaseline(), "languages without a region are not in the table");
            assertEquals(50.0, t.getIncreasePct().get("en").get("en"), 1e-12);
            assertEquals(100.0, t.getIncreasePct().get("zh").get("zh"), 1e-12);
            assertEquals(-1.0, t.getRandomIncreasePct().get("zh").get("en"), 1e-12);
            assertEquals(9L, t.getRandomSeed());
            assertEquals("xlsum", t.getEvalCorpus());
            KeyValueStore<String, AblationTable> store = driver.getKeyValueStore(EvaluationTopology.TABLES_STORE);
            assertEquals(t, store.get("cp1"));
        }
    }

    @Test
    void anEvaluationCorpusMissingALanguageIsADeadLetterNamingIt(@TempDir Path state) {
        try (TopologyTestDriver driver = new TopologyTestDriver(EvaluationTopology.build(settings), Drivers.props(state))) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput("cp2", plan("cp2"));
            TestInputTopic<String, KeyRegion> regions = Drivers.input(driver, settings.topic(Topic.KEY_REGIONS), KeyRegion.class);
            LANGS.forEach(l -> regions.pipeInput(Keys.keyRegion("cp2", l), region("cp2", l, List.of(1), true)));
            Drivers.input(driver, settings.topic(Topic.ABLATION_RESULTS), AblationResult.class)
                    .pipeInput("table1-cp2", result("table1-cp2", "cp2", Map.of("en", 10.0)));
            assertTrue(Drivers.output(driver, settings.topic(Topic.ABLATION_TABLES), AblationTable.class).isEmpty());
            List<DeadLetter> dead = Drivers.deadLetters(driver).readValuesToList();
            assertEquals(1, dead.size());
            String error = dead.get(0).getError();
            assertTrue(error.contains("table1-cp2") && error.contains("evaluation corpus 'xlsum' has no text in language 'zh'"), error);
        }
    }

    @Test
    void withoutAnEvaluationCorpusNoTableIsAskedForAndResultsStillJoin(@TempDir Path state) {
        StreamsSettings off = Drivers.settings();
        try (TopologyTestDriver driver = new TopologyTestDriver(EvaluationTopology.build(off), Drivers.props(state))) {
            Drivers.input(driver, off.plansTopic(), CheckpointPlan.class).pipeInput("cp3", plan("cp3"));
            TestInputTopic<String, KeyRegion> regions = Drivers.input(driver, off.topic(Topic.KEY_REGIONS), KeyRegion.class);
            LANGS.forEach(l -> regions.pipeInput(Keys.keyRegion("cp3", l), region("cp3", l, List.of(1), true)));
            assertTrue(Drivers.output(driver, off.topic(Topic.ABLATION_REQUESTS), AblationRequest.class).isEmpty());
            assertTrue(Drivers.output(driver, off.topic(Topic.EVAL_REQUESTS), EvalRequest.class).isEmpty());

            EvalResult r = EvalResult.newBuilder().setRequestId("hand-made").setCheckpointId("cp3").setTask("xstorycloze")
                    .setAccuracy(Map.of("en", 0.75)).setItems(Map.of("en", 20)).setCrossLingual(true).setRegion("zh").setComputedAt(T).build();
            Drivers.input(driver, off.topic(Topic.EVAL_RESULTS), EvalResult.class).pipeInput("hand-made", r);
            KeyValueStore<String, EvalResult> store = driver.getKeyValueStore(EvaluationTopology.EVALS_STORE);
            assertEquals(r, store.get("cp3|xstorycloze|cross-lingual|zh"));
        }
    }
}
