package io.linguaflow.producers.cli;

import io.linguaflow.producers.checkpoint.CheckpointException;
import io.linguaflow.producers.checkpoint.CheckpointLander;
import io.linguaflow.producers.checkpoint.CheckpointWatcher;
import io.linguaflow.producers.checkpoint.LandingOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code land-checkpoints}: validates, hashes and names checkpoint directories and writes their
 * {@code CheckpointEvent} records as JSON lines to stdout (publishing to the {@code checkpoints} topic comes with the
 * Kafka wiring). Either the given directories once, or {@code --watch ROOT} until interrupted. Broken checkpoints
 * go to stderr naming the file.
 */
@Command(name = "land-checkpoints", mixinStandardHelpOptions = true,
        description = "Validate and name HF checkpoint directories; print CheckpointEvent records as JSON lines.")
public final class LandCheckpointsCommand extends ProducerCommand {

    static final class Source {
        @Parameters(arity = "1..*", paramLabel = "DIR", description = "Checkpoint directories to land once.")
        List<Path> dirs;

        @Option(names = "--watch", paramLabel = "ROOT", description = "Watch ROOT and land checkpoints as they appear.")
        Path root;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--corpus", required = true, description = "Corpus to analyse the checkpoints on.")
    String corpus;

    @Option(names = "--model", description = "Model name (default: from the directory names).")
    String model;

    @Option(names = "--step", description = "Training step (default: from the directory name or trainer_state.json).")
    Long step;

    @Option(names = "--threshold", description = "Key-region z threshold (default ${DEFAULT-VALUE}).")
    double threshold = LandingOptions.DEFAULT_THRESHOLD;

    @Option(names = "--lf-compat", description = "Reproduce the Lingua Franca authors' released-code quirks.")
    boolean lfCompat;

    @Option(names = "--interval", description = "Watch: rescan interval and quiet period in ms (default ${DEFAULT-VALUE}).")
    long intervalMs = 2000;

    @Option(names = "--max-depth", description = "Watch: directory depth searched below ROOT (default ${DEFAULT-VALUE}).")
    int maxDepth = CheckpointWatcher.DEFAULT_MAX_DEPTH;

    @Override
    int run() throws Exception {
        CheckpointLander lander = new CheckpointLander(new LandingOptions(corpus, model, step, threshold, lfCompat),
                Clock.systemUTC());
        PrintWriter out = out();
        PrintWriter err = err();
        if (source.root == null) {
            int broken = 0;
            for (Path dir : source.dirs) {
                try {
                    out.println(lander.land(dir).event());
                } catch (CheckpointException e) {
                    err.println("rejected: " + e.getMessage());
                    broken++;
                }
            }
            out.flush();
            err.flush();
            return broken == 0 ? 0 : 1;
        }
        Duration interval = Duration.ofMillis(intervalMs);
        try (CheckpointWatcher watcher = new CheckpointWatcher(source.root, lander, maxDepth, interval)) {
            while (!Thread.currentThread().isInterrupted()) {
                for (CheckpointWatcher.Outcome o : watcher.poll(interval)) {
                    if (o instanceof CheckpointWatcher.Landed l) {
                        out.println(l.event());
                        out.flush();
                    } else if (o instanceof CheckpointWatcher.Rejected r) {
                        err.println("rejected: " + r.rejection().error());
                    } else if (o instanceof CheckpointWatcher.Duplicate d) {
                        err.println("duplicate: " + d.dir() + " has the weights already landed as " + d.landedAs());
                    }
                    err.flush();
                }
            }
        }
        return 0;
    }
}
