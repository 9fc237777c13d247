package io.linguaflow.streams.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.NeuronTypes;
import io.linguaflow.schemas.avro.SampleRef;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.streams.app.LinguaflowTopology;
import io.linguaflow.streams.config.StreamsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The whole application topology ({@link LinguaflowTopology}) on the fixture in a {@link TopologyTestDriver}: corpus
 * and checkpoint in, the test answering the planner's requests with the fixture's activation records as a worker would.
 * {@link #clean} is the reference run the fault tests compare with bit for bit: the final results are a function of
 * the set of samples (docs/math.md §10), so any run on the same records must give the same bits.
 */
public final class FixtureRun {

    public static final String CP = "bloom-tiny@0";
    /** Wall-clock stamps of the published records, which no two runs share. */
    public static final Set<String> STAMPS = Set.of("computedAt");
    private static Results clean;

    /** The published final results of one checkpoint. */
    public record Results(Metrics metrics, List<KeyRegion> keyRegions, NeuronTypes neuronTypes) {

        /** Every field of the metrics, key regions and neuron types equal to {@code expected}'s bit for bit, stamps aside. */
        public void assertBitIdenticalTo(Results expected) {
            BitIdentical.assertBitIdentical(expected.metrics, metrics, STAMPS);
            BitIdentical.assertBitIdentical(expected.keyRegions, keyRegions, STAMPS);
            if (expected.neuronTypes != null || neuronTypes != null) {
                BitIdentical.assertBitIdentical(expected.neuronTypes, neuronTypes, STAMPS);
            }
        }
    }

    private FixtureRun() {
    }

    /** The results of a clean run (every answer once, in the order requested), computed once per JVM. */
    public static synchronized Results clean(Fixture fixture) {
        if (clean == null) {
            StreamsSettings settings = Drivers.settings();
            Path state;
            try {
                state = Files.createTempDirectory("linguaflow-clean-run");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try (TopologyTestDriver driver = new TopologyTestDriver(LinguaflowTopology.build(settings), Drivers.props(state))) {
                answer(driver, settings, plan(driver, settings, fixture));
                clean = results(driver, settings, fixture);
            }
        }
        return clean;
    }

    /** Corpus and checkpoint in; the worker's answers to the planner's requests (every layer of each sample), in request order. */
    public static List<ActivationRecord> plan(TopologyTestDriver driver, StreamsSettings settings, Fixture fixture) {
        TestInputTopic<String, Sentence> sentences = Drivers.input(driver, settings.topic(Topic.SENTENCES), Sentence.class);
        for (int i = 0; i < fixture.samples(); i++) {
            sentences.pipeInput(fixture.sentenceKey(i), fixture.sentence(i));
        }
        Drivers.input(driver, settings.topic(Topic.CHECKPOINTS), CheckpointEvent.class).pipeInput(CP, fixture.checkpoint(CP, "h0"));
        List<ActivationRecord> answers = new ArrayList<>();
        for (InferenceRequest r : Drivers.output(driver, settings.topic(Topic.INFERENCE_REQUESTS), InferenceRequest.class).readValuesToList()) {
            for (SampleRef s : r.getSamples()) {
                for (int m = 0; m < fixture.layers; m++) {
                    answers.add(fixture.record(CP, fixture.index(s.getLang(), s.getMeaningId()), m));
                }
            }
        }
        assertEquals(fixture.samples() * fixture.layers, answers.size(), "every (sample, layer) requested once");
        return answers;
    }

    public static void answer(TopologyTestDriver driver, StreamsSettings settings, List<ActivationRecord> records) {
        TestInputTopic<String, ActivationRecord> in = Drivers.input(driver, settings.topic(Topic.ACTIVATIONS), ActivationRecord.class);
        for (ActivationRecord a : records) {
            in.pipeInput(Keys.activation(a.getCheckpointId(), a.getLayer()), a);
        }
    }

    /** The one final Metrics published, each language's key region (in language order) and the neuron types. */
    public static Results results(TopologyTestDriver driver, StreamsSettings settings, Fixture fixture) {
        Results r = results(driver, settings);
        assertEquals(fixture.languages().size(), r.keyRegions().size(), "one key region per language");
        return r;
    }

    /** The one final Metrics a driver published, its key regions (in the metrics' language order) and neuron types. */
    public static Results results(TopologyTestDriver driver, StreamsSettings settings) {
        return results(Drivers.output(driver, settings.topic(Topic.METRICS), Metrics.class).readValuesToList(),
                Drivers.output(driver, settings.topic(Topic.KEY_REGIONS), KeyRegion.class).readValuesToList(),
                Drivers.output(driver, settings.topic(Topic.NEURON_TYPES), NeuronTypes.class).readValuesToList());
    }

    /** The final results among published records: one complete Metrics, its complete key regions, at most one neuron types. */
    public static Results results(List<Metrics> metrics, List<KeyRegion> keyRegions, List<NeuronTypes> neuronTypes) {
        List<Metrics> finals = metrics.stream().filter(Metrics::getComplete).toList();
        assertEquals(1, finals.size(), "the final result once");
        List<String> languages = finals.get(0).getLanguages().stream().map(Object::toString).toList();
        List<KeyRegion> regions = new ArrayList<>(keyRegions.stream().filter(KeyRegion::getComplete).toList());
        regions.sort(Comparator.comparingInt(r -> languages.indexOf(r.getLang().toString())));
        assertEquals(languages.size(), regions.size(), "one complete key region per language");
        assertTrue(neuronTypes.size() <= 1, "neuron types at most once");
        return new Results(finals.get(0), List.copyOf(regions), neuronTypes.isEmpty() ? null : neuronTypes.get(0));
    }
}
