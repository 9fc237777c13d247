package io.linguaflow.streams.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.neurontypes.NeuronTypes;
import io.linguaflow.analysis.neurontypes.NeuronTypesResult;
import io.linguaflow.analysis.neurontypes.TypeDynamics;
import io.linguaflow.analysis.neurontypes.TypeSets;
import io.linguaflow.streams.metrics.CheckpointResults;
import io.linguaflow.streams.testkit.Fixture;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The neuron-type changes route's answer, from NeuronTypes records as the neuron-types route serves them. */
class NeuronTypeChangeQueriesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** 3 languages, 2 layers of 4 neurons (flat ids); the example of analysis TypeDynamicsTest. */
    private static final String FIRST = """
            {"checkpointId": "m@0", "languages": ["a", "b", "c"], "layers": 2, "neuronsPerLayer": 4,
             "masks": {"a": [0, 5], "b": [0, 1, 5], "c": [0, 6]}, "general": [3, 7]}""";
    private static final String SECOND = """
            {"checkpointId": "m@1", "languages": ["a", "b", "c"], "layers": 2, "neuronsPerLayer": 4,
             "masks": {"a": [1, 5], "b": [2], "c": [5]}, "general": [3]}""";

    @Test
    void changesByHand() throws Exception {
        JsonNode c = NeuronTypeChangeQueries.changes("m@0", JSON.readTree(FIRST), "m@1", JSON.readTree(SECOND));
        assertEquals("m@1", c.get("checkpointId").asText());
        assertEquals("m@0", c.get("from").asText());
        // first: specific {1, 6}, related {5}, general {3, 7}; second: specific {1, 2}, related {5}, general {3}
        JsonNode specific = c.at("/types/specific");
        assertEquals(JSON.readTree("[1, -1]"), specific.get("deltaPerLayer"));
        assertEquals(JSON.readTree("""
                {"fromSize": 2, "size": 2, "shared": 1, "jaccard": %s, "sharedOverFrom": 0.5, "sharedOverSize": 0.5}"""
                .formatted(1 / 3.0)), specific.get("overlap"));
        assertEquals(JSON.readTree("[0, 0]"), c.at("/types/related/deltaPerLayer"));
        assertEquals(1.0, c.at("/types/related/overlap/jaccard").asDouble());
        JsonNode general = c.at("/types/general");
        assertEquals(JSON.readTree("[0, -1]"), general.get("deltaPerLayer"));
        assertEquals(0.5, general.at("/overlap/jaccard").asDouble());
        assertEquals(1.0, general.at("/overlap/sharedOverSize").asDouble());
        assertEquals(JSON.readTree("""
                {"fromSize": 1, "size": 0, "shared": 0, "jaccard": 0.0, "sharedOverFrom": 0.0, "sharedOverSize": 0.0}"""),
                general.get("overlapPerLayer").get(1));
    }

    @Test
    void recordsWithoutGeneralIdsOrOfDifferentShapesAreRefused() throws Exception {
        ObjectNode old = (ObjectNode) JSON.readTree(FIRST);
        old.putNull("general"); // a record written before the field existed
        QueryException e = assertThrows(QueryException.class,
                () -> NeuronTypeChangeQueries.changes("m@0", old, "m@1", JSON.readTree(SECOND)));
        assertEquals(404, e.status);
        assertTrue(e.getMessage().contains("checkpoint 'm@0' carry no general neuron ids"), e.getMessage());
        ObjectNode wider = (ObjectNode) JSON.readTree(SECOND);
        wider.put("neuronsPerLayer", 8);
        e = assertThrows(QueryException.class, () -> NeuronTypeChangeQueries.changes("m@0", JSON.readTree(FIRST), "m@1", wider));
        assertEquals(400, e.status);
        assertTrue(e.getMessage().startsWith("checkpoints 'm@0' and 'm@1': cannot compare 2 x 4 neurons with 2 x 8"), e.getMessage());
        ObjectNode outside = (ObjectNode) JSON.readTree(SECOND);
        outside.putArray("general").add(8);
        assertThrows(IllegalArgumentException.class, () -> NeuronTypeChangeQueries.changes("m@0", JSON.readTree(FIRST), "m@1", outside));
    }

    /**
     * Two real classifications of the reference kit (Zhang et al. with λ searched; LAPE with τ at the median), each through the NeuronTypes
     * record the metrics topology publishes and its JSON: the answer equals TypeDynamics on the classifications themselves.
     */
    @Test
    void realClassificationsThroughTheRecordEqualTheBatchChanges() {
        Fixture fixture = Fixture.load();
        NeuronTypesResult zhang = NeuronTypes.classify(fixture.probabilities(), NeuronTypes.Options.zhangAutosweep());
        NeuronTypesResult lape = NeuronTypes.classify(fixture.probabilities(),
                NeuronTypes.Options.lape().withActivationBarRatio(0.5)); // τ at the median: general neurons exist
        JsonNode a = AvroJson.of(new CheckpointResults("bloom-tiny@0", null, List.of()).neuronTypes(zhang));
        JsonNode b = AvroJson.of(new CheckpointResults("bloom-tiny@100", null, List.of()).neuronTypes(lape));
        JsonNode c = NeuronTypeChangeQueries.changes("bloom-tiny@0", a, "bloom-tiny@100", b);
        TypeDynamics.Changes expected = TypeDynamics.changes(TypeSets.of(zhang), TypeSets.of(lape));
        boolean changed = false;
        for (TypeSets.Kind k : TypeSets.Kind.values()) {
            JsonNode t = c.at("/types/" + k.id());
            int[] delta = expected.deltaPerLayer().get(k);
            assertEquals(fixture.layers, t.get("deltaPerLayer").size());
            for (int l = 0; l < delta.length; l++) {
                assertEquals(delta[l], t.get("deltaPerLayer").get(l).asInt(), k + " layer " + l);
                changed |= delta[l] != 0;
                assertOverlap(expected.overlapPerLayer().get(k)[l], t.get("overlapPerLayer").get(l));
            }
            assertOverlap(expected.overlap().get(k), t.get("overlap"));
        }
        assertTrue(changed, "the two classifications differ, so the test can tell a wrong answer");
        assertTrue(c.at("/types/general/overlap/size").asInt() > 0, "general neurons travel through the record");
    }

    private static void assertOverlap(TypeDynamics.Overlap o, JsonNode n) {
        assertEquals(o.sizeA(), n.get("fromSize").asInt());
        assertEquals(o.sizeB(), n.get("size").asInt());
        assertEquals(o.shared(), n.get("shared").asInt());
        assertEquals(o.jaccard(), n.get("jaccard").asDouble());
        assertEquals(o.overFirst(), n.get("sharedOverFrom").asDouble());
        assertEquals(o.overSecond(), n.get("sharedOverSize").asDouble());
    }
}
