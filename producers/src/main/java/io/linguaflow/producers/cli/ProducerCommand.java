package io.linguaflow.producers.cli;

import io.linguaflow.producers.checkpoint.CheckpointException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the producer commands: records go to stdout as JSON lines; bad input ends the command with its
 * message (which names the file, row or record) on stderr and exit code 2, not a stack trace.
 */
abstract class ProducerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        try {
            return run();
        } catch (IOException | IllegalArgumentException | CheckpointException e) {
            err().println("error: " + e.getMessage());
            err().flush();
            return 2;
        }
    }

    /** Does the work; returns the exit code. */
    abstract int run() throws Exception;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
