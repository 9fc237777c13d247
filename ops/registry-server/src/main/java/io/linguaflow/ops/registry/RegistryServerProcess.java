package io.linguaflow.ops.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A schema-registry server (Hortonworks 0.9.1, in-memory storage, Confluent API under {@value #API_PATH}) in a JVM
 * of its own, bound to one host and port. Its jars are the runtime classpath that this module writes to
 * {@value #CLASSPATH_FILE}; its configuration is {@value #CONFIG_FILE}, with ports and the bind host overridden by
 * Dropwizard's {@code -Ddw.*} properties. {@code ops/local.sh} starts the same command for local runs. Only the JDK is
 * needed here: the schemas test kit and the launcher's {@code pipeline} command use this class without the registry's
 * own jars, which would clash with ours (the module's registry dependency is optional).
 */
public final class RegistryServerProcess implements AutoCloseable {

    public static final String MAIN_CLASS = "com.hortonworks.registries.webservice.RegistryApplication";
    /** Path prefix under which the server speaks the Confluent API. */
    public static final String API_PATH = "/api/v1/confluent";
    /** Relative to the repository root. */
    public static final String CLASSPATH_FILE = "ops/registry-server/target/classpath.txt";
    /** Relative to the repository root. */
    public static final String CONFIG_FILE = "ops/registry-server/registry.yaml";

    private final Process process;
    private final String url;
    private final Path log;

    private RegistryServerProcess(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /**
     * Starts the server and waits until {@code GET <url>/subjects} answers 200.
     *
     * @param home    repository root (see {@link #locateHome()})
     * @param host    bind address, e.g. {@code 127.0.0.1}
     * @param port    HTTP port of the API
     * @param workDir receives {@code registry.log} and the server's jar directory
     * @param timeout how long to wait for readiness; the process is killed when it is not ready by then
     */
    public static RegistryServerProcess start(Path home, String host, int port, Path workDir, Duration timeout)
            throws IOException {
        Path classpathFile = home.resolve(CLASSPATH_FILE);
        Path config = home.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(classpathFile)) {
            throw new IOException("registry server classpath " + classpathFile + " is missing: build it with "
                    + "'mvn -B -pl ops/registry-server package' (a reactor build from the root does it first)");
        }
        Files.createDirectories(workDir);
        Path log = workDir.resolve("registry.log");
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp", Files.readString(classpathFile).trim(),
                "-Ddw.server.applicationConnectors[0].bindHost=" + host,
                "-Ddw.server.applicationConnectors[0].port=" + port,
                "-Ddw.server.adminConnectors[0].bindHost=" + host,
                "-Ddw.server.adminConnectors[0].port=0",
                "-Ddw.fileStorageConfiguration.properties.directory=" + workDir.resolve("jars"),
                MAIN_CLASS, "server", config.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        RegistryServerProcess server = new RegistryServerProcess(process, "http://" + host + ":" + port + API_PATH, log);
        try {
            server.awaitReady(timeout);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * The repository root: the system property {@code linguaflow.home} when set (the launcher sets it), otherwise
     * the nearest directory at or above the working directory that holds {@value #CONFIG_FILE}.
     */
    public static Path locateHome() {
        String property = System.getProperty("linguaflow.home");
        if (property != null) {
            return Paths.get(property).toAbsolutePath();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(CONFIG_FILE))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the linguaflow repository root (a directory holding "
                + CONFIG_FILE + ") at or above " + Paths.get("").toAbsolutePath() + "; set -Dlinguaflow.home");
    }

    private void awaitReady(Duration timeout) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url + "/subjects")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("registry server exited with status " + process.exitValue()
                        + " before it was ready at " + url + "; log " + log + ":\n" + logTail());
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the registry server at " + url, e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the registry server at " + url, e);
            }
        }
        throw new IOException("registry server not ready at " + url + " after " + timeout.toSeconds() + " s; log "
                + log + ":\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Base URL of the Confluent API, for {@code schema.registry.url}. */
    public String url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits until it is gone. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
