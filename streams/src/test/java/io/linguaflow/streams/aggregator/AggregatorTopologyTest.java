package io.linguaflow.streams.aggregator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.batch.AnalysisResult;
import io.linguaflow.analysis.metrics.PairClassSums;
import io.linguaflow.analysis.similarity.SimilarityMap;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.LanguageLayer;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.common.PairSumsCodec;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.config.VectorRetention;
import io.linguaflow.streams.testkit.Drivers;
import io.linguaflow.streams.testkit.Fixture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import io.linguaflow.analysis.keyregions.KeyRegions;
import io.linguaflow.analysis.keyregions.LayerScores;
import io.linguaflow.analysis.stats.GroupScalars;
import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.analysis.stats.LayerStatistics;
import io.linguaflow.analysis.stats.Normalisation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import io.linguaflow.schemas.codec.LittleEndian;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The aggregators on the fixture's activation records, against the batch analysis of the same vectors. */
class AggregatorTopologyTest {

    private static final String CP = "bloom-tiny@0";
    private static Fixture fixture;
    private static AnalysisResult batch;
    private final StreamsSettings settings = Drivers.settings();

    @BeforeAll
    static void load() {
        fixture = Fixture.load();
        batch = fixture.batch();
    }

    private TopologyTestDriver driver(Path state) {
        return new TopologyTestDriver(AggregatorTopology.build(settings), Drivers.props(state));
    }

    @Test
    void shuffledAndDuplicatedRecordsGiveOneCompletePartialPerLayerEqualToTheBatch(@TempDir Path state) throws IOException {
        try (TopologyTestDriver driver = driver(state)) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            List<ActivationRecord> records = fixture.shuffledRecords(CP, 1);
            List<ActivationRecord> withDuplicates = new ArrayList<>(records);
            withDuplicates.addAll(records.subList(0, records.size() / 5)); // re-delivered at the end
            withDuplicates.addAll(300, records.subList(100, 400));         // and in the middle
            withDuplicates.add(negated(fixture.record(CP, 0, 1)));           // a re-delivery with other values: the first one counts
            pipe(driver, withDuplicates);
            List<LayerPartial> partials = partials(driver);
            assertEquals(fixture.layers, partials.size(), "one complete partial per layer, no interim ones (no wall-clock time passed)");
            assertMatchesBatch(partials);

            // the stored vectors give the batch similarity maps: whole model as the sum of the layers' blocks, and per layer
            KeyValueStore<String, byte[]> vectors = driver.getKeyValueStore(AggregatorTopology.VECTORS_STORE);
            assertEquals(fixture.samples() * fixture.layers, count(vectors), "one entry per (sample, layer), duplicates included");
            SimilarityMap whole = null;
            for (int m = 0; m < fixture.layers; m++) {
                LayerSamples layer = LayerSamples.read(vectors, CP, m);
                assertEquals(fixture.sampleIds(), layer.sampleIds(), "corpus order");
                whole = whole == null ? layer.block(Normalisation.MODEL) : whole.plus(layer.block(Normalisation.MODEL));
            }
            assertArrayEquals(SimilarityMap.wholeModel(fixture.vectors()).flatten(), whole.flatten(), 1e-12);
            assertArrayEquals(SimilarityMap.layer(fixture.vectors(), 1).flatten(),
                    LayerSamples.read(vectors, CP, 1).block(Normalisation.LAYER).flatten(), 1e-12);
            assertEquals(0, LayerSamples.read(vectors, "other@0", 1).size());
        }
    }

    @Test
    void theVectorsStoreIsOptional() {
        assertTrue(AggregatorTopology.build(settings).describe().toString().contains(AggregatorTopology.VECTORS_STORE));
        assertFalse(AggregatorTopology.build(settings.withSimilarityVectors(false)).describe().toString()
                .contains(AggregatorTopology.VECTORS_STORE));
    }

    /**
     * RocksDB state survives a restart: the task is rebuilt on the stores of the first run (copied, since the driver
     * deletes its state on close) and the input is re-delivered from well before the cut. Layer 0 of meanings
     * s01..s12 in all 9 languages only, to keep the per-record RocksDB flushes of the test driver affordable; the
     * reference is the analysis' LayerStatistics of the same samples.
     */
    @Test
    void restartMidCheckpointWithRedeliveryGivesTheSameResult(@TempDir Path dir) {
        StreamsSettings rocks = Drivers.rocksDbSettings();
        Path live = dir.resolve("live");
        Path restarted = dir.resolve("restarted");
        List<ActivationRecord> records = fixture.shuffledRecords(CP, 2).stream()
                .filter(r -> r.getLayer() == 0 && Integer.parseInt(r.getMeaningId().substring(1)) <= 12).toList();
        CheckpointPlan plan = CheckpointPlan.newBuilder(fixture.plan(CP)).setSamplesExpected(records.size()).build();
        LayerStatistics expected = new LayerStatistics(fixture.neurons);
        for (ActivationRecord r : records) {
            expected.add(r.getLang(), r.getMeaningId(), Activations.vector(null, r));
        }
        int cut = records.size() * 3 / 5;
        try (TopologyTestDriver first = new TopologyTestDriver(AggregatorTopology.build(rocks), Drivers.props(live))) {
            Drivers.input(first, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, plan);
            pipe(first, records.subList(0, cut));
            assertTrue(partials(first).isEmpty());
            Drivers.copy(live, restarted);
        }
        try (TopologyTestDriver second = new TopologyTestDriver(AggregatorTopology.build(rocks), Drivers.props(restarted))) {
            // the global plans store is rebuilt from its topic on a restart
            Drivers.input(second, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, plan);
            pipe(second, records.subList(cut / 2, records.size()));
            List<LayerPartial> partials = partials(second);
            assertEquals(1, partials.size());
            assertEquals(records.size(), LayerSamples.read(second.<String, byte[]>getKeyValueStore(AggregatorTopology.VECTORS_STORE), CP, 0)
                    .size(), "vectors of the first run survive the restart");
            LayerPartial p = partials.get(0);
            assertTrue(p.getComplete());
            assertEquals(records.size(), p.getSamples());
            assertSums(expected.pairClassSums(Normalisation.LAYER), PairSumsCodec.fromAvro(p.getPerLayer()));
            assertSums(expected.pairClassSums(Normalisation.MODEL), PairSumsCodec.fromAvro(p.getWholeModel()));
            KeyRegions regions = new KeyRegions.Builder(fixture.languages(), 1, fixture.neurons, 2.0)
                    .addLayer(0, LayerScores.of(expected.languageGroups(fixture.languages()), false).z()).build();
            assertTrue(regions.sklr() > 0, "the subset has key neurons to compare");
            for (LanguageLayer l : p.getLanguages()) {
                assertEquals(Arrays.stream(regions.neurons().get(l.getLang())).mapToInt(k -> (int) k).boxed().toList(), l.getKeyNeurons());
            }
        }
    }

    @Test
    void interimPartialsAreThrottledByWallClock(@TempDir Path state) {
        try (TopologyTestDriver driver = driver(state)) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            List<ActivationRecord> records = fixture.shuffledRecords(CP, 3);
            pipe(driver, records.subList(0, 900));
            driver.advanceWallClockTime(Drivers.INTERIM.dividedBy(2));
            assertTrue(partials(driver).isEmpty(), "nothing before the interval has passed");
            pipe(driver, records.subList(900, 1000));
            driver.advanceWallClockTime(Drivers.INTERIM);
            List<LayerPartial> interim = partials(driver);
            assertEquals(fixture.layers, interim.size(), "one interim partial per changed layer");
            for (LayerPartial p : interim) {
                assertFalse(p.getComplete());
                long expected = records.subList(0, 1000).stream().filter(r -> r.getLayer() == p.getLayer()).count();
                assertEquals(expected, p.getSamples());
                p.getLanguages().forEach(l -> assertEquals(null, l.getPositiveCounts(), "counts travel in the complete partial only"));
            }
            driver.advanceWallClockTime(Drivers.INTERIM.multipliedBy(3));
            assertTrue(partials(driver).isEmpty(), "no new records, no new partial");
        }
    }

    @Test
    void layersCompletedBeforeTheirPlanLandsCompleteWhenItDoes(@TempDir Path state) {
        try (TopologyTestDriver driver = driver(state)) {
            pipe(driver, fixture.shuffledRecords(CP, 5));
            driver.advanceWallClockTime(Drivers.INTERIM);
            List<LayerPartial> interim = partials(driver);
            assertEquals(fixture.layers, interim.size());
            interim.forEach(p -> assertFalse(p.getComplete(), "no plan, no completeness"));
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            driver.advanceWallClockTime(Drivers.INTERIM);
            assertMatchesBatch(partials(driver));
            driver.advanceWallClockTime(Drivers.INTERIM);
            assertTrue(partials(driver).isEmpty());
        }
    }

    @Test
    void malformedRecordsAreDeadLetteredAndNotCounted(@TempDir Path state) {
        try (TopologyTestDriver driver = driver(state)) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            TestInputTopic<String, ActivationRecord> in = Drivers.input(driver, settings.topic(Topic.ACTIVATIONS), ActivationRecord.class);
            ActivationRecord good = fixture.record(CP, 0, 1);
            in.pipeInput(Keys.activation(CP, 2), good); // key names another layer
            ActivationRecord shortValues = ActivationRecord.newBuilder(good).setValues(ByteBuffer.allocate(12)).build();
            in.pipeInput(Keys.activation(CP, 1), shortValues);
            ActivationRecord badNorm = ActivationRecord.newBuilder(good).setLayerNorm(good.getLayerNorm() * 2).build();
            in.pipeInput(Keys.activation(CP, 1), badNorm);
            List<DeadLetter> letters = Drivers.deadLetters(driver).readValuesToList();
            assertEquals(3, letters.size());
            assertTrue(letters.get(0).getError().contains("key 'bloom-tiny@0|2' should be 'bloom-tiny@0|1'"), letters.get(0).getError());
            assertTrue(letters.get(1).getError().contains("values hold 12 bytes, expected 4 x 256"), letters.get(1).getError());
            assertTrue(letters.get(2).getError().contains("differs from the norm"), letters.get(2).getError());
            letters.forEach(l -> {
                assertEquals("aggregator", l.getComponent());
                assertTrue(l.getError().contains("sample 'en|s01', layer 1"), l.getError());
            });
            assertEquals(0, count(driver.getKeyValueStore(AggregatorTopology.VECTORS_STORE)), "no vector kept from a rejected record");
            // the rejected records did not count: the whole corpus still completes every layer exactly
            pipe(driver, fixture.shuffledRecords(CP, 4));
            assertMatchesBatch(partials(driver));
        }
    }

    /**
     * Without the similarity vectors the group store writes each changed group at every commit (the driver commits
     * after every record), and a meaning group holding all 9 languages of the plan is deleted, its scalars kept; the
     * layer still equals the batch.
     */
    @Test
    void withoutVectorsGroupsReachTheLoggedStoreAtEveryCommitAndCompleteMeaningsCollapse(@TempDir Path state) {
        try (TopologyTestDriver driver = new TopologyTestDriver(AggregatorTopology.build(settings.withSimilarityVectors(false)), Drivers.props(state))) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            GroupSumsStore groups = (GroupSumsStore) driver.getAllStateStores().get(AggregatorTopology.GROUPS_STORE);
            KeyValueStore<String, byte[]> scalars = driver.getKeyValueStore(AggregatorTopology.SCALARS_STORE);
            String prefix = Keys.activation(CP, 0) + "|";
            List<String> languages = fixture.languages();
            for (int l = 0; l < languages.size(); l++) {
                pipe(driver, List.of(fixture.record(CP, fixture.index(languages.get(l), "s01"), 0)));
                // what get() reads is what the last commit wrote to the inner (logged) store
                String language = prefix + "L|" + languages.get(l);
                assertEquals(1, GroupSums.decode(groups.get(language)).count(), "the language group as of the last commit");
                assertNull(groups.get(prefix + "T"), "no total group: it is merged from the language groups");
                if (l < languages.size() - 1) {
                    assertEquals(l + 1, GroupSums.decode(groups.get(prefix + "S|s01")).count());
                    assertNull(scalars.get(prefix + "S|s01"), "a live meaning's scalars come from its group");
                }
            }
            assertEquals(null, groups.get(prefix + "S|s01"), "a meaning with every language of the plan keeps no vectors");
            assertEquals(null, groups.sums(prefix + "S|s01"));
            assertEquals(languages.size(), Scalars.decode(scalars.get(prefix + "S|s01")).model().count(), "but keeps its scalars");
            assertCompleteLayersKeepOnlyTheirLanguageGroups(driver, groups, fixture.layers * fixture.languages().size());
        }
    }

    /**
     * With the similarity vectors (the default) an incomplete layer's groups are held, not logged: no commit writes them
     * (they are rebuilt from the vectors after a restart), nor are a complete layer's while its vectors are kept
     * ({@link #aCompleteLayerReleasesItsPerSampleStateAsConfigured}: written once when they go).
     */
    @Test
    void withVectorsTheLayersGroupsAreNotWritten(@TempDir Path state) {
        try (TopologyTestDriver driver = driver(state)) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            GroupSumsStore groups = (GroupSumsStore) driver.getAllStateStores().get(AggregatorTopology.GROUPS_STORE);
            KeyValueStore<String, byte[]> scalars = driver.getKeyValueStore(AggregatorTopology.SCALARS_STORE);
            String prefix = Keys.activation(CP, 0) + "|";
            List<String> counts = new ArrayList<>();
            for (String lang : fixture.languages()) {
                pipe(driver, List.of(fixture.record(CP, fixture.index(lang, "s01"), 0)));
                counts.add(prefix + "P|" + lang);
                assertEquals(counts.stream().sorted().toList(), keys(groups, ""),
                        "while the layers are incomplete only the language groups' activation counts reach the logged store");
            }
            assertEquals(1, groups.sums(prefix + "L|en").count(), "the aggregator reads its held groups");
            assertEquals(null, groups.sums(prefix + "S|s01"), "a meaning with every language of the plan keeps no vectors");
            assertEquals(fixture.languages().size(), Scalars.decode(scalars.get(prefix + "S|s01")).model().count(), "but keeps its scalars");
            assertCompleteLayersKeepOnlyTheirLanguageGroups(driver, groups, 0);
        }
    }

    /**
     * A build before b65499b (2026-12-07) stored a live meaning's scalars on every record: a layer it began, finished by this
     * build, takes the live meanings' scalars from their groups, so stale stored ones change nothing. One sample of a
     * meaning makes no same-meaning pair: its P_S is 0 (the stale scalars would make it 1e9 − ‖x‖²).
     */
    @Test
    void aLiveMeaningsStaleStoredScalarsAreNotRead(@TempDir Path state) {
        try (TopologyTestDriver driver = driver(state)) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            KeyValueStore<String, byte[]> scalars = driver.getKeyValueStore(AggregatorTopology.SCALARS_STORE);
            String first = fixture.languages().get(0);
            GroupScalars stale = new GroupScalars(1, 1e9, 1e9);
            for (int layer = 0; layer < fixture.layers; layer++) {
                pipe(driver, List.of(fixture.record(CP, fixture.index(first, "s01"), layer)));
                scalars.put(Keys.activation(CP, layer) + "|S|s01", new Scalars(stale, stale).encode());
            }
            driver.advanceWallClockTime(Drivers.INTERIM);
            List<LayerPartial> interim = partials(driver);
            assertEquals(fixture.layers, interim.size());
            for (LayerPartial p : interim) {
                assertEquals(0, PairSumsCodec.fromAvro(p.getWholeModel()).sameMeaningSum(), 1e-9, "layer " + p.getLayer());
                assertEquals(0, PairSumsCodec.fromAvro(p.getPerLayer()).sameMeaningSum(), 1e-9, "layer " + p.getLayer());
            }
            pipe(driver, fixture.shuffledRecords(CP, 8));
            assertMatchesBatch(partials(driver));
        }
    }

    /** The rest of the fixture's records, re-delivering s01: every layer completes equal to the batch, keeping at most its language groups. */
    private void assertCompleteLayersKeepOnlyTheirLanguageGroups(TopologyTestDriver driver, GroupSumsStore groups, int languageGroups) {
        pipe(driver, fixture.shuffledRecords(CP, 6));
        assertMatchesBatch(partials(driver));
        assertEquals(List.of(), keys(groups, "|S|"), "no meaning group is left once every layer is complete");
        assertEquals(List.of(), keys(groups, "|T"), "nor the total's vectors");
        assertEquals(languageGroups, keys(groups, "|L|").size(), "the neuron queries read the language groups");
        assertEquals(0, Drivers.deadLetters(driver).getQueueSize(), "the re-delivered s01 records are duplicates");
    }

    /** A layer whose groups live in its vectors cannot be finished by an instance without them: it says so instead of losing them. */
    @Test
    void aLayerHoldingItsGroupsCannotBeResumedWithoutTheVectors(@TempDir Path dir) {
        StreamsSettings rocks = Drivers.rocksDbSettings();
        try (TopologyTestDriver first = new TopologyTestDriver(AggregatorTopology.build(rocks), Drivers.props(dir.resolve("live")))) {
            pipe(first, List.of(fixture.record(CP, fixture.index("en", "s01"), 0)));
            Drivers.copy(dir.resolve("live"), dir.resolve("restarted"));
        }
        Exception e = assertThrows(Exception.class, () -> new TopologyTestDriver(AggregatorTopology.build(rocks.withSimilarityVectors(false)),
                Drivers.props(dir.resolve("restarted"))).close());
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof IllegalStateException)) {
            cause = cause.getCause();
        }
        assertTrue(cause.getMessage().contains("checkpoint '" + CP + "', layer 0") && cause.getMessage().contains("--no-similarity-map"),
                cause.getMessage());
    }

    /**
     * A language the plan does not have is a dead letter; so is a record for a meaning that already collapsed, which only a
     * record counted before the plan landed can cause (here a foreign language took the place of zh).
     */
    @Test
    void recordsOutsideThePlanAreDeadLettered(@TempDir Path state) {
        try (TopologyTestDriver driver = driver(state)) {
            ActivationRecord en = fixture.record(CP, fixture.index("en", "s01"), 0);
            ActivationRecord foreign = ActivationRecord.newBuilder(en).setLang("xx").setSampleId("xx|s01").build();
            List<ActivationRecord> early = new ArrayList<>(List.of(foreign));
            fixture.languages().stream().filter(l -> !l.equals("zh")).forEach(l -> early.add(fixture.record(CP, fixture.index(l, "s01"), 0)));
            pipe(driver, early); // no plan yet: counted, s01 now holds 9 samples
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            driver.advanceWallClockTime(Drivers.INTERIM); // the plan is known: s01 holds 9 samples, so it collapses
            assertEquals(null, ((GroupSumsStore) driver.getAllStateStores().get(AggregatorTopology.GROUPS_STORE))
                    .get(Keys.activation(CP, 0) + "|S|s01"));
            pipe(driver, List.of(fixture.record(CP, fixture.index("zh", "s01"), 0), foreign));
            List<DeadLetter> letters = Drivers.deadLetters(driver).readValuesToList();
            assertEquals(2, letters.size());
            assertTrue(letters.get(0).getError().contains("sample 'zh|s01', layer 0): meaning 's01' already holds all 9 languages of the plan"),
                    letters.get(0).getError());
            assertTrue(letters.get(1).getError().contains("sample 'xx|s01', layer 0): language 'xx' is not one of the plan's languages"),
                    letters.get(1).getError());
        }
    }

    /**
     * Completeness is "every planned (sample, layer) seen": a sample outside the plan's sample set (a meaning the corpus
     * lacks, one of another corpus) is a dead letter naming its offset, checkpoint and sample, and is not counted, so the
     * checkpoint completes only with its planned samples, equal to the batch; a duplicate of a planned sample counts once.
     */
    @Test
    void samplesOutsideThePlansSampleSetAreDeadLetteredAndTheCheckpointEqualsTheBatch(@TempDir Path state) {
        try (TopologyTestDriver driver = driver(state)) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            int lastLayer = fixture.layers - 1;
            ActivationRecord unknownMeaning = ActivationRecord.newBuilder(fixture.record(CP, fixture.index("en", "s01"), 0))
                    .setMeaningId("s99").setSampleId("en|s99").build();
            ActivationRecord otherCorpus = ActivationRecord.newBuilder(fixture.record(CP, fixture.index("fr", "s02"), lastLayer))
                    .setMeaningId("xstory-0007").setSampleId("fr|xstory-0007").build();
            List<ActivationRecord> records = new ArrayList<>(List.of(unknownMeaning, otherCorpus)); // offsets 0 and 1
            List<ActivationRecord> planned = fixture.shuffledRecords(CP, 13);
            records.addAll(planned);
            records.addAll(200, planned.subList(0, 150)); // duplicates of planned samples before their layers complete
            pipe(driver, records);
            assertMatchesBatch(partials(driver)); // had a stray counted, a layer would complete one planned sample short

            List<DeadLetter> letters = Drivers.deadLetters(driver).readValuesToList();
            assertEquals(2, letters.size());
            String topic = settings.topic(Topic.ACTIVATIONS);
            assertEquals("topic " + topic + " partition 0 offset 0: IllegalArgumentException: activation record (checkpoint 'bloom-tiny@0', sample 'en|s99', layer 0): meaning 's99' is not one of the 50"
                    + " meanings of corpus 'fixture' in the plan; not counted", letters.get(0).getError());
            assertEquals("topic " + topic + " partition 0 offset 1: IllegalArgumentException: activation record (checkpoint"
                    + " 'bloom-tiny@0', sample 'fr|xstory-0007', layer " + lastLayer + "): meaning"
                    + " 'xstory-0007' is not one of the 50 meanings of corpus 'fixture' in the plan; not counted", letters.get(1).getError());
        }
    }

    /**
     * A record that arrives before its plan is counted (as for an unplanned language); when the plan lands, a sample outside
     * its set does not count toward completeness: the layer waits for every planned sample and then names the stray.
     */
    @Test
    void aStraySampleCountedBeforeThePlanDoesNotCompleteTheLayer(@TempDir Path state) {
        try (TopologyTestDriver driver = driver(state)) {
            List<ActivationRecord> layer0 = new ArrayList<>();
            for (int i = 0; i < fixture.samples(); i++) {
                layer0.add(fixture.record(CP, i, 0));
            }
            ActivationRecord last = layer0.remove(layer0.size() - 1);
            layer0.add(ActivationRecord.newBuilder(last).setMeaningId("s99").setSampleId(last.getLang() + "|s99").build());
            pipe(driver, layer0); // as many distinct samples as the plan expects, one of them not planned
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            driver.advanceWallClockTime(Drivers.INTERIM);
            List<LayerPartial> interim = partials(driver);
            assertEquals(1, interim.size());
            assertFalse(interim.get(0).getComplete(), "a count of samples is not completeness");
            pipe(driver, List.of(last));
            List<LayerPartial> complete = partials(driver);
            assertEquals(1, complete.size());
            assertTrue(complete.get(0).getComplete());
            assertEquals(fixture.samples() + 1, complete.get(0).getSamples());
            assertTrue(complete.get(0).getWarnings().contains("layer 0: 1 sample(s) counted before the plan landed are not in it"
                    + " (named in the aggregator's log); these statistics include them"), complete.get(0).getWarnings().toString());
            assertEquals(0, Drivers.deadLetters(driver).getQueueSize());
        }
    }

    /** A complete layer keeps no seen-set and no meaning group; its vectors go as the retention says; re-deliveries are ignored. */
    @Test
    void aCompleteLayerReleasesItsPerSampleStateAsConfigured(@TempDir Path state) {
        Duration retention = Duration.ofMinutes(10);
        StreamsSettings delayed = settings.withVectorRetention(new VectorRetention(retention));
        try (TopologyTestDriver driver = new TopologyTestDriver(AggregatorTopology.build(delayed), Drivers.props(state))) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            List<ActivationRecord> records = fixture.shuffledRecords(CP, 7);
            pipe(driver, records);
            assertMatchesBatch(partials(driver));
            assertEquals(0, count(driver.getKeyValueStore(AggregatorTopology.SEEN_STORE)), "seen-sets released");
            KeyValueStore<String, byte[]> vectors = driver.getKeyValueStore(AggregatorTopology.VECTORS_STORE);
            assertEquals(fixture.samples() * fixture.layers, count(vectors), "vectors kept for the retention period");
            pipe(driver, records.subList(0, 100)); // re-delivered after completion
            assertTrue(partials(driver).isEmpty());
            assertEquals(0, Drivers.deadLetters(driver).getQueueSize());
            driver.advanceWallClockTime(retention.minusSeconds(30));
            assertEquals(fixture.samples() * fixture.layers, count(vectors));
            GroupSumsStore groups = (GroupSumsStore) driver.getAllStateStores().get(AggregatorTopology.GROUPS_STORE);
            assertEquals(keys(groups, "|P|"), keys(groups, ""), "while the vectors are kept they hold the language groups too, but their counts");
            assertEquals(fixture.layers * fixture.languages().size(), keys(groups, "|P|").size());
            driver.advanceWallClockTime(Duration.ofMinutes(1));
            assertEquals(0, count(vectors), "vectors deleted once the retention period has passed");
            assertLanguageGroupsOf(records, groups);
        }
        try (TopologyTestDriver driver = new TopologyTestDriver(AggregatorTopology.build(settings.withVectorRetention(VectorRetention.DROP_AFTER_FINAL)),
                Drivers.props(state.resolve("drop")))) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            List<ActivationRecord> records = fixture.shuffledRecords(CP, 8);
            pipe(driver, records);
            assertMatchesBatch(partials(driver));
            assertEquals(0, count(driver.getKeyValueStore(AggregatorTopology.VECTORS_STORE)), "dropped with the complete partial");
            assertLanguageGroupsOf(records, (GroupSumsStore) driver.getAllStateStores().get(AggregatorTopology.GROUPS_STORE));
        }
    }

    /** The logged language groups (those left when the vectors go) are, byte for byte, the groups of the records. */
    private void assertLanguageGroupsOf(List<ActivationRecord> records, GroupSumsStore groups) {
        java.util.Map<String, GroupSums> expected = new java.util.TreeMap<>();
        for (ActivationRecord r : records) {
            expected.computeIfAbsent(StoreKeys.language(Keys.activation(CP, r.getLayer()), r.getLang()),
                    k -> GroupSums.withNeuronStatistics(fixture.neurons)).add(Activations.vector(null, r));
        }
        assertEquals(List.copyOf(expected.keySet()), keys(groups, ""), "the language groups, and nothing else");
        expected.forEach((key, g) -> assertArrayEquals(g.encode(), groups.get(key), key));
    }

    /**
     * A crash between commits: the state copied at a commit is what a restarted task restores; records processed after
     * it (here: in the first driver after the copy) are lost with the uncommitted cache and delivered again, and the
     * restarted task, whose cache starts empty and rebuilds the held groups from the vectors (or reads the logged
     * ones back from RocksDB, without vectors), still gives the batch result. A cache of 0 bytes writes every held group
     * as it leaves the cache: the rebuild replaces those writes, some of which are newer than the copy's commit.
     */
    @ParameterizedTest(name = "vectors {0}, group cache {1} bytes")
    @CsvSource({"true, 33554432", "true, 0", "false, 33554432"})
    void recordsLostWithTheCacheAreRebuiltExactlyFromTheRedelivery(boolean vectors, long cacheBytes, @TempDir Path dir) {
        StreamsSettings rocks = Drivers.rocksDbSettings().withSimilarityVectors(vectors).withGroupCacheBytes(cacheBytes);
        Path live = dir.resolve("live");
        Path restarted = dir.resolve("restarted");
        List<ActivationRecord> records = fixture.shuffledRecords(CP, 9).stream()
                .filter(r -> r.getLayer() == 1 && Integer.parseInt(r.getMeaningId().substring(1)) <= 10).toList();
        CheckpointPlan plan = CheckpointPlan.newBuilder(fixture.plan(CP)).setSamplesExpected(records.size()).build();
        LayerStatistics expected = new LayerStatistics(fixture.neurons);
        Map<String, GroupSums> languages = new TreeMap<>();
        for (ActivationRecord r : records) {
            expected.add(r.getLang(), r.getMeaningId(), Activations.vector(null, r));
            languages.computeIfAbsent(r.getLang(), l -> GroupSums.withNeuronStatistics(fixture.neurons)).add(Activations.vector(null, r));
        }
        int cut = records.size() / 2;
        try (TopologyTestDriver first = new TopologyTestDriver(AggregatorTopology.build(rocks), Drivers.props(live))) {
            Drivers.input(first, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, plan);
            pipe(first, records.subList(0, cut));
            Drivers.copy(live, restarted); // the last commit
            pipe(first, records.subList(cut, records.size() - 5)); // processed, but lost in the crash
        }
        try (TopologyTestDriver second = new TopologyTestDriver(AggregatorTopology.build(rocks), Drivers.props(restarted))) {
            Drivers.input(second, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, plan);
            pipe(second, records.subList(cut - 10, records.size()));
            List<LayerPartial> partials = partials(second);
            assertEquals(1, partials.size());
            assertTrue(partials.get(0).getComplete());
            assertEquals(records.size(), partials.get(0).getSamples());
            assertSums(expected.pairClassSums(Normalisation.LAYER), PairSumsCodec.fromAvro(partials.get(0).getPerLayer()));
            assertSums(expected.pairClassSums(Normalisation.MODEL), PairSumsCodec.fromAvro(partials.get(0).getWholeModel()));
            assertEquals(languages.keySet(), partials.get(0).getLanguages().stream().map(LanguageLayer::getLang).collect(Collectors.toSet()));
            for (LanguageLayer l : partials.get(0).getLanguages()) { // the activation counts, which the vectors do not carry
                GroupSums g = languages.get(l.getLang());
                assertArrayEquals(g.positiveCounts(), LittleEndian.int64s("positiveCounts", l.getPositiveCounts(), fixture.neurons), l.getLang());
                assertEquals(g.tokenCount(), l.getTokenCount(), l.getLang());
            }
        }
    }

    private static List<String> keys(GroupSumsStore groups, String part) {
        List<String> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = groups.all()) {
            it.forEachRemaining(kv -> {
                if (kv.key.contains(part)) {
                    out.add(kv.key);
                }
            });
        }
        return out;
    }

    /** The same sample with every value negated (same norms): a valid record pointing the other way. */
    private static ActivationRecord negated(ActivationRecord r) {
        ByteBuffer in = r.getValues().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            out.putFloat(-in.getFloat());
        }
        return ActivationRecord.newBuilder(r).setValues(out.flip()).build();
    }

    private static long count(KeyValueStore<String, byte[]> store) {
        long n = 0;
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    private void pipe(TopologyTestDriver driver, List<ActivationRecord> records) {
        TestInputTopic<String, ActivationRecord> in = Drivers.input(driver, settings.topic(Topic.ACTIVATIONS), ActivationRecord.class);
        for (ActivationRecord r : records) {
            in.pipeInput(Keys.activation(r.getCheckpointId(), r.getLayer()), r);
        }
    }

    private List<LayerPartial> partials(TopologyTestDriver driver) {
        TestOutputTopic<String, LayerPartial> out = Drivers.output(driver, settings.layerPartialsTopic(), LayerPartial.class);
        List<LayerPartial> list = new ArrayList<>(out.readValuesToList());
        list.sort(Comparator.comparingInt(LayerPartial::getLayer));
        return list;
    }

    /** Pair-class sums equal to the batch analysis' bit for bit; key neurons identical to reference.json; counts exact. */
    private static void assertMatchesBatch(List<LayerPartial> partials) {
        assertEquals(fixture.layers, partials.size());
        for (int m = 0; m < fixture.layers; m++) {
            assertLayerMatchesBatch(partials.get(m), m);
        }
        // whole-model partials add up to the batch's whole-model sums
        PairClassSums whole = PairClassSums.sumOverLayers(partials.stream().map(p -> PairSumsCodec.fromAvro(p.getWholeModel())).toList());
        assertSums(batch.overall(), whole);
    }

    private static void assertLayerMatchesBatch(LayerPartial p, int m) {
            assertEquals(m, p.getLayer());
            assertTrue(p.getComplete());
            assertEquals(fixture.samples(), p.getSamples());
            assertSums(batch.perLayer().get(m), PairSumsCodec.fromAvro(p.getPerLayer()));
            assertEquals(batch.perLayerLrds()[m], PairSumsCodec.fromAvro(p.getPerLayer()).lrds(), 1e-12);
            assertEquals(fixture.languages(), p.getLanguages().stream().map(LanguageLayer::getLang).toList());
            for (LanguageLayer l : p.getLanguages()) {
                int layer = m;
                List<Integer> expected = fixture.referenceKeyNeurons(l.getLang()).stream()
                        .filter(k -> k / fixture.neurons == layer).map(k -> k % fixture.neurons).toList();
                assertEquals(expected, l.getKeyNeurons(), "key neurons of " + l.getLang() + " in layer " + m);
                assertEquals(50, l.getSamples());
            }
        // positive counts: the language's sum over its samples
        long[] en0 = new long[fixture.neurons];
        long tokens = 0;
        for (int i = 0; i < fixture.samples(); i++) {
            if (fixture.corpus.row(i).lang().equals("en")) {
                int[] c = fixture.positiveCounts(i, m);
                for (int k = 0; k < c.length; k++) {
                    en0[k] += c[k];
                }
                tokens += fixture.reference.get("samples").get(i).get("n_tokens").asInt();
            }
        }
        LanguageLayer en = p.getLanguages().get(0);
        assertEquals(tokens, en.getTokenCount());
        ByteBuffer b = en.getPositiveCounts().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long[] got = new long[fixture.neurons];
        for (int k = 0; k < got.length; k++) {
            got[k] = b.getLong();
        }
        assertArrayEquals(en0, got);
    }

    private static void assertSums(PairClassSums expected, PairClassSums actual) {
        assertEquals(expected.samples(), actual.samples());
        assertEquals(expected.sameLanguagePairs(), actual.sameLanguagePairs());
        assertEquals(expected.sameMeaningPairs(), actual.sameMeaningPairs());
        assertEquals(expected.differentPairs(), actual.differentPairs());
        // bit for bit: the sums do not depend on the order of the samples or of the groups (docs/math.md §10)
        assertEquals(expected.sameLanguageSum(), actual.sameLanguageSum(), 0);
        assertEquals(expected.sameMeaningSum(), actual.sameMeaningSum(), 0);
        assertEquals(expected.differentSum(), actual.differentSum(), 0);
    }
}
