package io.linguaflow.producers.cli;

import io.linguaflow.producers.checkpoint.CheckpointLander;
import io.linguaflow.producers.checkpoint.LandingOptions;
import io.linguaflow.producers.request.RequestTarget;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The checkpoint a request is about: a directory (landed for its id, path and neuron count), or id and path. */
final class TargetOptions {

    static final class Given {
        @Option(names = "--checkpoint-id", required = true, description = "checkpointId as landed.")
        String id;

        @Option(names = "--checkpoint-path", required = true, description = "Checkpoint directory as workers see it.")
        String path;
    }

    static final class Target {
        @Option(names = "--checkpoint", paramLabel = "DIR",
                description = "Checkpoint directory: validated and named as land-checkpoints would (ids range-checked).")
        Path dir;

        @ArgGroup(exclusive = false)
        Given given;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--model", description = "With --checkpoint: model name (default: from the directory names).")
    String model;

    RequestTarget resolve() throws Exception {
        if (target.dir == null) {
            return new RequestTarget(target.given.id, target.given.path, null);
        }
        // the corpus does not enter the checkpoint's id, path or neuron count
        LandingOptions naming = LandingOptions.forCorpus("-").withModel(model);
        return RequestTarget.of(new CheckpointLander(naming, Clock.systemUTC()).land(target.dir));
    }
}
