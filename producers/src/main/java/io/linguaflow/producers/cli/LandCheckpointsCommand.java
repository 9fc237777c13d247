package io.linguaflow.producers.cli;

import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.producers.Rejection;
import io.linguaflow.producers.checkpoint.CheckpointLander;
import io.linguaflow.producers.checkpoint.CheckpointWatcher;
import io.linguaflow.producers.checkpoint.LandingOptions;
import io.linguaflow.producers.kafka.RecordPublisher;
import io.linguaflow.schemas.avro.CheckpointEvent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code land-checkpoints}: validates, hashes and names checkpoint directories and publishes their
 * {@code CheckpointEvent} records to {@code checkpoints} (or prints them as JSON lines without {@code --bootstrap}).
 * Either the given directories once, or {@code --watch ROOT} until interrupted. Broken checkpoints go to
 * {@code dead-letters} and to stderr, naming the file.
 */
@Command(name = "land-checkpoints", mixinStandardHelpOptions = true,
        description = "Validate and name HF checkpoint directories; publish CheckpointEvent records (or print them).")
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
        Optional<RecordPublisher> publisher = publisher();
        try {
            return source.root == null ? landOnce(lander, publisher) : watch(lander, publisher);
        } finally {
            publisher.ifPresent(RecordPublisher::close);
        }
    }

    private int landOnce(CheckpointLander lander, Optional<RecordPublisher> publisher) {
        int broken = 0;
        for (Path dir : source.dirs) {
            try {
                emit(lander.land(dir).event(), publisher);
            } catch (CheckpointException e) {
                reject(CheckpointLander.rejection(e), publisher);
                broken++;
            }
        }
        return broken == 0 ? 0 : 1;
    }

    private int watch(CheckpointLander lander, Optional<RecordPublisher> publisher) throws Exception {
        PrintWriter err = err();
        Duration interval = Duration.ofMillis(intervalMs);
        try (CheckpointWatcher watcher = new CheckpointWatcher(source.root, lander, maxDepth, interval)) {
            while (!Thread.currentThread().isInterrupted()) {
                for (CheckpointWatcher.Outcome o : watcher.poll(interval)) {
                    if (o instanceof CheckpointWatcher.Landed l) {
                        emit(l.event(), publisher);
                    } else if (o instanceof CheckpointWatcher.Rejected r) {
                        reject(r.rejection(), publisher);
                    } else if (o instanceof CheckpointWatcher.Duplicate d) {
                        err.println("duplicate: " + d.dir() + " has the weights already landed as " + d.landedAs());
                    }
                    err.flush();
                }
            }
        }
        return 0;
    }

    private void emit(CheckpointEvent event, Optional<RecordPublisher> publisher) {
        if (publisher.isPresent()) {
            publisher.get().checkpoint(event);
            err().println("landed: " + event.getCheckpointId() + " (" + event.getPath() + ")");
            err().flush();
        } else {
            out().println(event);
            out().flush();
        }
    }

    private void reject(Rejection rejection, Optional<RecordPublisher> publisher) {
        publisher.ifPresent(p -> p.rejections(List.of(rejection)));
        err().println("rejected: " + rejection.error());
        err().flush();
    }
}
