package io.linguaflow.streams.app;

import io.linguaflow.streams.aggregator.AggregatorTopology;
import io.linguaflow.streams.common.LatestProgress;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.evaluation.EvaluationTopology;
import io.linguaflow.streams.metrics.MetricsTopology;
import io.linguaflow.streams.planner.PlannerTopology;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/**
 * The whole streams application: planner, aggregators (with the instruments, {@code instruments.InstrumentTopology},
 * unless switched off), metrics and evaluations in one topology, sharing the plans global store; the
 * latest-progress global store is read by the query layer only.
 */
public final class LinguaflowTopology {

    private LinguaflowTopology() {
    }

    public static Topology build(StreamsSettings settings) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, settings);
        return builder.build();
    }

    /** Adds the whole application to {@code builder} (tests add their own sources and stores beside it). */
    public static void addTo(StreamsBuilder builder, StreamsSettings settings) {
        Plans.addGlobalStore(builder, settings);
        LatestProgress.addGlobalStore(builder, settings);
        PlannerTopology.addTo(builder, settings);
        AggregatorTopology.addTo(builder, settings);
        MetricsTopology.addTo(builder, settings);
        EvaluationTopology.addTo(builder, settings);
    }
}
