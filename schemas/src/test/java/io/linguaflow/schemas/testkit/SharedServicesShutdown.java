package io.linguaflow.schemas.testkit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the shared in-JVM cluster and registry when the test run ends, while the test JVM still runs normally, instead
 * of in shutdown hooks that run concurrently with its exit (surefire now and then saw a test JVM end with a non-zero
 * status after every test had passed, and stopping a broker was the one thing ours did at exit). Registered in
 * {@code META-INF/services}, so every module with the schemas test-jar uses it.
 */
public final class SharedServicesShutdown implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        try {
            TestKafka.closeShared();
        } finally {
            TestRegistry.closeShared();
        }
    }
}
