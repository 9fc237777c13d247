package io.linguaflow.analysis.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class BestLayerTest {

    private static LanguageProbe.LayerResult layer(int layer, double accuracy) {
        return new LanguageProbe.LayerResult(layer, accuracy, 0, List.of());
    }

    @Test
    void highestMeanAccuracyTiesToTheLowerLayerNaNPassedOver() {
        assertEquals(new BestLayer(1, 0.95), BestLayer.of(List.of(layer(0, 0.9), layer(3, 0.95), layer(1, 0.95), layer(2, Double.NaN))));
        assertEquals(new BestLayer(2, 0.5), BestLayer.of(List.of(layer(2, 0.5), layer(0, Double.NaN))));
        assertNull(BestLayer.of(List.of(layer(0, Double.NaN))));
        assertNull(BestLayer.of(List.of()));
    }
}
