package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.RuntimeOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LRU of loaded fixture models: bounded by count and by float32 weight bytes, evicted models closed. */
class ModelCacheTest {

    private static ModelCache.Key key(String model) {
        return new ModelCache.Key(model + "@0", Fixtures.model(model));
    }

    @Test
    void weightBytesAreTheStoredElementsAsFloat32() throws Exception {
        // bloom-tiny: vocab 4000 x 64 embeddings (tied head), 4 blocks of H = 64, MLP 256, with biases and norms
        long h = 64;
        long perBlock = 2 * 2 * h + (3 * h * h + 3 * h) + (h * h + h) + (4 * h * h + 4 * h) + (4 * h * h + h);
        long elements = 4000 * h + 2 * h + 4 * perBlock + 2 * h;
        assertEquals(4 * elements, ModelCache.weightBytes(Fixtures.model("bloom-tiny")));
        // half precision on disk, float32 in memory: the same estimate
        assertEquals(4 * elements, ModelCache.weightBytes(Fixtures.model("bloom-tiny-fp16")));
    }

    @Test
    void leastRecentlyUsedModelIsEvictedAndClosedAtTheCountBound() throws Exception {
        try (ModelCache cache = new ModelCache(2, 1L << 30, Device.cpu(), RuntimeOptions.DEFAULT)) {
            LanguageModel bloom = cache.get(key("bloom-tiny"));
            LanguageModel llama = cache.get(key("llama-tiny"));
            assertSame(bloom, cache.get(key("bloom-tiny")), "a hit returns the loaded model");
            cache.get(key("bloom-tiny-fp16")); // llama-tiny is the least recently used now
            assertEquals(2, cache.size());
            assertTrue(cache.contains(key("bloom-tiny")));
            assertTrue(cache.contains(key("bloom-tiny-fp16")));
            assertFalse(cache.contains(key("llama-tiny")));
            assertEquals(3, cache.loads());
            assertEquals(1, cache.evictions());
            assertThrows(RuntimeException.class, () -> llama.activations(List.of("x y"), Ablation.none(), false),
                    "an evicted model is closed");
            assertEquals(ModelCache.weightBytes(Fixtures.model("bloom-tiny"))
                    + ModelCache.weightBytes(Fixtures.model("bloom-tiny-fp16")), cache.bytes());
        }
    }

    @Test
    void theByteBoundEvictsBeforeLoadingAndRejectsWhatCanNeverFit() throws Exception {
        long bloom = ModelCache.weightBytes(Fixtures.model("bloom-tiny"));
        long llama = ModelCache.weightBytes(Fixtures.model("llama-tiny"));
        try (ModelCache cache = new ModelCache(10, bloom + llama - 1, Device.cpu(), RuntimeOptions.DEFAULT)) {
            cache.get(key("bloom-tiny"));
            cache.get(key("llama-tiny"));
            assertEquals(List.of(false, true), List.of(cache.contains(key("bloom-tiny")), cache.contains(key("llama-tiny"))));
            assertEquals(llama, cache.bytes());
        }
        try (ModelCache cache = new ModelCache(10, bloom - 1, Device.cpu(), RuntimeOptions.DEFAULT)) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> cache.get(key("bloom-tiny")));
            assertTrue(e.getMessage().contains("needs about " + bloom + " bytes") && e.getMessage().contains("--max-model-bytes"),
                    e.getMessage());
            assertEquals(0, cache.size());
        }
    }
}
