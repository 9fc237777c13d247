package io.linguaflow.schemas;

import io.linguaflow.schemas.avro.AblationRequest;
import io.linguaflow.schemas.avro.AblationResult;
import io.linguaflow.schemas.avro.AblationTable;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.EvalRequest;
import io.linguaflow.schemas.avro.EvalResult;
import io.linguaflow.schemas.avro.ExpertRanking;
import io.linguaflow.schemas.avro.GenerationRequest;
import io.linguaflow.schemas.avro.GenerationResult;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.NeuronTypes;
import io.linguaflow.schemas.avro.ProbeLayer;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.Sentence;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every topic of the design (docs/design.md §4), with its value record and key format.
 * Values are Avro in the Confluent wire format ({@link io.linguaflow.schemas.serde.AvroSerde}); keys are
 * UTF-8 strings built by {@link Keys} ({@code StringSerializer}), except {@link #DEAD_LETTERS}.
 * Use {@link Topics#name(Topic)} for the actual name, which carries the configurable prefix.
 */
public enum Topic {
    /** Parallel-corpus rows. Key: {@code "<corpus>|<lang>|<meaningId>"} ({@link Keys#sentence}). Compacted. */
    SENTENCES("sentences", true, Sentence.class, "<corpus>|<lang>|<meaningId>"),
    /** Checkpoints to analyse. Key: {@code checkpointId}. Compacted. */
    CHECKPOINTS("checkpoints", true, CheckpointEvent.class, "<checkpointId>"),
    /** Batches of samples for one checkpoint. Key: {@code checkpointId}. */
    INFERENCE_REQUESTS("inference-requests", false, InferenceRequest.class, "<checkpointId>"),
    /** Pooled activations, one record per (checkpoint, sample, layer). Key: {@code "<checkpointId>|<layer>"} ({@link Keys#activation}). */
    ACTIVATIONS("activations", false, ActivationRecord.class, "<checkpointId>|<layer>"),
    /** Lingua-franca metrics, interim and final. Key: {@code checkpointId}. */
    METRICS("metrics", false, Metrics.class, "<checkpointId>"),
    /** Key linguistic region of one language. Key: {@code "<checkpointId>|<lang>"} ({@link Keys#keyRegion}). */
    KEY_REGIONS("key-regions", false, KeyRegion.class, "<checkpointId>|<lang>"),
    /** Language-specific / related / general neurons. Key: {@code checkpointId}. */
    NEURON_TYPES("neuron-types", false, NeuronTypes.class, "<checkpointId>"),
    /** Progress of one checkpoint's analysis. Key: {@code checkpointId}. */
    PROGRESS("progress", false, Progress.class, "<checkpointId>"),
    /** Perplexity with neuron sets zeroed. Key: {@code requestId}. */
    ABLATION_REQUESTS("ablation-requests", false, AblationRequest.class, "<requestId>"),
    /** Answers to ablation requests. Key: {@code requestId}. */
    ABLATION_RESULTS("ablation-results", false, AblationResult.class, "<requestId>"),
    /** Multiple-choice evaluations. Key: {@code requestId}. */
    EVAL_REQUESTS("eval-requests", false, EvalRequest.class, "<requestId>"),
    /** Answers to evaluation requests. Key: {@code requestId}. */
    EVAL_RESULTS("eval-results", false, EvalResult.class, "<requestId>"),
    /** Zeng et al. Table 1 per checkpoint, assembled from its ablation result. Key: {@code checkpointId}. Compacted. */
    ABLATION_TABLES("ablation-tables", true, AblationTable.class, "<checkpointId>"),
    /** Text generation, optionally with a neuron set zeroed. Key: {@code requestId}. */
    GENERATION_REQUESTS("generation-requests", false, GenerationRequest.class, "<requestId>"),
    /** Answers to generation requests. Key: {@code requestId}. */
    GENERATION_RESULTS("generation-results", false, GenerationResult.class, "<requestId>"),
    /** Language-identification probe of one layer. Key: {@code "<checkpointId>|<layer>"}. */
    PROBE_RESULTS("probe-results", false, ProbeLayer.class, "<checkpointId>|<layer>"),
    /** Expert neurons of one (checkpoint, concept, language). Key: {@code "<checkpointId>|<concept>|<lang>"}. */
    EXPERT_NEURONS("expert-neurons", false, ExpertRanking.class, "<checkpointId>|<concept>|<lang>"),
    /** Inputs nobody could process ({@link io.linguaflow.schemas.deadletter.DeadLetters}). Key: the original record's key bytes, unchanged ({@code ByteArraySerializer}). */
    DEAD_LETTERS("dead-letters", false, DeadLetter.class, "original key bytes");

    private final String baseName;
    private final boolean compacted;
    private final Class<? extends SpecificRecord> valueType;
    private final String keyFormat;

    Topic(String baseName, boolean compacted, Class<? extends SpecificRecord> valueType, String keyFormat) {
        this.baseName = baseName;
        this.compacted = compacted;
        this.valueType = valueType;
        this.keyFormat = keyFormat;
    }

    /** The name without prefix, as in the design. */
    public String baseName() {
        return baseName;
    }

    /** True when the topic has {@code cleanup.policy=compact} (latest value per key is kept). */
    public boolean compacted() {
        return compacted;
    }

    /** The generated Avro class of the values. */
    public Class<? extends SpecificRecord> valueType() {
        return valueType;
    }

    /** Human-readable key format, as documented in the README. */
    public String keyFormat() {
        return keyFormat;
    }
}
