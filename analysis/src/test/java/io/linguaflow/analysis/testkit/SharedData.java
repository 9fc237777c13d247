package io.linguaflow.analysis.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates {@code ../shared} (reference kit and public data) for tests. The location comes from the
 * system property {@code linguaflow.shared} (set by the parent POM to {@code <repo>/../shared}); when the
 * folder is absent, tests that need it are skipped with a loud message instead of failing.
 */
public final class SharedData {

    public static final String PROPERTY = "linguaflow.shared";

    private SharedData() {
    }

    /** The shared folder, whether or not it exists. */
    public static Path root() {
        return Path.of(System.getProperty(PROPERTY, "../shared")).toAbsolutePath().normalize();
    }

    /** {@code shared/fixtures}, or skips the calling test (loudly) when it is missing. */
    public static Path fixtures() {
        return require(root().resolve("fixtures"));
    }

    /** {@code shared/data}, or skips the calling test (loudly) when it is missing. */
    public static Path data() {
        return require(root().resolve("data"));
    }

    /** A path under {@code shared/}, or skips the calling test (loudly) when it is missing. */
    public static Path require(Path p) {
        boolean present = Files.exists(p);
        if (!present) {
            String msg = "SKIPPED: reference kit not found at " + p + " (set -D" + PROPERTY + "=<path to shared>)";
            System.err.println("*************************************************************************");
            System.err.println(msg);
            System.err.println("*************************************************************************");
            assumeTrue(false, msg);
        }
        return p;
    }
}
