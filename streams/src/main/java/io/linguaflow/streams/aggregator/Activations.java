package io.linguaflow.streams.aggregator;

import io.linguaflow.analysis.similarity.SimilarityMap;
import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.codec.LittleEndian;

/** Reads an {@link ActivationRecord} into the analysis' {@link LayerVector}, rejecting malformed records by name. */
public final class Activations {

    /** The stored layer norm may differ from the norm of the float32 values by rounding, not more. */
    private static final double NORM_TOLERANCE = 1e-4;

    private Activations() {
    }

    /**
     * @param key the record key, {@code "<checkpointId>|<layer>"} (null is accepted: only the value is checked)
     * @throws IllegalArgumentException naming the record (checkpoint, sample, layer) and the defect
     */
    public static LayerVector vector(String key, ActivationRecord a) {
        return vector(key, a, null, null);
    }

    /**
     * {@link #vector(String, ActivationRecord)} with its values and positive counts read into {@code values} and
     * {@code counts} when they have D elements (else into new arrays): a caller that reads one record after another
     * passes the previous vector's arrays.
     */
    public static LayerVector vector(String key, ActivationRecord a, double[] values, int[] counts) {
        String where = "activation record (checkpoint '" + a.getCheckpointId() + "', sample '" + a.getSampleId() + "', layer "
                + a.getLayer() + ")";
        int d = a.getNeuronsPerLayer();
        if (a.getLayers() < 1 || a.getLayer() < 0 || a.getLayer() >= a.getLayers()) {
            throw new IllegalArgumentException(where + ": layer " + a.getLayer() + " outside [0, " + a.getLayers() + ")");
        }
        if (d < 1) {
            throw new IllegalArgumentException(where + ": neuronsPerLayer " + d + " < 1");
        }
        String sampleId;
        String expectedKey;
        try {
            sampleId = Keys.sampleId(a.getLang(), a.getMeaningId());
            expectedKey = Keys.activation(a.getCheckpointId(), a.getLayer());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        if (!a.getSampleId().equals(sampleId)) {
            throw new IllegalArgumentException(where + ": sampleId must be '<lang>|<meaningId>' = '" + sampleId + "'");
        }
        if (key != null && !key.equals(expectedKey)) {
            throw new IllegalArgumentException(where + ": key '" + key + "' should be '" + expectedKey + "'");
        }
        double[] h;
        int[] positive;
        try {
            h = LittleEndian.float32sWidened("values", a.getValues(), d, values);
            positive = LittleEndian.int32sOrNull("positiveCounts", a.getPositiveCounts(), d, counts);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        if (positive != null) {
            for (int k = 0; k < d; k++) {
                if (positive[k] < 0 || positive[k] > a.getTokenCount()) {
                    throw new IllegalArgumentException(where + ": positive count " + positive[k] + " of neuron " + k
                            + " outside [0, tokenCount " + a.getTokenCount() + "]");
                }
            }
        }
        try {
            double norm = normForCheck(h);
            if (Math.abs(norm - a.getLayerNorm()) > NORM_TOLERANCE * Math.max(norm, 1e-30)) {
                throw new IllegalArgumentException("layerNorm " + a.getLayerNorm() + " differs from the norm " + norm + " of the values");
            }
            return new LayerVector(h, a.getLayerNorm(), a.getWholeModelNorm(), positive, positive == null ? 0 : a.getTokenCount());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * ‖h‖ for the tolerance check only, as the four-accumulator {@link SimilarityMap#dot}: one sum in index order
     * ({@link LayerVector#norm}), each addition waiting for the previous one, took 5 % of the stream thread at BLOOM-7b1
     * shape, and the check needs no particular rounding. A non-finite element makes the sum non-finite (a widened
     * float32 squared cannot overflow), and is then named as {@link LayerVector#norm} names it.
     */
    private static double normForCheck(double[] h) {
        double s = SimilarityMap.dot(h, h);
        return Double.isFinite(s) ? Math.sqrt(s) : LayerVector.norm(h);
    }
}
