package io.linguaflow.streams.instruments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.linguaflow.analysis.experts.ExpertNeurons;
import io.linguaflow.analysis.experts.Responses;
import io.linguaflow.analysis.probes.LanguageProbe;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.ExpertOverlap;
import io.linguaflow.schemas.avro.ExpertRanking;
import io.linguaflow.schemas.avro.ProbeFold;
import io.linguaflow.schemas.avro.ProbeLayer;
import io.linguaflow.schemas.codec.LittleEndian;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.ExpertPartial;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.common.PlannedSamples;
import io.linguaflow.streams.config.InstrumentSettings;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.config.VectorRetention;
import io.linguaflow.streams.testkit.Drivers;
import io.linguaflow.streams.testkit.Fixture;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.Capture;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.RuntimeOptions;
import io.linguaflow.worker.runtime.SampleActivations;
import io.linguaflow.worker.runtime.TokenSample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The instruments on the reference kit: records carry the maxima and sampled tokens of the worker's own forward pass
 * of bloom-tiny ({@code --emit-maxima --emit-token-sample 4}); the streamed {@link ProbeLayer}s and
 * {@link ExpertRanking}s must equal {@link LanguageProbe#crossValidate} and {@link ExpertNeurons#find} run as the
 * batch commands run them ({@code linguaflow probe}, {@code linguaflow experts}) on the same inputs.
 */
@Timeout(value = 20, unit = java.util.concurrent.TimeUnit.MINUTES)
class InstrumentTopologyTest {

    private static final int TOKENS = 4;
    private static Fixture fixture;
    /** The worker's forward pass of every corpus row, maxima and token sample captured. */
    private static List<SampleActivations> captured;
    private final StreamsSettings settings = Drivers.settings();

    @BeforeAll
    static void load() throws Exception {
        fixture = Fixture.load();
        Path model = SharedData.require(SharedData.fixtures().resolve("models").resolve(Fixture.MODEL));
        Capture capture = Capture.NONE.withMaxima(true).withTokens(TOKENS, 1, Capture.TokenSource.BLOCK_OUTPUT);
        try (LanguageModel m = LanguageModel.load(model, Device.cpu(), RuntimeOptions.DEFAULT.withCapture(capture))) {
            captured = m.activations(fixture.corpus.texts(), Ablation.none(), false);
        }
    }

    /** A concept per meaning, some meanings with two: the corpus has no label column, the plan carries them. */
    private static Map<String, List<String>> concepts() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> meanings = new ArrayList<>(new LinkedHashSet<>(fixture.corpus.ids()));
        for (int i = 0; i < meanings.size(); i++) {
            out.put(meanings.get(i), i % 5 == 0 ? List.of("c" + i % 3, "five") : List.of("c" + i % 3));
        }
        return out;
    }

    /** The kit's record of (sample, layer) with the worker's extension fields, as {@code ActivationRecords} sets them. */
    private static ActivationRecord record(String cp, int i, int layer) {
        SampleActivations a = captured.get(i);
        ActivationRecord r = fixture.record(cp, i, layer);
        r.setMaxValues(LittleEndian.float32s(a.layerMaxima()[layer]));
        r.setSampledTokenPositions(LittleEndian.int32s(a.tokenSample().positions()));
        r.setSampledTokenVectors(LittleEndian.float32s(a.tokenSample().vectors()[layer]));
        r.setSampledTokenSource("block_output");
        return r;
    }

    /**
     * Lets the stream thread collect the probes, which train on their own thread: punctuations until no layer's probe
     * is pending (the class's timeout guards against a hang; nothing here asserts a duration).
     */
    private static void awaitProbes(TopologyTestDriver driver) throws InterruptedException {
        KeyValueStore<String, byte[]> marks = driver.getKeyValueStore(InstrumentTopology.LAYERS_STORE);
        while (true) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
            boolean pending = false;
            try (KeyValueIterator<String, byte[]> it = marks.all()) {
                while (it.hasNext()) {
                    pending |= InstrumentProcessor.probePending(it.next().value);
                }
            }
            if (!pending) {
                return;
            }
            Thread.sleep(50);
        }
    }

    private static List<ActivationRecord> shuffled(String cp, long seed, boolean extensions) {
        List<ActivationRecord> out = new ArrayList<>();
        for (ActivationRecord r : fixture.shuffledRecords(cp, seed)) {
            out.add(extensions ? record(cp, r.getIndex(), r.getLayer()) : r);
        }
        return out;
    }

    private TopologyTestDriver driver(StreamsSettings s, Path state) {
        return new TopologyTestDriver(InstrumentTopology.build(s), Drivers.props(state));
    }

    private static void pipe(TopologyTestDriver driver, StreamsSettings s, List<ActivationRecord> records) {
        var in = Drivers.input(driver, s.topic(Topic.ACTIVATIONS), ActivationRecord.class);
        records.forEach(r -> in.pipeInput(Keys.activation(r.getCheckpointId(), r.getLayer()), r));
    }

    /** {@code linguaflow probe}'s assembly: rows in corpus order, positions ascending, sentence = corpus row. */
    private static LanguageProbe.LayerResult batchProbe(int layer) {
        List<float[]> features = new ArrayList<>();
        List<String> langs = new ArrayList<>();
        List<Integer> sentences = new ArrayList<>();
        for (int i = 0; i < fixture.samples(); i++) {
            TokenSample s = captured.get(i).tokenSample();
            for (int p = 0; p < s.positions().length; p++) {
                features.add(Arrays.copyOfRange(s.vectors()[layer], p * s.width(), (p + 1) * s.width()));
                langs.add(fixture.corpus.langs().get(i));
                sentences.add(i);
            }
        }
        return LanguageProbe.crossValidate(layer, new LanguageProbe.Tokens(features.toArray(new float[0][]), langs,
                sentences.stream().mapToInt(Integer::intValue).toArray()), LanguageProbe.Options.DEFAULTS, "batch");
    }

    /** {@code linguaflow experts}' call: [N, M·D] maxima in corpus order, the rows' languages and labels. */
    private static ExpertNeurons.Result batchExperts(int k) {
        float[][] maxima = new float[fixture.samples()][];
        List<Set<String>> labels = new ArrayList<>();
        Map<String, List<String>> concepts = concepts();
        for (int i = 0; i < maxima.length; i++) {
            maxima[i] = captured.get(i).concatenatedMaxima();
            labels.add(new LinkedHashSet<>(concepts.get(fixture.corpus.ids().get(i))));
        }
        return ExpertNeurons.find(Responses.of(maxima), fixture.corpus.langs(), labels, k, "batch");
    }

    private static CheckpointPlan plan(String cp) {
        CheckpointPlan p = fixture.plan(cp);
        p.setConceptsByMeaning(concepts());
        return p;
    }

    @Test
    void shuffledAndRedeliveredRecordsGiveTheBatchProbesAndExperts(@TempDir Path state) throws InterruptedException {
        String[] cps = {"bloom-tiny@1", "bloom-tiny@2"};
        try (TopologyTestDriver driver = driver(settings, state)) {
            var plans = Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class);
            List<ActivationRecord> records = new ArrayList<>(shuffled(cps[0], 7, true));
            records.addAll(records.size() / 2, records.subList(0, 300)); // re-deliveries mid-way
            List<ActivationRecord> second = shuffled(cps[1], 11, true);
            records.addAll(second);
            records.addAll(second.subList(0, 200));                     // and after the layers completed
            plans.pipeInput(cps[0], plan(cps[0]));
            pipe(driver, settings, records.subList(0, 700));
            plans.pipeInput(cps[1], plan(cps[1]));                      // the second plan lands after some of its records
            pipe(driver, settings, records.subList(700, records.size()));
            awaitProbes(driver);

            List<ProbeLayer> probes = Drivers.output(driver, settings.topic(Topic.PROBE_RESULTS), ProbeLayer.class).readValuesToList();
            assertEquals(2 * fixture.layers, probes.size(), "one probe per (checkpoint, layer), re-deliveries ignored");
            KeyValueStore<String, ProbeLayer> probeStore = driver.getKeyValueStore(InstrumentTopology.PROBES_STORE);
            for (int m = 0; m < fixture.layers; m++) {
                LanguageProbe.LayerResult batch = batchProbe(m);
                for (String cp : cps) {
                    ProbeLayer p = probeStore.get(cp + "|" + m);
                    assertNotNull(p, cp + " layer " + m);
                    assertEquals(batch.accuracyMean(), p.getAccuracyMean(), 0.0, "layer " + m);
                    assertEquals(batch.accuracyStd(), p.getAccuracyStd(), 0.0);
                    assertEquals(batch.folds().size(), p.getFoldResults().size());
                    for (int f = 0; f < batch.folds().size(); f++) {
                        LanguageProbe.Fold b = batch.folds().get(f);
                        ProbeFold s = p.getFoldResults().get(f);
                        assertEquals(List.of(b.seed(), (long) b.fold(), (long) b.trainTokens(), (long) b.testTokens()),
                                List.of(s.getSeed(), (long) s.getFold(), (long) s.getTrainTokens(), (long) s.getTestTokens()));
                        assertEquals(b.accuracy(), s.getAccuracy(), 0.0);
                    }
                    assertEquals(fixture.samples(), p.getSentences());
                    assertEquals(captured.stream().mapToInt(a -> a.tokenSample().positions().length).sum(), p.getTokens());
                    assertEquals(64, p.getWidth(), "bloom-tiny's hidden size");
                    assertEquals("block_output", p.getSource());
                    assertEquals(fixture.languages(), p.getLanguages());
                }
                assertTrue(batch.accuracyMean() > 1.5 / fixture.languages().size(), "above chance: " + batch.accuracyMean());
            }

            ExpertNeurons.Result batch = batchExperts(InstrumentSettings.DEFAULT_EXPERT_TOP_K);
            List<ExpertRanking> published = Drivers.output(driver, settings.topic(Topic.EXPERT_NEURONS), ExpertRanking.class)
                    .readValuesToList();
            int rankings = batch.concepts().values().stream().mapToInt(Map::size).sum();
            assertEquals(4 * 9, rankings, "4 concepts x 9 languages");
            assertEquals(2 * rankings, published.size());
            KeyValueStore<String, ExpertRanking> store = driver.getKeyValueStore(InstrumentTopology.EXPERTS_STORE);
            for (String cp : cps) {
                batch.concepts().forEach((concept, byLang) -> byLang.forEach((lang, ranking) -> {
                    ExpertRanking r = store.get(Keys.expertRanking(cp, concept, lang));
                    assertNotNull(r, cp + " " + concept + " " + lang);
                    assertEquals(500, r.getK());
                    assertEquals(ranking.positives(), r.getPositives());
                    assertEquals(ranking.negatives(), r.getNegatives());
                    assertEquals(ranking.experts(), r.getExperts().stream()
                            .map(x -> new ExpertNeurons.Expert(x.getNeuron(), x.getAp())).toList(), concept + "/" + lang);
                    List<String> expected = batch.overlaps().get(concept).stream().filter(o -> o.a().equals(lang) || o.b().equals(lang))
                            .map(o -> (o.a().equals(lang) ? o.b() : o.a()) + ":" + o.shared() + ":" + o.sharedOverK() + ":" + o.jaccard())
                            .toList();
                    assertEquals(expected, r.getOverlaps().stream().map(InstrumentTopologyTest::overlap).toList());
                    assertEquals(8, r.getOverlaps().size());
                }));
            }
            assertEquals(0, Drivers.deadLetters(driver).getQueueSize());
            assertEquals(2 * fixture.samples() * fixture.layers,
                    count(driver.getKeyValueStore(InstrumentTopology.SAMPLES_STORE)), "kept: the vector retention says keep");
        }
    }

    private static String overlap(ExpertOverlap o) {
        return o.getLang() + ":" + o.getShared() + ":" + o.getSharedOverK() + ":" + o.getJaccard();
    }

    @Test
    void recordsWithoutExtensionFieldsCostNoStoreWriteAndGiveNoInstrumentOutput(@TempDir Path state) throws InterruptedException {
        String cp = "plain@0";
        try (TopologyTestDriver driver = driver(settings, state)) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(cp, plan(cp));
            pipe(driver, settings, shuffled(cp, 3, false));
            awaitProbes(driver);
            List<LayerPartial> partials = Drivers.output(driver, settings.layerPartialsTopic(), LayerPartial.class).readValuesToList();
            assertEquals(fixture.layers, partials.stream().filter(LayerPartial::getComplete).count(), "the layers complete");
            assertTrue(Drivers.output(driver, settings.topic(Topic.PROBE_RESULTS), ProbeLayer.class).isEmpty());
            assertTrue(Drivers.output(driver, settings.expertPartialsTopic(), ExpertPartial.class).isEmpty());
            assertTrue(Drivers.output(driver, settings.topic(Topic.EXPERT_NEURONS), ExpertRanking.class).isEmpty());
            assertEquals(0, count(driver.getKeyValueStore(InstrumentTopology.SAMPLES_STORE)));
            assertEquals(0, count(driver.getKeyValueStore(InstrumentTopology.PROBES_STORE)));
            assertEquals(0, count(driver.getKeyValueStore(InstrumentTopology.LAYERS_STORE)));
            assertEquals(0, Drivers.deadLetters(driver).getQueueSize());
        }
    }

    @Test
    void theDropRetentionDeletesALayersSamplesOnceItsResultsArePublished(@TempDir Path state) throws InterruptedException {
        String cp = "drop@0";
        StreamsSettings drop = settings.withVectorRetention(VectorRetention.DROP_AFTER_FINAL);
        try (TopologyTestDriver driver = driver(drop, state)) {
            Drivers.input(driver, drop.plansTopic(), CheckpointPlan.class).pipeInput(cp, plan(cp));
            List<ActivationRecord> records = shuffled(cp, 5, true);
            pipe(driver, drop, records.subList(0, records.size() - 1));
            assertTrue(count(driver.getKeyValueStore(InstrumentTopology.SAMPLES_STORE)) > 0);
            pipe(driver, drop, records.subList(records.size() - 1, records.size()));
            awaitProbes(driver);
            assertEquals(fixture.layers, Drivers.output(driver, drop.topic(Topic.PROBE_RESULTS), ProbeLayer.class).getQueueSize());
            assertEquals(0, count(driver.getKeyValueStore(InstrumentTopology.SAMPLES_STORE)));
        }
    }

    /** A plan of the first {@code meanings} meanings of the kit (every language), with the given concepts. */
    private static CheckpointPlan smallPlan(String cp, int meanings, Map<String, List<String>> concepts) {
        List<String> langs = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < fixture.samples(); i++) {
            if (meaningIndex(i) < meanings) {
                langs.add(fixture.corpus.langs().get(i));
                ids.add(fixture.corpus.ids().get(i));
            }
        }
        return PlannedSamples.ofRows(langs, ids).writeTo(CheckpointPlan.newBuilder(plan(cp))).setSamplesExpected(langs.size())
                .setConceptsByMeaning(concepts).build();
    }

    private static int meaningIndex(int row) {
        return new ArrayList<>(new LinkedHashSet<>(fixture.corpus.ids())).indexOf(fixture.corpus.ids().get(row));
    }

    private static List<ActivationRecord> smallRecords(String cp, int meanings) {
        return shuffled(cp, 2, true).stream().filter(r -> meaningIndex(r.getIndex()) < meanings).toList();
    }

    @Test
    void tooFewSentencesForTheFoldsAndASingleConceptAreDeadLettersNamingCheckpointAndLayer(@TempDir Path state) throws InterruptedException {
        String cp = "small@0";
        try (TopologyTestDriver driver = driver(settings, state)) {
            Map<String, List<String>> one = new LinkedHashMap<>();
            fixture.corpus.ids().forEach(id -> one.put(id, List.of("weather")));
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(cp, smallPlan(cp, 3, one));
            pipe(driver, settings, smallRecords(cp, 3));
            awaitProbes(driver);
            List<DeadLetter> dead = Drivers.deadLetters(driver).readValuesToList();
            assertEquals(2 * fixture.layers, dead.size(), "a probe and an expert error per layer: " + dead);
            for (int m = 0; m < fixture.layers; m++) {
                String where = "checkpoint '" + cp + "', layer " + m;
                assertTrue(dead.stream().anyMatch(d -> d.getError().contains("language probe of " + where)
                        && d.getError().contains("has 3 sentence(s) with sampled tokens, fewer than the 5 folds")), where);
                assertTrue(dead.stream().anyMatch(d -> d.getError().contains("expert neurons of " + where)
                        && d.getError().contains("the labels name 1 concept(s) [weather]; experts need at least 2")), where);
            }
            assertTrue(Drivers.output(driver, settings.topic(Topic.PROBE_RESULTS), ProbeLayer.class).isEmpty());
            assertEquals(fixture.layers, Drivers.output(driver, settings.layerPartialsTopic(), LayerPartial.class).readValuesToList()
                    .stream().filter(LayerPartial::getComplete).count(), "the aggregation is unaffected");

            // the thread goes on: a good checkpoint afterwards gets its probes
            String good = "good@0";
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(good, plan(good));
            pipe(driver, settings, shuffled(good, 9, true));
            awaitProbes(driver);
            assertEquals(fixture.layers, Drivers.output(driver, settings.topic(Topic.PROBE_RESULTS), ProbeLayer.class).getQueueSize());
        }
    }

    @Test
    void malformedAndMissingExtensionFieldsAreNamed(@TempDir Path state) throws InterruptedException {
        String cp = "fields@0";
        List<ActivationRecord> records = new ArrayList<>(smallRecords(cp, 5));
        ActivationRecord first = records.stream().filter(r -> r.getLayer() == 0).findFirst().orElseThrow();
        ActivationRecord descending = ActivationRecord.newBuilder(first)
                .setSampledTokenPositions(LittleEndian.int32s(new int[] {2, 1})).build();
        records.add(0, descending); // dead-lettered, not counted: the good record of the same sample counts later
        ActivationRecord withoutMaxima = records.stream().filter(r -> r.getLayer() == 1).findFirst().orElseThrow();
        withoutMaxima.setMaxValues(null);
        try (TopologyTestDriver driver = driver(settings, state)) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(cp, smallPlan(cp, 5, concepts()));
            pipe(driver, settings, records);
            awaitProbes(driver);
            List<DeadLetter> dead = Drivers.deadLetters(driver).readValuesToList();
            assertEquals(2, dead.size(), dead.toString());
            assertTrue(dead.get(0).getError().startsWith("topic activations partition 0 offset 0: "), dead.get(0).getError());
            assertTrue(dead.get(0).getError().contains("activation record (checkpoint '" + cp + "', sample '" + first.getSampleId()
                    + "', layer 0): sampledTokenPositions must ascend"), dead.get(0).getError());
            assertEquals("expert neurons of checkpoint '" + cp + "', layer 1: 44 of the 45 planned samples carry maxValues (not e.g. '"
                    + withoutMaxima.getSampleId() + "'); every worker of a checkpoint must capture the same fields", dead.get(1).getError());
            assertEquals(fixture.layers, Drivers.output(driver, settings.topic(Topic.PROBE_RESULTS), ProbeLayer.class).getQueueSize(),
                    "the probes see every sample");
            assertTrue(Drivers.output(driver, settings.topic(Topic.EXPERT_NEURONS), ExpertRanking.class).isEmpty(),
                    "no model-wide ranking without layer 1");
        }
    }

    @Test
    void aTopKLargerThanTheNeuronCountIsADeadLetterNamingTheCheckpoint(@TempDir Path state) throws InterruptedException {
        String cp = "bigk@0";
        StreamsSettings bigK = settings.withInstruments(new InstrumentSettings(true, 5000));
        try (TopologyTestDriver driver = driver(bigK, state)) {
            Drivers.input(driver, bigK.plansTopic(), CheckpointPlan.class).pipeInput(cp, plan(cp));
            pipe(driver, bigK, shuffled(cp, 4, true));
            awaitProbes(driver);
            List<DeadLetter> dead = Drivers.deadLetters(driver).readValuesToList();
            assertEquals(1, dead.size(), dead.toString());
            assertTrue(dead.get(0).getError().contains("expert neurons of checkpoint '" + cp + "'"), dead.get(0).getError());
            assertTrue(dead.get(0).getError().contains("top-k 5000 must be between 1 and the neuron count 1024"), dead.get(0).getError());
            assertTrue(Drivers.output(driver, bigK.topic(Topic.EXPERT_NEURONS), ExpertRanking.class).isEmpty());
            assertEquals(fixture.layers, Drivers.output(driver, bigK.topic(Topic.PROBE_RESULTS), ProbeLayer.class).getQueueSize(),
                    "the probes are unaffected");
        }
    }

    @Test
    void aProbePendingWhenTheTaskStopsIsTrainedByTheNextOneAndPublishedOnce(@TempDir Path state, @TempDir Path copy,
                                                                           @TempDir Path reference) throws InterruptedException {
        String cp = "restart@0";
        CheckpointPlan plan = smallPlan(cp, 5, concepts());
        List<ActivationRecord> records = smallRecords(cp, 5);
        StreamsSettings rocks = Drivers.rocksDbSettings();
        List<ProbeLayer> expected;
        try (TopologyTestDriver driver = driver(settings, reference)) { // uninterrupted
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(cp, plan);
            pipe(driver, settings, records);
            awaitProbes(driver);
            expected = Drivers.output(driver, settings.topic(Topic.PROBE_RESULTS), ProbeLayer.class).readValuesToList();
        }
        assertEquals(fixture.layers, expected.size());
        try (TopologyTestDriver first = driver(rocks, state)) {
            Drivers.input(first, rocks.plansTopic(), CheckpointPlan.class).pipeInput(cp, plan);
            pipe(first, rocks, records); // no punctuation: every probe is pending when the task stops
            assertTrue(Drivers.output(first, rocks.topic(Topic.PROBE_RESULTS), ProbeLayer.class).isEmpty());
            Drivers.copy(state, copy);
        }
        try (TopologyTestDriver second = driver(rocks, copy)) {
            Drivers.input(second, rocks.plansTopic(), CheckpointPlan.class).pipeInput(cp, plan); // the global store's topic, re-read
            pipe(second, rocks, records.subList(0, 20)); // re-deliveries: ignored
            awaitProbes(second);
            List<ProbeLayer> probes = Drivers.output(second, rocks.topic(Topic.PROBE_RESULTS), ProbeLayer.class).readValuesToList();
            assertEquals(fixture.layers, probes.size(), "each pending probe once");
            for (ProbeLayer p : probes) {
                ProbeLayer e = expected.stream().filter(x -> x.getLayer() == p.getLayer()).findFirst().orElseThrow();
                assertEquals(e.getAccuracyMean(), p.getAccuracyMean(), 0.0);
                assertEquals(e.getFoldResults(), p.getFoldResults());
            }
            assertTrue(Drivers.output(second, rocks.topic(Topic.EXPERT_NEURONS), ExpertRanking.class).isEmpty(),
                    "the experts went out before the stop; the combiner's partials were consumed");
        }
    }

    private static int count(KeyValueStore<String, ?> store) {
        int n = 0;
        try (KeyValueIterator<String, ?> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }
}
