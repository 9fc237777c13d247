package io.linguaflow.analysis.neurontypes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TypeDynamicsTest {

    @TempDir
    Path tmp;

    /** 3 languages, 2 layers of 4 neurons. Masks: a {0, 5}, b {0, 1, 5}, c {0, 6}; general {3, 7}. */
    static final String FIRST = """
            {"languages": ["a", "b", "c"], "layers": 2, "neurons_per_layer": 4,
             "mask": {"a": [[0], [1]], "b": [[0, 1], [1]], "c": [[0], [2]]},
             "general": [[3], [3]]}""";
    /** Masks: a {1, 5}, b {2}, c {5}; general {3}. */
    static final String SECOND = """
            {"languages": ["a", "b", "c"], "layers": 2, "neurons_per_layer": 4,
             "mask": {"a": [[1], [1]], "b": [[2], []], "c": [[], [1]]},
             "general": [[3], []]}""";

    private Path write(String name, String json) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    @Test
    void typesFromMasksChangesAndOverlapsByHand() throws Exception {
        TypeSets a = TypeSets.read(write("a.json", FIRST));
        TypeSets b = TypeSets.read(write("b.json", SECOND));
        // first: 0 in 3 masks (= K: neither specific nor related), 1 in b only, 5 in a and b, 6 in c only
        assertArrayEquals(new int[] {1, 6}, a.types().get(TypeSets.Kind.SPECIFIC));
        assertArrayEquals(new int[] {5}, a.types().get(TypeSets.Kind.RELATED));
        assertArrayEquals(new int[] {3, 7}, a.types().get(TypeSets.Kind.GENERAL));
        // second: 1 in a only, 2 in b only, 5 in a and c
        assertArrayEquals(new int[] {1, 2}, b.types().get(TypeSets.Kind.SPECIFIC));
        assertArrayEquals(new int[] {5}, b.types().get(TypeSets.Kind.RELATED));
        TypeDynamics.Changes c = TypeDynamics.changes(a, b);
        assertArrayEquals(new int[] {1, -1}, c.deltaPerLayer().get(TypeSets.Kind.SPECIFIC)); // {1}|{6} -> {1,2}|{}
        assertArrayEquals(new int[] {0, -1}, c.deltaPerLayer().get(TypeSets.Kind.GENERAL));
        assertEquals(new TypeDynamics.Overlap(2, 2, 1, 1 / 3.0, 0.5, 0.5), c.overlap().get(TypeSets.Kind.SPECIFIC));
        assertEquals(new TypeDynamics.Overlap(1, 1, 1, 1.0, 1.0, 1.0), c.overlap().get(TypeSets.Kind.RELATED));
        assertEquals(new TypeDynamics.Overlap(2, 1, 1, 0.5, 0.5, 1.0), c.overlap().get(TypeSets.Kind.GENERAL));
        assertEquals(new TypeDynamics.Overlap(1, 0, 0, 0, 0, 0), c.overlapPerLayer().get(TypeSets.Kind.GENERAL)[1]);
    }

    /** The flat-id form (streams' NeuronTypes record) of FIRST gives the same sets as the per-layer JSON file. */
    @Test
    void flatIdsGiveTheSameSetsAsTheFile() throws Exception {
        TypeSets file = TypeSets.read(write("a.json", FIRST));
        TypeSets flat = TypeSets.ofFlatIds("first", List.of("a", "b", "c"), 2, 4,
                Map.of("a", new int[] {5, 0}, "b", new int[] {0, 1, 5}, "c", new int[] {0, 6}), new int[] {3, 7});
        assertEquals(file.languages(), flat.languages());
        for (TypeSets.Kind k : TypeSets.Kind.values()) {
            assertArrayEquals(file.types().get(k), flat.types().get(k), k.id());
        }
        for (String lang : file.languages()) {
            assertArrayEquals(file.masks().get(lang), flat.masks().get(lang), lang);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TypeSets.ofFlatIds("first",
                List.of("a", "b"), 2, 4, Map.of("a", new int[] {8}, "b", new int[0]), new int[0]));
        assertEquals("first mask.a has neuron id 8 outside [0, 8)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TypeSets.ofFlatIds("first",
                List.of("a", "b"), 2, 4, Map.of("a", new int[] {1}), new int[0]));
        assertEquals("first: no mask for language 'b'", e.getMessage());
    }

    @Test
    void ablationSetsPerLanguageAndCombined() throws Exception {
        TypeSets a = TypeSets.read(write("a.json", FIRST));
        Map<String, int[]> spec = a.ablationSets(List.of(TypeSets.Kind.SPECIFIC), true);
        assertArrayEquals(new int[] {}, spec.get("a"));
        assertArrayEquals(new int[] {1}, spec.get("b"));
        assertArrayEquals(new int[] {6}, spec.get("c"));
        Map<String, int[]> all = a.ablationSets(List.of(TypeSets.Kind.SPECIFIC, TypeSets.Kind.RELATED,
                TypeSets.Kind.GENERAL), true);
        assertArrayEquals(new int[] {3, 5, 7}, all.get("a"));
        assertArrayEquals(new int[] {1, 3, 5, 7}, all.get("b"));
        Map<String, int[]> combined = a.ablationSets(List.of(TypeSets.Kind.SPECIFIC, TypeSets.Kind.RELATED), false);
        assertEquals(List.of("specific+related"), List.copyOf(combined.keySet()));
        assertArrayEquals(new int[] {1, 5, 6}, combined.get("specific+related"));
    }

    @Test
    void phasesOfASyntheticProfile() {
        int[] specific = {50, 40, 2, 0, 1, 0, 30, 60, 20};
        int[] related = {60, 10, 3, 1, 0, 2, 20, 10, 40};
        int[] general = {10, 20, 80, 90, 85, 70, 5, 15, 200};
        TypeDynamics.Phases p = TypeDynamics.phases(specific, related, general, 0.1);
        assertTrue(p.marked(), p.reason());
        assertEquals(2, p.understandingEnd());
        assertEquals(6, p.sharedEnd());
        assertEquals(Map.of("general_highest_in_shared_phase", true, "general_minimum_in_output_transformation", true,
                "general_maximum_at_last_layer", true), p.checks());
        // no low layer in the middle: not marked, and says why
        TypeDynamics.Phases none = TypeDynamics.phases(new int[] {5, 5, 5, 5, 5}, new int[5], new int[5], 0.1);
        assertFalse(none.marked());
        assertTrue(none.reason().contains("no layer"), none.reason());
        assertThrows(IllegalArgumentException.class, () -> TypeDynamics.phases(specific, related, general, 1.5));
    }

    /**
     * The authors' Mistral MGSM profile (IMPLEMENTATION-NOTES §2.2 table): specific + related almost vanish in
     * layers 5-17 (layer 4: 31 + 9 = 40 <= 0.1 x 591, the layer-29 maximum), so the phases are 0-3, 4-17,
     * 18-30 and 31; the general minimum is layer 23 and the maximum layer 31. Also: the JSON round trip gives
     * the result's own per-layer counts.
     */
    @Test
    void njunlpProfileHasThePapersFourPhases() throws Exception {
        Path dir = SharedData.fixtures().resolve("njunlp");
        ActivationProbabilities p = ProbabilityFiles.readNpy(dir.resolve("counts/p.npy"), NjunlpFixtureTest.LANGS);
        NeuronTypesResult r = ZhangClassifier.prepare(p, 0.01, 0.95).classify(NjunlpFixtureTest.LAMBDA);
        Path json = tmp.resolve("t.json");
        NeuronTypesJson.write(r, json);
        TypeSets s = TypeSets.read(json);
        assertArrayEquals(r.specificPerLayer(), s.perLayer(TypeSets.Kind.SPECIFIC));
        assertArrayEquals(r.relatedPerLayer(), s.perLayer(TypeSets.Kind.RELATED));
        assertArrayEquals(r.generalPerLayer(), s.perLayer(TypeSets.Kind.GENERAL));
        assertEquals(TypeSets.of(r).types().keySet(), s.types().keySet());
        for (TypeSets.Kind k : TypeSets.Kind.values()) {
            assertArrayEquals(TypeSets.of(r).types().get(k), s.types().get(k), k.id());
        }
        TypeDynamics.Phases ph = TypeDynamics.phases(r.specificPerLayer(), r.relatedPerLayer(), r.generalPerLayer(), 0.1);
        assertTrue(ph.marked(), ph.reason());
        assertEquals(4, ph.understandingEnd());
        assertEquals(18, ph.sharedEnd());
        assertTrue(ph.checks().get("general_minimum_in_output_transformation"));
        assertTrue(ph.checks().get("general_maximum_at_last_layer"));
        System.out.println("NJUNLP phases: " + ph);
    }
}
