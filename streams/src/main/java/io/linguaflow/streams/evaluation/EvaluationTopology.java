package io.linguaflow.streams.evaluation;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.AblationRequest;
import io.linguaflow.schemas.avro.AblationResult;
import io.linguaflow.schemas.avro.AblationTable;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.EvalRequest;
import io.linguaflow.schemas.avro.EvalResult;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.streams.avro.EvaluationsIssued;
import io.linguaflow.streams.common.Outputs;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.config.StreamsSettings;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * Evaluations of a finished checkpoint (docs/design.md §4b), moving data only:
 * <pre>
 * key-regions (final) ──by checkpoint──► {@link EvaluationRequests} ──► ablation-requests (Table 1), eval-requests (XStoryCloze)
 * ablation-results ────by checkpoint──► {@link TableAssembler} ─────► ablation-tables (or a dead letter)
 * eval-results ────────by checkpoint──► {@link EvalCollector} ──────► store evaluation-results (joins the trend)
 * </pre>
 * The first two share the stores {@value #REGIONS_STORE} ({@code <checkpointId>|<lang>} → final KeyRegion) and
 * {@value #ISSUED_STORE} (checkpointId → what was asked); the table store {@value #TABLES_STORE} (checkpointId →
 * AblationTable) and {@value #EVALS_STORE} ({@code <checkpointId>|<task>|<variant>|<region>} → EvalResult) are
 * queried by {@code /checkpoints/{id}/ablation-table}, {@code /checkpoints/{id}/evaluations} and the trend. What is issued
 * follows {@link StreamsSettings#evaluations()}; the collectors run always, so hand-made requests join in too.
 */
public final class EvaluationTopology {

    public static final String REGIONS_STORE = "evaluation-regions";
    public static final String ISSUED_STORE = "evaluation-issued";
    public static final String TABLES_STORE = "evaluation-tables";
    public static final String EVALS_STORE = "evaluation-results";

    private EvaluationTopology() {
    }

    /** The evaluation topology alone, with the plans global store. */
    public static Topology build(StreamsSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        Plans.addGlobalStore(builder, settings);
        addTo(builder, settings);
        return builder.build();
    }

    /** Adds the evaluation topology to a builder that already has the {@link Plans} global store. */
    public static void addTo(StreamsBuilder builder, StreamsSettings settings) {
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(REGIONS_STORE), Serdes.String(),
                settings.valueSerde(KeyRegion.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(ISSUED_STORE), Serdes.String(),
                settings.valueSerde(EvaluationsIssued.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(TABLES_STORE), Serdes.String(),
                settings.valueSerde(AblationTable.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(settings.keyValueStore(EVALS_STORE), Serdes.String(),
                settings.valueSerde(EvalResult.class)));

        KStream<String, KeyRegion> regions = builder.stream(settings.topic(Topic.KEY_REGIONS),
                        Consumed.with(Serdes.String(), settings.valueSerde(KeyRegion.class)).withName("evaluation-key-regions"))
                .filter((k, v) -> v != null && v.getComplete(), Named.as("evaluation-final-regions"))
                .map((k, v) -> new KeyValue<>(v.getCheckpointId(), v), Named.as("evaluation-region-by-checkpoint"))
                .repartition(Repartitioned.with(Serdes.String(), settings.valueSerde(KeyRegion.class)).withName("evaluation-regions-by-checkpoint"));
        KStream<String, AblationResult> ablations = builder.stream(settings.topic(Topic.ABLATION_RESULTS),
                        Consumed.with(Serdes.String(), settings.valueSerde(AblationResult.class)).withName("evaluation-ablation-results"))
                .filter((k, v) -> v != null, Named.as("evaluation-ablation-present"))
                .map((k, v) -> new KeyValue<>(v.getCheckpointId(), v), Named.as("evaluation-ablation-by-checkpoint"))
                .repartition(Repartitioned.with(Serdes.String(), settings.valueSerde(AblationResult.class))
                        .withName("evaluation-ablations-by-checkpoint"));
        KStream<String, EvalResult> evals = builder.stream(settings.topic(Topic.EVAL_RESULTS),
                        Consumed.with(Serdes.String(), settings.valueSerde(EvalResult.class)).withName("evaluation-eval-results"))
                .filter((k, v) -> v != null, Named.as("evaluation-eval-present"))
                .map((k, v) -> new KeyValue<>(v.getCheckpointId(), v), Named.as("evaluation-eval-by-checkpoint"))
                .repartition(Repartitioned.with(Serdes.String(), settings.valueSerde(EvalResult.class)).withName("evaluation-evals-by-checkpoint"));

        KStream<String, SpecificRecord> requests = regions.process(() -> new EvaluationRequests(settings.evaluations()),
                Named.as("evaluation-requests"), REGIONS_STORE, ISSUED_STORE);
        KStream<String, SpecificRecord> tables = ablations.process(TableAssembler::new, Named.as("evaluation-table"),
                REGIONS_STORE, ISSUED_STORE, TABLES_STORE);
        evals.process(EvalCollector::new, Named.as("evaluation-collect"), EVALS_STORE);
        Outputs.route(requests.merge(tables, Named.as("evaluation-merge")), settings, "evaluation-out",
                AblationRequest.class, EvalRequest.class, AblationTable.class, DeadLetter.class);
    }
}
