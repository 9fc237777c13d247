package io.linguaflow.streams.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.NeuronTypes;
import io.linguaflow.streams.aggregator.AggregatorTopology;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.testkit.Drivers;
import io.linguaflow.streams.testkit.Fixture;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics topology alone, fed with layer partials that the aggregators produced from the fixture. */
class MetricsTopologyTest {

    private static final String CP = "bloom-tiny@0";
    private static Fixture fixture;
    private static List<LayerPartial> interim;
    private static List<LayerPartial> complete;
    private final StreamsSettings settings = Drivers.settings();

    /** Interim partials after half the records, then the complete ones, from the real aggregators. */
    @BeforeAll
    static void aggregate(@TempDir Path state) {
        fixture = Fixture.load();
        StreamsSettings settings = Drivers.settings();
        try (TopologyTestDriver driver = new TopologyTestDriver(AggregatorTopology.build(settings), Drivers.props(state))) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            TestInputTopic<String, ActivationRecord> in = Drivers.input(driver, settings.topic(Topic.ACTIVATIONS), ActivationRecord.class);
            List<ActivationRecord> records = fixture.shuffledRecords(CP, 11);
            records.subList(0, records.size() / 2).forEach(r -> in.pipeInput(Keys.activation(CP, r.getLayer()), r));
            driver.advanceWallClockTime(Drivers.INTERIM);
            interim = Drivers.output(driver, settings.layerPartialsTopic(), LayerPartial.class).readValuesToList();
            records.subList(records.size() / 2, records.size()).forEach(r -> in.pipeInput(Keys.activation(CP, r.getLayer()), r));
            complete = Drivers.output(driver, settings.layerPartialsTopic(), LayerPartial.class).readValuesToList();
        }
        assertEquals(fixture.layers, interim.size());
        assertEquals(fixture.layers, complete.size());
    }

    @Test
    void interimResultsAreThrottledAndTheFinalOneIsPublishedOnce(@TempDir Path state) {
        try (TopologyTestDriver driver = new TopologyTestDriver(MetricsTopology.build(settings), Drivers.props(state))) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            TestInputTopic<String, LayerPartial> partials = Drivers.input(driver, settings.layerPartialsTopic(), LayerPartial.class);
            interim.forEach(p -> partials.pipeInput(CP, p));
            complete.subList(0, fixture.layers - 1).forEach(p -> partials.pipeInput(CP, p));
            assertTrue(Drivers.output(driver, settings.topic(Topic.METRICS), Metrics.class).isEmpty(), "throttled");
            driver.advanceWallClockTime(Drivers.INTERIM);
            List<Metrics> metrics = Drivers.output(driver, settings.topic(Topic.METRICS), Metrics.class).readValuesToList();
            assertEquals(1, metrics.size());
            Metrics m = metrics.get(0);
            assertFalse(m.getComplete());
            assertTrue(Double.isNaN(m.getLrds()), "layers hold different samples: no whole-model value yet");
            assertTrue(m.getWarnings().stream().anyMatch(w -> w.contains("every layer holds the same samples")), m.getWarnings().toString());
            assertEquals(fixture.layers, m.getPerLayer().size(), "per-layer values of the layers reported");
            assertTrue(Drivers.output(driver, settings.topic(Topic.KEY_REGIONS), KeyRegion.class).isEmpty(), "regions are final only");

            driver.advanceWallClockTime(Drivers.INTERIM.multipliedBy(2));
            assertTrue(Drivers.output(driver, settings.topic(Topic.METRICS), Metrics.class).isEmpty(), "nothing new, nothing sent");

            partials.pipeInput(CP, complete.get(fixture.layers - 1));
            metrics = Drivers.output(driver, settings.topic(Topic.METRICS), Metrics.class).readValuesToList();
            assertEquals(1, metrics.size());
            assertTrue(metrics.get(0).getComplete());
            assertEquals(fixture.reference.at("/analysis/overall/lrds").asDouble(), metrics.get(0).getLrds(), 1e-6);
            assertEquals(fixture.languages().size(), Drivers.output(driver, settings.topic(Topic.KEY_REGIONS), KeyRegion.class)
                    .readValuesToList().size());
            assertEquals(1, Drivers.output(driver, settings.topic(Topic.NEURON_TYPES), NeuronTypes.class).readValuesToList().size());

            // late and repeated partials after the final result: nothing is revised or re-sent
            interim.forEach(p -> partials.pipeInput(CP, p));
            complete.forEach(p -> partials.pipeInput(CP, p));
            driver.advanceWallClockTime(Drivers.INTERIM.multipliedBy(2));
            assertTrue(Drivers.output(driver, settings.topic(Topic.METRICS), Metrics.class).isEmpty());
            assertTrue(Drivers.output(driver, settings.topic(Topic.NEURON_TYPES), NeuronTypes.class).isEmpty());
        }
    }

    @Test
    void anOlderPartialNeverReplacesANewerOne(@TempDir Path state) {
        try (TopologyTestDriver driver = new TopologyTestDriver(MetricsTopology.build(settings), Drivers.props(state))) {
            Drivers.input(driver, settings.plansTopic(), CheckpointPlan.class).pipeInput(CP, fixture.plan(CP));
            TestInputTopic<String, LayerPartial> partials = Drivers.input(driver, settings.layerPartialsTopic(), LayerPartial.class);
            complete.subList(0, fixture.layers - 1).forEach(p -> partials.pipeInput(CP, p));
            interim.subList(0, fixture.layers - 1).forEach(p -> partials.pipeInput(CP, p)); // arrive late, out of order
            partials.pipeInput(CP, complete.get(fixture.layers - 1));
            List<Metrics> metrics = Drivers.output(driver, settings.topic(Topic.METRICS), Metrics.class).readValuesToList();
            assertEquals(1, metrics.size());
            assertTrue(metrics.get(0).getComplete());
            assertEquals(450, metrics.get(0).getSamplesSeen());
        }
    }
}
