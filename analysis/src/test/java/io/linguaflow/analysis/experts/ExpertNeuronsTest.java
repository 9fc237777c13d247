package io.linguaflow.analysis.experts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExpertNeuronsTest {

    static final List<String> LANGS = List.of("en", "fr");
    static final List<String> CONCEPTS = List.of("food", "travel", "work");

    /** 2 languages x 30 rows, 3 concepts in turn; 40 neurons; neuron 7 fires on "food" in both, 12 on "travel" in fr. */
    record Fixture(float[][] values, List<String> langs, List<Set<String>> labels) {
        static Fixture make() {
            SplittableRandom r = new SplittableRandom(5);
            int rows = 60;
            float[][] v = new float[rows][40];
            List<String> langs = new ArrayList<>();
            List<Set<String>> labels = new ArrayList<>();
            for (int i = 0; i < rows; i++) {
                String lang = LANGS.get(i / 30);
                String c = CONCEPTS.get(i % 3);
                langs.add(lang);
                labels.add(Set.of(c));
                for (int j = 0; j < 40; j++) {
                    v[i][j] = (float) Math.round(r.nextGaussian() * 4) / 4; // coarse: ties
                }
                v[i][7] = c.equals("food") ? 9 : 0;
                v[i][12] = c.equals("travel") && lang.equals("fr") ? 9 : v[i][12];
            }
            return new Fixture(v, langs, labels);
        }
    }

    @Test
    void topKEqualsBruteForceRankingAndOverlapsFollow() {
        Fixture f = Fixture.make();
        int k = 5;
        ExpertNeurons.Result r = ExpertNeurons.find(Responses.of(f.values), f.langs, f.labels, k, "fixture");
        assertTrue(r.skipped().isEmpty());
        for (String c : CONCEPTS) {
            for (String lang : LANGS) {
                List<ExpertNeurons.Expert> want = bruteForceTop(f, c, lang, k);
                assertEquals(want, r.concepts().get(c).get(lang).experts(), c + "/" + lang);
                assertEquals(10, r.concepts().get(c).get(lang).positives());
            }
        }
        assertEquals(new ExpertNeurons.Expert(7, 1.0), r.concepts().get("food").get("en").experts().get(0));
        assertEquals(new ExpertNeurons.Expert(12, 1.0), r.concepts().get("travel").get("fr").experts().get(0));
        for (String c : CONCEPTS) {
            ExpertNeurons.Overlap o = r.overlaps().get(c).get(0);
            Set<Integer> a = ids(r.concepts().get(c).get("en").experts());
            Set<Integer> b = ids(r.concepts().get(c).get("fr").experts());
            Set<Integer> inter = new HashSet<>(a);
            inter.retainAll(b);
            Set<Integer> union = new HashSet<>(a);
            union.addAll(b);
            assertEquals("en|fr", o.a() + "|" + o.b());
            assertEquals((double) inter.size() / k, o.sharedOverK(), 1e-15);
            assertEquals((double) inter.size() / union.size(), o.jaccard(), 1e-15);
        }
        assertTrue(r.overlaps().get("food").get(0).shared() >= 1); // neuron 7 in both
    }

    /** Per-range results (4 "layers" of 10 neurons) merged equal the result over all 40 neurons, also for k > 10. */
    @Test
    void mergedPerLayerResultsEqualTheWholeModelResult() {
        Fixture f = Fixture.make();
        for (int k : new int[] {5, 15}) {
            ExpertNeurons.Result whole = ExpertNeurons.find(Responses.of(f.values), f.langs, f.labels, k, "fixture");
            List<ExpertNeurons.Result> parts = new ArrayList<>();
            int[] first = new int[4];
            for (int layer = 0; layer < 4; layer++) {
                first[layer] = layer * 10;
                float[][] slice = new float[f.values.length][];
                for (int i = 0; i < slice.length; i++) {
                    slice[i] = java.util.Arrays.copyOfRange(f.values[i], layer * 10, layer * 10 + 10);
                }
                parts.add(ExpertNeurons.find(Responses.of(slice), f.langs, f.labels, Math.min(k, 10), "layer " + layer));
            }
            assertEquals(whole, ExpertNeurons.merge(parts, first, k), "k " + k);
        }
        ExpertNeurons.Result one = ExpertNeurons.find(Responses.of(f.values), f.langs, f.labels, 5, "fixture");
        assertThrows(IllegalArgumentException.class, () -> ExpertNeurons.merge(List.of(one), new int[] {0, 40}, 5));
    }

    @Test
    void conceptAbsentFromALanguageIsSkippedNotRanked() {
        Fixture f = Fixture.make();
        List<Set<String>> labels = new ArrayList<>(f.labels);
        for (int i = 0; i < 30; i++) {
            if (labels.get(i).contains("work")) {
                labels.set(i, Set.of("food"));
            }
        }
        ExpertNeurons.Result r = ExpertNeurons.find(Responses.of(f.values), f.langs, labels, 3, "fixture");
        assertEquals(List.of(new ExpertNeurons.Skipped("work", "en", 0, 30)), r.skipped());
        assertEquals(Set.of("fr"), r.concepts().get("work").keySet());
        assertTrue(r.overlaps().get("work").isEmpty());
    }

    @Test
    void badInputIsNamed() {
        Fixture f = Fixture.make();
        var e = assertThrows(IllegalArgumentException.class,
                () -> ExpertNeurons.find(Responses.of(f.values), f.langs, f.labels, 41, "M.npy"));
        assertTrue(e.getMessage().contains("M.npy") && e.getMessage().contains("41"), e.getMessage());
        List<Set<String>> one = new ArrayList<>();
        f.labels.forEach(x -> one.add(Set.of("food")));
        e = assertThrows(IllegalArgumentException.class,
                () -> ExpertNeurons.find(Responses.of(f.values), f.langs, one, 3, "C.tsv column 'topic'"));
        assertTrue(e.getMessage().contains("C.tsv column 'topic'") && e.getMessage().contains("1 concept"), e.getMessage());
    }

    private static List<ExpertNeurons.Expert> bruteForceTop(Fixture f, String c, String lang, int k) {
        List<ExpertNeurons.Expert> all = new ArrayList<>();
        for (int j = 0; j < 40; j++) {
            List<Float> s = new ArrayList<>();
            List<Boolean> y = new ArrayList<>();
            for (int i = 0; i < f.values.length; i++) {
                if (f.langs.get(i).equals(lang)) {
                    s.add(f.values[i][j]);
                    y.add(f.labels.get(i).contains(c));
                }
            }
            float[] sa = new float[s.size()];
            boolean[] ya = new boolean[s.size()];
            for (int i = 0; i < sa.length; i++) {
                sa[i] = s.get(i);
                ya[i] = y.get(i);
            }
            all.add(new ExpertNeurons.Expert(j, AveragePrecisionTest.bruteForce(sa, ya)));
        }
        all.sort(Comparator.comparingDouble(ExpertNeurons.Expert::ap).reversed()
                .thenComparingInt(ExpertNeurons.Expert::neuron));
        return all.subList(0, k);
    }

    private static Set<Integer> ids(List<ExpertNeurons.Expert> xs) {
        Set<Integer> s = new HashSet<>();
        xs.forEach(x -> s.add(x.neuron()));
        return s;
    }
}
