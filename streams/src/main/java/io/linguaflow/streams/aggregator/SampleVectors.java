package io.linguaflow.streams.aggregator;

import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.ActivationRecord;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps every activation record's pooled vector in {@value AggregatorTopology#VECTORS_STORE}, key
 * {@code "<checkpointId>|<layer>|<sampleId>"}, for the similarity map (the sufficient statistics cannot give the N×N map).
 * Idempotent: the first record of a (checkpoint, layer, sample) is kept and re-deliveries leave it as it is, the same
 * rule as the aggregator's seen-set, so the map and the metrics always come from the same vector. Malformed records are
 * skipped here; {@link LayerAggregator}, on the same stream, dead-letters them.
 */
final class SampleVectors extends ContextualProcessor<String, ActivationRecord, Void, Void> {

    private KeyValueStore<String, byte[]> vectors;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        super.init(context);
        vectors = context.getStateStore(AggregatorTopology.VECTORS_STORE);
    }

    @Override
    public void process(Record<String, ActivationRecord> record) {
        ActivationRecord a = record.value();
        if (a == null) {
            return;
        }
        try {
            Activations.vector(record.key(), a);
        } catch (IllegalArgumentException e) {
            return;
        }
        vectors.putIfAbsent(Keys.activation(a.getCheckpointId(), a.getLayer()) + "|" + a.getSampleId(), StoredVector.encode(a));
    }
}
