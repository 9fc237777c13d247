package io.linguaflow.bench.streams;

import java.util.Map;
import java.util.function.Consumer;

/** The command line of the bench mains (this one and the soak bench): flags, options with one value each, and --help. */
public final class BenchOptions {

    private BenchOptions() {
    }

    /**
     * Applies {@code args} in order: a flag runs its action, an option passes the next argument to its setter; then
     * {@code check} runs. On a bad argument (unknown, missing value, unparsable, or refused by {@code check}: an
     * {@link IllegalArgumentException}) prints it with the usage and exits 2.
     *
     * @return false when {@code --help} or {@code -h} asked for the usage (printed): the bench does not run
     */
    public static boolean parse(String bench, String usage, String[] args, Map<String, Runnable> flags,
                                Map<String, Consumer<String>> options, Runnable check) {
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    System.out.println(usage);
                    return false;
                } else if (flags.containsKey(a)) {
                    flags.get(a).run();
                } else if (options.containsKey(a)) {
                    if (++i == args.length) {
                        throw new IllegalArgumentException("missing value after " + a);
                    }
                    options.get(a).accept(args[i]);
                } else {
                    throw new IllegalArgumentException("unknown option " + a);
                }
            }
            check.run();
            return true;
        } catch (IllegalArgumentException e) { // NumberFormatException included
            System.err.println(bench + ": " + e.getMessage() + "\nusage: " + usage);
            System.exit(2);
            return false;
        }
    }
}
