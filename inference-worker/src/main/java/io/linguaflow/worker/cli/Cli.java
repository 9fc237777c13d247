package io.linguaflow.worker.cli;

import java.io.IOException;
import java.util.concurrent.Callable;

/** Turns bad input into a one-line error and exit code 2 instead of a stack trace. */
final class Cli {

    private Cli() {
    }

    static int run(Callable<Integer> body) throws Exception {
        try {
            return body.call();
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }
}
