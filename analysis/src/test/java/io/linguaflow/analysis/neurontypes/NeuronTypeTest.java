package io.linguaflow.analysis.neurontypes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NeuronTypeTest {

    @Test
    void oneMaskIsSpecificSeveralRelatedNoneNotSelected() {
        Map<String, List<Integer>> masks = new LinkedHashMap<>();
        masks.put("en", List.of(1, 4, 9));
        masks.put("zh", List.of(4, 7));
        masks.put("fr", List.of());
        assertEquals(List.of("en"), NeuronType.masksHolding(masks, 1));
        assertEquals(List.of("en", "zh"), NeuronType.masksHolding(masks, 4));
        assertEquals(List.of(), NeuronType.masksHolding(masks, 5));
        assertEquals("language-specific", NeuronType.of(1).label());
        assertEquals("language-related", NeuronType.of(2).label());
        assertEquals("not selected", NeuronType.of(0).label());
    }
}
