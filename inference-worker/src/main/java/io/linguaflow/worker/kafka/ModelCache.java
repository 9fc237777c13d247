package io.linguaflow.worker.kafka;

import ai.djl.Device;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.SafeTensors;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.RuntimeOptions;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's loaded models, least recently used first out. Bounded by a count and by an estimate of their
 * memory: the weights widened to float32 (4 bytes per stored element, whatever the file's dtype). Evictions
 * happen before the next model is loaded, so the bound holds at every moment; evicted models are closed.
 * Not thread-safe (one worker thread).
 */
final class ModelCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);

    /** A checkpoint as requests name it; two ids for one directory are two entries (the id pins the content). */
    record Key(String checkpointId, Path dir) {
    }

    private record Entry(LanguageModel model, long bytes) {
    }

    private final int maxModels;
    private final long maxBytes;
    private final Device device;
    private final RuntimeOptions options;
    /** Access order: the first entry is the least recently used. */
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private int loads;
    private int evictions;

    ModelCache(int maxModels, long maxBytes, Device device, RuntimeOptions options) {
        if (maxModels < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("model cache needs room for one model, got max models " + maxModels
                    + ", max bytes " + maxBytes);
        }
        this.maxModels = maxModels;
        this.maxBytes = maxBytes;
        this.device = device;
        this.options = options;
    }

    /**
     * The loaded model of {@code key}, loading it (and evicting the least recently used ones) when absent.
     *
     * @throws CheckpointException when the directory cannot be loaded, or its weights alone exceed the byte bound
     */
    LanguageModel get(Key key) throws CheckpointException {
        Entry hit = entries.get(key);
        if (hit != null) {
            return hit.model();
        }
        long need = weightBytes(key.dir());
        if (need > maxBytes) {
            throw new CheckpointException(key.dir(), "needs about " + need + " bytes of float32 weights, more than "
                    + "this worker's model memory bound of " + maxBytes + " bytes (--max-model-bytes)");
        }
        Iterator<Map.Entry<Key, Entry>> lru = entries.entrySet().iterator();
        while (lru.hasNext() && (entries.size() >= maxModels || bytes + need > maxBytes)) {
            Map.Entry<Key, Entry> e = lru.next();
            lru.remove();
            bytes -= e.getValue().bytes();
            evictions++;
            LOG.info("evicting model {} ({} bytes) to make room for {}", e.getKey().checkpointId(), e.getValue().bytes(),
                    key.checkpointId());
            e.getValue().model().close();
        }
        LanguageModel model = LanguageModel.load(key.dir(), device, options);
        loads++;
        entries.put(key, new Entry(model, need));
        bytes += need;
        return model;
    }

    /** Estimated memory of a checkpoint once loaded: every stored tensor element as a float32. */
    static long weightBytes(Path dir) throws CheckpointException {
        try (SafeTensors tensors = SafeTensors.open(dir)) {
            long elements = 0;
            for (String name : tensors.names()) {
                elements += tensors.find(name).orElseThrow().numel();
            }
            return Float.BYTES * elements;
        }
    }

    boolean contains(Key key) {
        return entries.containsKey(key);
    }

    int size() {
        return entries.size();
    }

    /** Estimated bytes of the models held now. */
    long bytes() {
        return bytes;
    }

    /** Models loaded so far (a re-load after eviction counts again). */
    int loads() {
        return loads;
    }

    int evictions() {
        return evictions;
    }

    @Override
    public void close() {
        entries.values().forEach(e -> e.model().close());
        entries.clear();
        bytes = 0;
    }
}
