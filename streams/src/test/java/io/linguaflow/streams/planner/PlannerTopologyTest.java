package io.linguaflow.streams.planner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.SampleRef;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.testkit.Drivers;
import io.linguaflow.streams.testkit.Fixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The planner on the fixture corpus (450 rows, 9 languages). */
class PlannerTopologyTest {

    private static Fixture fixture;
    private final StreamsSettings settings = Drivers.settings();
    private TopologyTestDriver driver;
    private TestInputTopic<String, Sentence> sentences;
    private TestInputTopic<String, CheckpointEvent> checkpoints;

    @BeforeAll
    static void load() {
        fixture = Fixture.load();
    }

    @BeforeEach
    void open(@TempDir Path state) {
        driver = new TopologyTestDriver(PlannerTopology.build(settings), Drivers.props(state));
        sentences = Drivers.input(driver, settings.topic(Topic.SENTENCES), Sentence.class);
        checkpoints = Drivers.input(driver, settings.topic(Topic.CHECKPOINTS), CheckpointEvent.class);
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private void produceCorpus(int from, int to) {
        for (int i = from; i < to; i++) {
            sentences.pipeInput(fixture.sentenceKey(i), fixture.sentence(i));
        }
    }

    private List<InferenceRequest> requests() {
        return Drivers.output(driver, settings.topic(Topic.INFERENCE_REQUESTS), InferenceRequest.class).readValuesToList();
    }

    private List<Progress> progress() {
        return Drivers.output(driver, settings.topic(Topic.PROGRESS), Progress.class).readValuesToList();
    }

    private List<CheckpointPlan> plans() {
        return Drivers.output(driver, settings.plansTopic(), CheckpointPlan.class).readValuesToList();
    }

    @Test
    void aCheckpointOnACompleteCorpusIsPlannedInBatchesOfWholeMeaningsByLength() {
        produceCorpus(0, fixture.samples());
        checkpoints.pipeInput("bloom-tiny@0", fixture.checkpoint("bloom-tiny@0", "h0"));
        List<InferenceRequest> requests = requests();
        assertEquals(25, requests.size(), "50 meanings x 9 languages, batch size 16 rounded to 2 whole meanings");
        Set<String> samples = new HashSet<>();
        Set<String> meanings = new HashSet<>();
        double previousMeanLength = -1;
        for (int b = 0; b < requests.size(); b++) {
            InferenceRequest r = requests.get(b);
            assertEquals("bloom-tiny@0/" + b, r.getRequestId());
            assertEquals("/models/bloom-tiny", r.getCheckpointPath());
            assertEquals(18, r.getSamples().size());
            Map<String, List<SampleRef>> byMeaning = r.getSamples().stream().collect(Collectors.groupingBy(SampleRef::getMeaningId,
                    LinkedHashMap::new, Collectors.toList()));
            for (List<SampleRef> meaning : byMeaning.values()) {
                assertTrue(meanings.add(meaning.get(0).getMeaningId()), "a meaning in one request only");
                assertEquals(fixture.languages().size(), meaning.size(), "every language of the meaning");
                double mean = meaning.stream().mapToInt(s -> s.getText().length()).average().orElseThrow();
                assertTrue(mean >= previousMeanLength, "meanings ordered by mean text length");
                previousMeanLength = mean;
            }
            for (SampleRef s : r.getSamples()) {
                assertTrue(samples.add(s.getSampleId()), "sample " + s.getSampleId() + " planned twice");
                assertEquals(fixture.corpus.row(s.getIndex()).text(), s.getText());
                assertEquals(s.getLang() + "|" + s.getMeaningId(), s.getSampleId());
            }
        }
        assertEquals(fixture.samples(), samples.size());
        CheckpointPlan plan = plans().get(0);
        assertEquals(450, plan.getSamplesExpected());
        assertEquals(fixture.languages(), plan.getLanguages());
        assertEquals(fixture.corpus.ids().stream().distinct().toList(), plan.getMeaningIds(), "the sample set: every meaning, in corpus order");
        assertEquals(List.of(), plan.getAbsentSamples(), "a balanced corpus");
        assertEquals(requests.size(), plan.getBatches());
        assertEquals(null, plan.getConceptsByMeaning(), "a corpus without labels");
        Progress p = progress().get(0);
        assertEquals(Stage.PLANNED, p.getStage());
        assertEquals(450, p.getSamplesExpected());
        assertEquals(450L * fixture.layers, p.getLayerRecordsExpected());
    }

    /** FLORES-like topics per meaning: one meaning with two, one whose zh row disagrees (the en row, first, wins). */
    @Test
    void theRowsConceptsArePlannedPerMeaningAndADisagreementIsReportedNamingTheRows() {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        int disagreeing = -1;
        for (int i = 0; i < fixture.samples(); i++) {
            Sentence s = fixture.sentence(i);
            int n = Integer.parseInt(s.getMeaningId().substring(1));
            List<String> concepts = n == 2 ? List.of("science", "health") : List.of("topic" + n % 3);
            expected.putIfAbsent(s.getMeaningId(), concepts);
            if (n == 2 && s.getLang().equals("fr")) {
                concepts = List.of("health", "science"); // the same set in another order agrees
            }
            if (n == 7 && s.getLang().equals("zh")) {
                concepts = List.of("sports");
                disagreeing = i;
            }
            sentences.pipeInput(fixture.sentenceKey(i), Sentence.newBuilder(s).setConcepts(concepts).build());
        }
        checkpoints.pipeInput("bloom-tiny@0", fixture.checkpoint("bloom-tiny@0", "h0"));
        CheckpointPlan plan = plans().get(0);
        assertEquals(expected, plan.getConceptsByMeaning());
        assertEquals(List.of("topic1"), plan.getConceptsByMeaning().get("s07"));
        String message = progress().get(0).getMessage();
        assertTrue(message.endsWith("; warning: concept labels disagree within 1 meaning(s), the first row's are planned: "
                + "meaning 's07': en|s07 (index 6) [topic1] vs zh|s07 (index " + disagreeing + ") [sports]"), message);
    }

    @Test
    void theSameContentHashIsAnalysedOnce() {
        produceCorpus(0, fixture.samples());
        checkpoints.pipeInput("bloom-tiny@0", fixture.checkpoint("bloom-tiny@0", "h0"));
        requests();
        progress();
        checkpoints.pipeInput("bloom-tiny@0", fixture.checkpoint("bloom-tiny@0", "h0")); // re-delivered
        assertTrue(requests().isEmpty());
        assertTrue(progress().isEmpty(), "the checkpoint's own progress is left as it is");
        checkpoints.pipeInput("copy@0", fixture.checkpoint("copy@0", "h0")); // same weights landed under another id
        assertTrue(requests().isEmpty());
        Progress skipped = progress().get(0);
        assertEquals(Stage.SKIPPED_DUPLICATE, skipped.getStage());
        assertTrue(skipped.getMessage().contains("already analysed on corpus 'fixture' as checkpoint 'bloom-tiny@0'"), skipped.getMessage());
        checkpoints.pipeInput("bloom-tiny@50", fixture.checkpoint("bloom-tiny@50", "h50")); // new weights
        assertEquals(25, requests().size()); // 450 samples in batches of 2 whole meanings
    }

    /** {@code linguaflow replay}: the same checkpoint planned again in full, and the same weights under another id too. */
    @Test
    void aReplayIsPlannedAgainDespiteTheContentHash() {
        produceCorpus(0, fixture.samples());
        checkpoints.pipeInput("bloom-tiny@0", fixture.checkpoint("bloom-tiny@0", "h0"));
        List<InferenceRequest> first = requests();
        progress();
        checkpoints.pipeInput("bloom-tiny@0", CheckpointEvent.newBuilder(fixture.checkpoint("bloom-tiny@0", "h0"))
                .setReplay("nonce-1").build());
        assertEquals(first, requests(), "the same requests again");
        assertEquals(List.of(Stage.PLANNED), progress().stream().map(Progress::getStage).toList());
        checkpoints.pipeInput("copy@0", CheckpointEvent.newBuilder(fixture.checkpoint("copy@0", "h0")).setReplay("nonce-2").build());
        assertEquals(first.size(), requests().size());
        checkpoints.pipeInput("copy@0", fixture.checkpoint("copy@0", "h0")); // not a replay: deduplicated as before
        assertTrue(requests().isEmpty());
    }

    @Test
    void aCheckpointForAnIncompleteCorpusWaitsAndIsPlannedInFullWhenTheLastRowArrives() {
        produceCorpus(0, 300);
        checkpoints.pipeInput("bloom-tiny@0", fixture.checkpoint("bloom-tiny@0", "h0"));
        assertTrue(requests().isEmpty());
        Progress waiting = progress().get(0);
        assertEquals(Stage.WAITING_FOR_CORPUS, waiting.getStage());
        assertTrue(waiting.getMessage().contains("has 300 of 450 rows"), waiting.getMessage());
        produceCorpus(0, 100); // re-produced rows overwrite, they do not count twice
        produceCorpus(300, 449);
        assertTrue(requests().isEmpty());
        produceCorpus(449, 450);
        List<InferenceRequest> requests = requests();
        assertEquals(450, requests.stream().mapToInt(r -> r.getSamples().size()).sum());
        assertEquals(450, plans().get(0).getSamplesExpected());
        assertEquals(Stage.PLANNED, progress().get(0).getStage());
        produceCorpus(0, 10); // a later re-production does not plan again
        assertTrue(requests().isEmpty());
    }

    @Test
    void badInputIsDeadLettered() {
        produceCorpus(0, fixture.samples());
        checkpoints.pipeInput("x@1", CheckpointEvent.newBuilder(fixture.checkpoint("x@1", "hx")).setContentHash("").build());
        checkpoints.pipeInput("other", fixture.checkpoint("z@1", "hz"));
        sentences.pipeInput("fixture|en|bad", Sentence.newBuilder(fixture.sentence(0)).setLang("").build());
        List<TestRecord<byte[], DeadLetter>> letters = Drivers.deadLetters(driver).readRecordsToList();
        assertEquals(3, letters.size());
        assertEquals("x@1", new String(letters.get(0).key(), StandardCharsets.UTF_8));
        assertTrue(letters.get(0).value().getError().contains("checkpoint event 'x@1': contentHash is empty"), letters.get(0).value().getError());
        assertTrue(letters.get(0).value().getError().startsWith("topic checkpoints partition 0 offset 0"), letters.get(0).value().getError());
        List<String> errors = letters.stream().map(l -> l.value().getError()).toList();
        assertTrue(errors.stream().anyMatch(e -> e.contains("checkpoint event 'other': key differs from checkpointId 'z@1'")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.contains("sentence 'fixture|en|bad': lang is empty")), errors.toString());
        letters.forEach(l -> assertEquals("planner", l.value().getComponent()));
        assertTrue(requests().isEmpty());
        assertTrue(progress().isEmpty());
    }

    @Test
    void aCheckpointBeforeAnyRowOfItsCorpusWaitsAndTheSameWeightsUnderTwoIdsArePlannedOnce() {
        checkpoints.pipeInput("a@1", fixture.checkpoint("a@1", "h1"));
        checkpoints.pipeInput("b@1", fixture.checkpoint("b@1", "h1"));
        List<Progress> waiting = progress();
        assertEquals(List.of(Stage.WAITING_FOR_CORPUS, Stage.WAITING_FOR_CORPUS), waiting.stream().map(Progress::getStage).toList());
        assertTrue(waiting.get(0).getMessage().contains("corpus 'fixture' has no rows yet"), waiting.get(0).getMessage());
        assertTrue(Drivers.deadLetters(driver).readRecordsToList().isEmpty());
        produceCorpus(0, fixture.samples());
        assertEquals(450, requests().stream().mapToInt(r -> r.getSamples().size()).sum());
        assertEquals(List.of("a@1"), plans().stream().map(CheckpointPlan::getCheckpointId).toList());
        List<Progress> released = progress();
        assertEquals(List.of(Stage.PLANNED, Stage.SKIPPED_DUPLICATE), released.stream().map(Progress::getStage).toList());
        assertEquals("b@1", released.get(1).getCheckpointId());
    }
}
