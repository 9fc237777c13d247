package io.linguaflow.streams.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.linguaflow.analysis.batch.AnalysisResult;
import io.linguaflow.analysis.neurontypes.NeuronTypesResult;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.LayerMetrics;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.NeuronTypes;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.SampleRef;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.testkit.Drivers;
import io.linguaflow.streams.testkit.Fixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole application topology on the fixture: corpus and checkpoint in; the test answers each inference request
 * as the worker would (the fixture's activation records of the requested samples, shuffled, some twice); metrics, key
 * regions and neuron types out, compared with reference.json (HF + the authors' metric code) and the batch analysis.
 */
class LinguaflowTopologyTest {

    private static final String CP = "bloom-tiny@0";
    private static Fixture fixture;
    private final StreamsSettings settings = Drivers.settings();

    @BeforeAll
    static void load() {
        fixture = Fixture.load();
    }

    @Test
    void publishedResultsEqualTheReference(@TempDir Path state) {
        try (TopologyTestDriver driver = new TopologyTestDriver(LinguaflowTopology.build(settings), Drivers.props(state))) {
            TestInputTopic<String, Sentence> sentences = Drivers.input(driver, settings.topic(Topic.SENTENCES), Sentence.class);
            for (int i = 0; i < fixture.samples(); i++) {
                sentences.pipeInput(fixture.sentenceKey(i), fixture.sentence(i));
            }
            Drivers.input(driver, settings.topic(Topic.CHECKPOINTS), CheckpointEvent.class).pipeInput(CP, fixture.checkpoint(CP, "h0"));
            List<InferenceRequest> requests = Drivers.output(driver, settings.topic(Topic.INFERENCE_REQUESTS), InferenceRequest.class)
                    .readValuesToList();

            // the worker's answers: every requested (sample, layer), in random order; a fifth of them delivered twice
            List<ActivationRecord> answers = new ArrayList<>();
            for (InferenceRequest r : requests) {
                for (SampleRef s : r.getSamples()) {
                    for (int m = 0; m < fixture.layers; m++) {
                        answers.add(fixture.record(CP, fixture.index(s.getLang(), s.getMeaningId()), m));
                    }
                }
            }
            assertEquals(fixture.samples() * fixture.layers, answers.size());
            Collections.shuffle(answers, new Random(7));
            answers.addAll(answers.subList(0, answers.size() / 5));
            TestInputTopic<String, ActivationRecord> activations = Drivers.input(driver, settings.topic(Topic.ACTIVATIONS),
                    ActivationRecord.class);
            int half = answers.size() / 2;
            for (ActivationRecord a : answers.subList(0, half)) {
                activations.pipeInput(Keys.activation(CP, a.getLayer()), a);
            }
            driver.advanceWallClockTime(Drivers.INTERIM); // aggregators send interim partials
            driver.advanceWallClockTime(Drivers.INTERIM); // and the metrics topology its interim result
            List<Metrics> interim = Drivers.output(driver, settings.topic(Topic.METRICS), Metrics.class).readValuesToList();
            assertEquals(1, interim.size(), "one throttled interim result");
            assertFalse(interim.get(0).getComplete());
            assertEquals(Stage.AGGREGATING, Drivers.output(driver, settings.topic(Topic.PROGRESS), Progress.class)
                    .readValuesToList().stream().reduce((a, b) -> b).orElseThrow().getStage());

            for (ActivationRecord a : answers.subList(half, answers.size())) {
                activations.pipeInput(Keys.activation(CP, a.getLayer()), a);
            }
            List<Metrics> metrics = Drivers.output(driver, settings.topic(Topic.METRICS), Metrics.class).readValuesToList();
            assertEquals(1, metrics.size(), "the final result once");
            assertMetrics(metrics.get(0));
            List<TestRecord<String, KeyRegion>> regions = Drivers.output(driver, settings.topic(Topic.KEY_REGIONS), KeyRegion.class)
                    .readRecordsToList();
            assertEquals(fixture.languages().size(), regions.size());
            for (TestRecord<String, KeyRegion> r : regions) {
                KeyRegion region = r.value();
                assertEquals(Keys.keyRegion(CP, region.getLang()), r.key());
                assertTrue(region.getComplete());
                assertEquals(fixture.referenceKeyNeurons(region.getLang()), region.getNeurons(), "key region of " + region.getLang());
                JsonNode perLayer = fixture.reference.at("/analysis/key_neurons/counts_per_layer/" + region.getLang());
                for (int m = 0; m < fixture.layers; m++) {
                    assertEquals(perLayer.get(m).asInt(), region.getPerLayerCounts().get(m));
                }
            }
            List<NeuronTypes> types = Drivers.output(driver, settings.topic(Topic.NEURON_TYPES), NeuronTypes.class).readValuesToList();
            assertEquals(1, types.size());
            assertNeuronTypes(types.get(0));
            List<Progress> progress = Drivers.output(driver, settings.topic(Topic.PROGRESS), Progress.class).readValuesToList();
            Progress last = progress.get(progress.size() - 1);
            assertEquals(Stage.COMPLETE, last.getStage());
            assertEquals(450L * fixture.layers, last.getLayerRecordsSeen());

            // re-delivered records after completion change nothing and publish nothing
            for (ActivationRecord a : answers.subList(0, 100)) {
                activations.pipeInput(Keys.activation(CP, a.getLayer()), a);
            }
            driver.advanceWallClockTime(Drivers.INTERIM.multipliedBy(3));
            assertTrue(Drivers.output(driver, settings.topic(Topic.METRICS), Metrics.class).isEmpty());
            assertTrue(Drivers.output(driver, settings.topic(Topic.KEY_REGIONS), KeyRegion.class).isEmpty());
        }
    }

    static void assertMetricsOf(Fixture f, Metrics m) {
        fixture = f;
        assertMetrics(m);
    }

    /** LRDS/SADS and the class means within 1e-6 of reference.json; key-neuron counts exact. */
    static void assertMetrics(Metrics m) {
        JsonNode a = fixture.reference.get("analysis");
        assertEquals(CP, m.getCheckpointId());
        assertEquals("bloom-tiny", m.getModel());
        assertTrue(m.getComplete());
        assertEquals(450, m.getSamplesSeen());
        assertEquals(450, m.getSamplesExpected());
        assertEquals(fixture.languages(), m.getLanguages());
        assertEquals(a.at("/overall/lrds").asDouble(), m.getLrds(), 1e-6);
        assertEquals(a.at("/overall/sads").asDouble(), m.getSads(), 1e-6);
        assertEquals(a.at("/overall/mean_same_lang_diff_meaning").asDouble(), m.getMeanSameLangDiffMeaning(), 1e-6);
        assertEquals(a.at("/overall/mean_diff_lang_same_meaning").asDouble(), m.getMeanDiffLangSameMeaning(), 1e-6);
        assertEquals(a.at("/overall/mean_diff_lang_diff_meaning").asDouble(), m.getMeanDiffLangDiffMeaning(), 1e-6);
        double worst = Math.max(Math.abs(a.at("/overall/lrds").asDouble() - m.getLrds()), Math.abs(a.at("/overall/sads").asDouble() - m.getSads()));
        for (int l = 0; l < fixture.layers; l++) {
            worst = Math.max(worst, Math.abs(a.get("per_layer").get(l).get("lrds").asDouble() - m.getPerLayer().get(l).getLrds()));
            worst = Math.max(worst, Math.abs(a.get("per_layer").get(l).get("sads").asDouble() - m.getPerLayer().get(l).getSads()));
        }
        System.out.printf("%s: max |LRDS/SADS - reference.json| over whole model and layers = %.3g%n", m.getCheckpointId(), worst);
        AnalysisResult batch = fixture.batch();
        // the same float32 vectors as the batch analysis, and sums that do not depend on the order (docs/math.md §10)
        assertEquals(batch.lrds(), m.getLrds(), 0, "same float32 vectors as the batch analysis");
        assertEquals(batch.sads(), m.getSads(), 0);
        for (int l = 0; l < fixture.layers; l++) {
            LayerMetrics lm = m.getPerLayer().get(l);
            JsonNode ref = a.get("per_layer").get(l);
            assertEquals(l, lm.getLayer());
            assertEquals(ref.get("lrds").asDouble(), lm.getLrds(), 1e-6);
            assertEquals(ref.get("sads").asDouble(), lm.getSads(), 1e-6);
        }
        int sklr = 0;
        for (String lang : fixture.languages()) {
            int expected = a.at("/key_neurons/counts/" + lang).asInt();
            assertEquals(expected, m.getKeyNeuronCounts().get(lang), lang);
            sklr += expected;
        }
        assertEquals(sklr, m.getSklr());
        assertEquals((double) sklr / (fixture.layers * fixture.neurons), m.getSklrFraction(), 1e-15);
        assertTrue(m.getThresholdReachable());
        // exp(token-weighted mean NLL) is HF's per-language perplexity of the reference
        for (String lang : fixture.languages()) {
            double ppl = fixture.reference.at("/ablation/baseline_ppl_token/" + lang).asDouble();
            assertEquals(Math.log(ppl), m.getMeanNll().get(lang), 1e-9, "mean NLL of " + lang);
        }
    }

    /** The published neuron types equal analysis.neurontypes on the language-summed counts. */
    static void assertNeuronTypes(NeuronTypes t) {
        NeuronTypesResult expected = io.linguaflow.analysis.neurontypes.NeuronTypes.classify(fixture.probabilities(),
                io.linguaflow.analysis.neurontypes.NeuronTypes.Options.zhangAutosweep());
        assertEquals(CP, t.getCheckpointId());
        assertEquals(expected.method().id(), t.getMethod());
        assertEquals(expected.tau(), t.getTau());
        assertEquals(expected.lambda().getAsDouble(), t.getLambda());
        assertEquals(java.util.Arrays.stream(expected.appear()).boxed().toList(), t.getAppear());
        assertEquals(java.util.Arrays.stream(expected.specificPerLayer()).boxed().toList(), t.getSpecificPerLayer());
        assertEquals(java.util.Arrays.stream(expected.generalPerLayer()).boxed().toList(), t.getGeneralPerLayer());
        List<Integer> general = new ArrayList<>(); // the ids the neuron-type changes between checkpoints need
        for (int m = 0; m < fixture.layers; m++) {
            for (int n : expected.general(m)) {
                general.add(m * fixture.neurons + n);
            }
        }
        assertEquals(general, t.getGeneral(), "present (the fixture has no general neuron: an empty list, not null)");
        for (int k = 0; k < fixture.languages().size(); k++) {
            List<Integer> ids = new ArrayList<>();
            for (int m = 0; m < fixture.layers; m++) {
                for (int n : expected.mask(k, m)) {
                    ids.add(m * fixture.neurons + n);
                }
            }
            assertEquals(ids, t.getMasks().get(fixture.languages().get(k)));
        }
        assertTrue(t.getMasks().values().stream().mapToInt(List::size).sum() > 0, "the synthetic counts select some neurons");
    }
}
