package io.linguaflow.producers.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.producers.checkpoint.CheckpointLander;
import io.linguaflow.producers.checkpoint.LandingOptions;
import io.linguaflow.schemas.avro.AblationRequest;
import io.linguaflow.schemas.avro.EvalRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestBuildingTest {

    @TempDir
    Path tmp;

    /** The reference key regions of bloom-tiny, written as {@code analyze} writes them. */
    private Path referenceRegions() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(SharedData.fixtures().resolve("reference/bloom-tiny/reference.json").toFile());
        Path f = tmp.resolve("key-regions.json");
        new ObjectMapper().writeValue(f.toFile(), ref.get("analysis").get("key_neurons").get("indices"));
        return f;
    }

    private static RequestTarget bloomTiny() throws Exception {
        return RequestTarget.of(new CheckpointLander(LandingOptions.forCorpus("corpus"), Clock.systemUTC())
                .land(SharedData.fixtures().resolve("models/bloom-tiny")));
    }

    @Test
    void ablationFromReferenceKeyRegions() throws Exception {
        KeyRegions regions = KeyRegions.read(referenceRegions());
        JsonNode counts = new ObjectMapper().readTree(SharedData.fixtures().resolve("reference/bloom-tiny/reference.json")
                .toFile()).get("analysis").get("key_neurons").get("counts");
        assertEquals(List.of("en", "fr", "es", "pt", "zh", "ar", "hi", "id", "vi"), List.copyOf(regions.sets().keySet()));
        regions.sets().forEach((lang, ids) -> assertEquals(counts.get(lang).asInt(), ids.size(), lang));

        RequestTarget target = bloomTiny();
        assertEquals(4 * 256, target.neuronCount());
        AblationRequest r = AblationRequests.build(target, "corpus", regions, 1234L, null, null);
        assertEquals(target.checkpointId(), r.getCheckpointId());
        assertEquals(target.checkpointPath(), r.getCheckpointPath());
        assertEquals(1234L, r.getRandomBaselineSeed());
        assertNull(r.getWindow());
        assertEquals(455, r.getSets().values().stream().mapToInt(List::size).sum());
        List<Integer> en = new ArrayList<>(new TreeSet<>(regions.sets().get("en")));
        assertEquals(en, r.getSets().get("en"));
        assertTrue(r.getRequestId().matches("ablation-[0-9a-f]{16}"), r.getRequestId());
        assertEquals(r.getRequestId(), AblationRequests.build(target, "corpus", regions, 1234L, null, null).getRequestId(),
                "the same request has the same id");
        assertNotEquals(r.getRequestId(), AblationRequests.build(target, "corpus", regions, 99L, null, null).getRequestId());

        AblationRequest two = AblationRequests.build(target, "corpus", regions.select(List.of("zh", "en")), null, 512, "mine");
        assertEquals(List.of("zh", "en"), List.copyOf(two.getSets().keySet()));
        assertEquals("mine", two.getRequestId());
        assertEquals(512, two.getWindow());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> regions.select(List.of("de")));
        assertTrue(e.getMessage().contains("no set 'de'"), e.getMessage());
        // ids beyond a smaller model: the reference has fr id 1023
        RequestTarget small = new RequestTarget("m@1", "/m", 1023);
        e = assertThrows(IllegalArgumentException.class, () -> AblationRequests.build(small, "corpus", regions, null, null, null));
        assertTrue(e.getMessage().contains("set 'fr'") && e.getMessage().contains("neuron id 1023 is out of range [0, 1023)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AblationRequests.build(target, "corpus", regions, null, 0, null));
        assertThrows(IllegalArgumentException.class,
                () -> AblationRequests.build(target, "corpus", KeyRegions.parse("{}", "empty"), null, null, null));
    }

    @Test
    void analyzeResultJsonCarriesTheModelSize() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(SharedData.fixtures().resolve("reference/bloom-tiny/reference.json").toFile());
        var analysis = new ObjectMapper().createObjectNode();
        analysis.put("mode", "corrected");
        analysis.put("layers", 4);
        analysis.put("neurons_per_layer", 256);
        analysis.set("key_neurons", ref.get("analysis").get("key_neurons").get("indices"));
        analysis.set("key_neuron_counts", ref.get("analysis").get("key_neurons").get("counts"));
        KeyRegions regions = KeyRegions.parse(analysis.toString(), "R.json");
        assertEquals(1024, regions.neuronCount());
        assertEquals(81, regions.sets().get("en").size());
        assertEquals(455, AblationRequests.build(bloomTiny(), "corpus", regions, null, null, null)
                .getSets().values().stream().mapToInt(List::size).sum());

        RequestTarget other = new RequestTarget("llama-tiny@1", "/m", 4 * 172);
        assertEquals("R.json: computed on a model with 1024 neurons (L·D), but checkpoint llama-tiny@1 has 688",
                assertThrows(IllegalArgumentException.class,
                        () -> AblationRequests.build(other, "corpus", regions, null, null, null)).getMessage());

        analysis.put("neurons_per_layer", 200);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyRegions.parse(analysis.toString(), "R.json"))
                .getMessage().contains("is out of range [0, 800)"));
    }

    @Test
    void badKeyRegionsNameSetAndPosition() throws IOException {
        assertEquals("r.json: set 'en', position 2: neuron id 5 repeats position 0",
                assertThrows(IllegalArgumentException.class, () -> KeyRegions.parse("{\"en\":[5,7,5]}", "r.json")).getMessage());
        assertEquals("r.json: set 'fr', position 1: negative neuron id -3",
                assertThrows(IllegalArgumentException.class, () -> KeyRegions.parse("{\"en\":[],\"fr\":[1,-3]}", "r.json")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyRegions.parse("{\"en\":[1.5]}", "r.json"))
                .getMessage().contains("r.json: set 'en', position 0: 1.5 is not an integer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyRegions.parse("{\"en\":[\"3\"]}", "r.json"))
                .getMessage().contains("is not an integer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyRegions.parse("{\"en\":[4294967296]}", "r.json"))
                .getMessage().contains("below 2^31"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyRegions.parse("{\"en\":3}", "r.json"))
                .getMessage().contains("set 'en' is not an array"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyRegions.parse("[1,2]", "r.json"))
                .getMessage().startsWith("r.json: expected a JSON object"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KeyRegions.parse("{\"en\":[1,", "r.json"))
                .getMessage().startsWith("r.json: not valid JSON"));
        Path broken = Files.writeString(tmp.resolve("broken.json"), "{");
        assertTrue(assertThrows(IOException.class, () -> KeyRegions.read(broken)).getMessage().startsWith(broken + ": not valid JSON"));
        KeyRegions ok = KeyRegions.parse("{\"en\":[3,1],\"fr\":[1,2]}", "r.json");
        assertEquals(List.of(1, 2, 3), ok.union());
        assertEquals(Map.of("en", List.of(3, 1), "fr", List.of(1, 2)), ok.sets());
        assertNull(ok.neuronCount());
    }

    @Test
    void evalRequests() throws Exception {
        RequestTarget target = bloomTiny();
        KeyRegions regions = KeyRegions.read(referenceRegions());
        EvalRequest r = EvalRequests.build(target, "xstorycloze", List.of("en", "zh"),
                regions.select(List.of("en", "zh")).union(), 100, null);
        assertEquals("xstorycloze", r.getTask());
        assertEquals(List.of("en", "zh"), r.getLanguages());
        assertEquals(100, r.getLimit());
        TreeSet<Integer> expected = new TreeSet<>(regions.sets().get("en"));
        expected.addAll(regions.sets().get("zh"));
        assertEquals(List.copyOf(expected), r.getAblate());
        assertTrue(r.getRequestId().matches("eval-[0-9a-f]{16}"));

        EvalRequest plain = EvalRequests.build(target, "xstorycloze", List.of("hi"), List.of(), null, "e1");
        assertEquals(List.of(), plain.getAblate());
        assertNull(plain.getLimit());

        String where = "evaluation of " + target.checkpointId();
        assertEquals(where + ": unknown task 'hellaswag' (supported: [xstorycloze])", assertThrows(IllegalArgumentException.class,
                () -> EvalRequests.build(target, "hellaswag", List.of("en"), List.of(), null, null)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> EvalRequests.build(target, "xstorycloze", List.of("fr"), List.of(), null, null))
                .getMessage().contains("has no language 'fr'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> EvalRequests.build(target, "xstorycloze", List.of("en", "en"), List.of(), null, null))
                .getMessage().contains("language 'en' is given twice"));
        assertThrows(IllegalArgumentException.class, () -> EvalRequests.build(target, "xstorycloze", List.of(), List.of(), null, null));
        assertThrows(IllegalArgumentException.class, () -> EvalRequests.build(target, "xstorycloze", List.of("en"), List.of(), 0, null));
        assertEquals(where + ": ablate, position 1: neuron id 4 repeats position 0", assertThrows(IllegalArgumentException.class,
                () -> EvalRequests.build(target, "xstorycloze", List.of("en"), List.of(4, 4), null, null)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> EvalRequests.build(target, "xstorycloze", List.of("en"), List.of(1024), null, null))
                .getMessage().contains("neuron id 1024 is out of range [0, 1024)"));
        assertThrows(IllegalArgumentException.class, () -> new RequestTarget(" ", "/p", null));
    }
}
