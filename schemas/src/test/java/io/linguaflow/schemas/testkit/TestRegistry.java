package io.linguaflow.schemas.testkit;

import io.linguaflow.ops.registry.RegistryServerProcess;
import io.linguaflow.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real schema-registry server (its own JVM, see {@link RegistryServerProcess}) on a free port of 127.0.0.1.
 * {@link #shared()} gives one per test JVM (started on first use, stopped when the test run ends, see
 * {@link SharedServicesShutdown}); {@link #start()} a private one
 * to close yourself (e.g. to test a registry that goes away). Needs {@code ops/registry-server} built first, which a
 * reactor build with {@code -am} does.
 */
public final class TestRegistry implements AutoCloseable {

    private static TestRegistry shared;

    private final RegistryServerProcess server;
    private final Path workDir;

    private TestRegistry(RegistryServerProcess server, Path workDir) {
        this.server = server;
        this.workDir = workDir;
    }

    public static synchronized TestRegistry shared() {
        if (shared == null) {
            shared = start();
            // normally closed earlier, when the test run ends (SharedServicesShutdown); this is the fallback
            Runtime.getRuntime().addShutdownHook(new Thread(TestRegistry::closeShared, "test-registry-shutdown"));
        }
        return shared;
    }

    /** Stops the shared server if one was started; a later {@link #shared()} starts a new one. */
    static synchronized void closeShared() {
        if (shared != null) {
            TestRegistry registry = shared;
            shared = null;
            registry.close();
        }
    }

    public static TestRegistry start() {
        try {
            Path home = RegistryServerProcess.locateHome();
            Path work = Files.createTempDirectory("linguaflow-registry-");
            return new TestRegistry(RegistryServerProcess.start(home, "127.0.0.1", freePort(), work, Duration.ofSeconds(90)), work);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the schema registry server: " + e.getMessage(), e);
        }
    }

    /** A port nobody listens on right now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Base URL of the Confluent API. */
    public String url() {
        return server.url();
    }

    /** {@code schema.registry.url} = {@link #url()}. */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(SerdeConfig.SCHEMA_REGISTRY_URL, url());
        return config;
    }

    public RegistryServerProcess process() {
        return server;
    }

    /** Stops the server and deletes its log and work directory. */
    @Override
    public void close() {
        server.close();
        try (Stream<Path> files = Files.walk(workDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
