package io.linguaflow.launcher;

import io.linguaflow.analysis.cli.AnalyzeCommand;
import io.linguaflow.analysis.cli.ExpertsCommand;
import io.linguaflow.analysis.cli.NeuronTypeAblationCommand;
import io.linguaflow.analysis.cli.NeuronTypeDynamicsCommand;
import io.linguaflow.analysis.cli.NeuronTypesCommand;
import io.linguaflow.launcher.demo.DemoCommand;
import io.linguaflow.launcher.pipeline.PipelineCommand;
import io.linguaflow.launcher.report.ReportCommand;
import io.linguaflow.producers.cli.LandCheckpointsCommand;
import io.linguaflow.producers.cli.ProduceCorpusCommand;
import io.linguaflow.producers.cli.RequestAblationCommand;
import io.linguaflow.producers.cli.RequestEvalCommand;
import io.linguaflow.producers.cli.RequestGenerationCommand;
import io.linguaflow.producers.cli.ReplayCommand;
import io.linguaflow.producers.cli.DeadLettersCommand;
import io.linguaflow.streams.cli.StreamsCommand;
import io.linguaflow.training.cli.TrainToyCommand;
import io.linguaflow.worker.cli.EvalCommand;
import io.linguaflow.worker.cli.ExtractCommand;
import io.linguaflow.worker.cli.GenerateCommand;
import io.linguaflow.worker.cli.PerplexityCommand;
import io.linguaflow.worker.cli.ProbeCommand;
import io.linguaflow.worker.cli.Table1Command;
import io.linguaflow.worker.kafka.WorkerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code linguaflow} command. Each subcommand lives in the module it runs; this class only lists them.
 */
@Command(
        name = "linguaflow",
        mixinStandardHelpOptions = true,
        version = "linguaflow 0.1.0-SNAPSHOT",
        description = "Language-specific neurons and lingua-franca convergence of multilingual LLMs, streamed on Kafka.",
        subcommands = {
            CommandLine.HelpCommand.class,
            AnalyzeCommand.class,
            NeuronTypesCommand.class,
            NeuronTypeDynamicsCommand.class,
            NeuronTypeAblationCommand.class,
            ExpertsCommand.class,
            ProbeCommand.class,
            ExtractCommand.class,
            PerplexityCommand.class,
            Table1Command.class,
            EvalCommand.class,
            GenerateCommand.class,
            StreamsCommand.class,
            WorkerCommand.class,
            ProduceCorpusCommand.class,
            LandCheckpointsCommand.class,
            RequestAblationCommand.class,
            RequestEvalCommand.class,
            RequestGenerationCommand.class,
            ReplayCommand.class,
            DeadLettersCommand.class,
            PipelineCommand.class,
            ReportCommand.class,
            TrainToyCommand.class,
            DemoCommand.class,
        })
public final class Linguaflow implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Linguaflow()).execute(args));
    }
}
