package io.linguaflow.analysis.ablation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AblationTableTest {

    private static Map<String, Double> row(double en, double zh) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("en", en);
        m.put("zh", zh);
        return m;
    }

    private static AblationTable table() {
        Map<String, Double> baseline = row(10.0, 20.0);
        baseline.put("fr", 30.0); // a language of the evaluation corpus without a region: not in the table
        return AblationTable.of(List.of("en", "zh"), 400, Map.of("zh", 3, "en", 5), baseline,
                Map.of("en", row(15.0, 21.0), "zh", row(10.5, 40.0)), Map.of("en", row(10.1, 20.2), "zh", row(9.9, 20.0)), 7L, "xlsum");
    }

    @Test
    void percentagesAreIncreasesOverTheFullModelAndSharesOfAllNeurons() {
        AblationTable t = table();
        assertEquals(50.0, t.increasePct("en", "en"), 1e-12);  // 15 / 10
        assertEquals(5.0, t.increasePct("en", "zh"), 1e-12);   // 21 / 20
        assertEquals(100.0, t.increasePct("zh", "zh"), 1e-12); // 40 / 20
        assertEquals(-1.0, t.randomIncreasePct("zh", "en"), 1e-12);
        assertEquals(1.25, t.keyNeuronsPct("en"), 1e-12);      // 5 / 400
        assertEquals(0.75, t.keyNeuronsPct("zh"), 1e-12);
        assertEquals(List.of("en", "zh"), List.copyOf(t.baseline().keySet()));
    }

    @Test
    void csvHasThePapersLayout() {
        assertEquals("""
                evaluated,full_ppl,random_ppl,random_increase_pct,without_en_ppl,without_en_increase_pct,without_zh_ppl,without_zh_increase_pct
                en,10.0,10.1,1.0000000000000009,15.0,50.0,10.5,5.000000000000004
                zh,20.0,20.0,0.0,21.0,5.000000000000004,40.0,100.0
                key_neurons,,,,5,,3,
                key_neurons_pct,,,,1.25,,0.75,
                """, AblationTableJson.toCsv(table()));
    }

    @Test
    void jsonRoundTrips() {
        AblationTable t = table();
        var json = AblationTableJson.toJson(t);
        assertEquals(50.0, json.get("increase_pct").get("en").get("en").asDouble(), 1e-12);
        assertEquals(7, json.get("random_seed").asLong());
        assertEquals(t, AblationTableJson.fromJson(json));
    }

    @Test
    void anEvaluationCorpusWithoutARegionLanguageIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> AblationTable.of(List.of("en", "zh"), 400, Map.of("en", 5, "zh", 3),
                Map.of("en", 10.0), Map.of(), Map.of(), null, "xlsum"));
        assertTrue(e.getMessage().contains("evaluation corpus 'xlsum' has no text in language 'zh'"), e.getMessage());
    }
}
