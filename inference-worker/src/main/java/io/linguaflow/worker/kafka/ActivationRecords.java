package io.linguaflow.worker.kafka;

import io.linguaflow.checkpoint.ModelConfig;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.SampleRef;
import io.linguaflow.schemas.codec.LittleEndian;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.SampleActivations;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns one {@link InferenceRequest} into its {@link ActivationRecord}s: one per (sample, layer), in sample order
 * then layer order. Everything that makes a request unusable is found here, before any record exists, and raised
 * as a {@link RejectedRequestException} naming the request and the sample.
 */
final class ActivationRecords {

    private ActivationRecords() {
    }

    /** Checks what can be checked without the model: samples present, ids well-formed and unique, texts non-blank. */
    static void validate(InferenceRequest request) throws RejectedRequestException {
        String where = describe(request);
        if (request.getCheckpointId().isBlank() || request.getCheckpointId().indexOf('|') >= 0) {
            throw new RejectedRequestException(where + ": checkpointId must be non-empty and must not contain '|'");
        }
        if (request.getCheckpointPath().isBlank()) {
            throw new RejectedRequestException(where + ": checkpointPath is empty");
        }
        if (request.getSamples().isEmpty()) {
            throw new RejectedRequestException(where + ": the sample list is empty");
        }
        Set<String> seen = new HashSet<>();
        for (SampleRef s : request.getSamples()) {
            String expected;
            try {
                expected = Keys.sampleId(s.getLang(), s.getMeaningId());
            } catch (IllegalArgumentException e) {
                throw new RejectedRequestException(where + ": sample '" + s.getSampleId() + "' (index " + s.getIndex() + "): "
                        + e.getMessage());
            }
            if (!s.getSampleId().equals(expected)) {
                throw new RejectedRequestException(where + ": sample '" + s.getSampleId() + "' (index " + s.getIndex()
                        + ") has lang '" + s.getLang() + "' and meaningId '" + s.getMeaningId() + "', so its sampleId "
                        + "must be '" + expected + "'");
            }
            if (!seen.add(s.getSampleId())) {
                throw new RejectedRequestException(where + ": sample '" + s.getSampleId() + "' occurs twice");
            }
            if (s.getText().isBlank()) {
                throw new RejectedRequestException(where + ": sample '" + s.getSampleId() + "' (index " + s.getIndex()
                        + ") has an empty text");
            }
        }
    }

    /**
     * Runs the request's samples through {@code model}. A text longer than the model's context length is rejected:
     * its activations past the trained positions would not be the model's.
     *
     * @param worker the instance id written into every record
     */
    static List<ActivationRecord> compute(LanguageModel model, InferenceRequest request, String worker)
            throws RejectedRequestException {
        ModelConfig c = model.config();
        List<SampleRef> samples = request.getSamples();
        List<long[]> ids = model.encode(samples.stream().map(SampleRef::getText).toList());
        for (int i = 0; i < ids.size(); i++) {
            int n = ids.get(i).length;
            if (n == 0 || n > c.contextLength()) {
                throw new RejectedRequestException(describe(request) + ": sample '" + samples.get(i).getSampleId()
                        + "' (index " + samples.get(i).getIndex() + ") has " + n + " tokens; the model takes 1 to "
                        + c.contextLength() + " (its context length)");
            }
        }
        List<SampleActivations> acts = model.activationsOfIds(ids, Ablation.none(), request.getComputeNll());
        List<ActivationRecord> out = new ArrayList<>(samples.size() * c.numLayers());
        for (int i = 0; i < samples.size(); i++) {
            SampleRef s = samples.get(i);
            SampleActivations a = acts.get(i);
            // a single-token sample predicts nothing: no mean NLL
            Double nll = request.getComputeNll() && a.nPredicted() > 0 ? a.meanNll() : null;
            for (int layer = 0; layer < c.numLayers(); layer++) {
                ActivationRecord.Builder b = ActivationRecord.newBuilder()
                        .setCheckpointId(request.getCheckpointId())
                        .setCorpus(request.getCorpus())
                        .setSampleId(s.getSampleId())
                        .setIndex(s.getIndex())
                        .setLang(s.getLang())
                        .setMeaningId(s.getMeaningId())
                        .setLayer(layer)
                        .setLayers(c.numLayers())
                        .setNeuronsPerLayer(c.intermediateSize())
                        .setValues(LittleEndian.float32s(a.layerMeans()[layer]))
                        .setPositiveCounts(LittleEndian.int32s(a.positiveCounts()[layer]))
                        .setTokenCount(a.nTokens())
                        .setLayerNorm(a.layerNorms()[layer])
                        .setWholeModelNorm(a.modelNorm())
                        .setMeanNll(nll)
                        .setWorker(worker);
                if (a.layerMaxima() != null) {
                    b.setMaxValues(LittleEndian.float32s(a.layerMaxima()[layer]));
                }
                if (a.tokenSample() != null) {
                    b.setSampledTokenPositions(LittleEndian.int32s(a.tokenSample().positions()))
                            .setSampledTokenVectors(LittleEndian.float32s(a.tokenSample().vectors()[layer]))
                            .setSampledTokenSource(model.options().capture().tokenSource().name()
                                    .toLowerCase(java.util.Locale.ROOT));
                }
                out.add(b.build());
            }
        }
        return out;
    }

    static String describe(InferenceRequest request) {
        return "request '" + request.getRequestId() + "' (checkpoint '" + request.getCheckpointId() + "')";
    }
}
