package io.linguaflow.launcher.pipeline;

import io.linguaflow.ops.registry.RegistryServerProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A private single-node KRaft broker ({@code ops/local.sh start broker} on free ports, its data in {@code runDir})
 * and a schema registry ({@link RegistryServerProcess}), for one pipeline run. {@link #close()} stops both and checks
 * that no process of this run directory is left.
 */
public final class LocalServices implements AutoCloseable {

    private final Path home;
    private final Path runDir;
    private final Map<String, String> env;
    private final String bootstrap;
    private RegistryServerProcess registry;

    private LocalServices(Path home, Path runDir, int kafkaPort, int controllerPort, boolean build) {
        this.home = home;
        this.runDir = runDir;
        this.env = Map.of("LINGUAFLOW_RUN_DIR", runDir.toString(), "LINGUAFLOW_KAFKA_PORT", Integer.toString(kafkaPort),
                "LINGUAFLOW_CONTROLLER_PORT", Integer.toString(controllerPort), "LINGUAFLOW_NO_BUILD", build ? "" : "1");
        this.bootstrap = "127.0.0.1:" + kafkaPort;
    }

    /**
     * Starts the broker, then the registry, and waits until both answer.
     *
     * @param home   repository root (holds {@code ops/local.sh}); see {@link RegistryServerProcess#locateHome()}
     * @param runDir pid files, logs and broker data of this run
     * @param build  let {@code ops/local.sh} (re)build the broker classpath when sources changed; false inside a Maven
     *               build that has just written it ({@code LINGUAFLOW_NO_BUILD=1})
     * @param promised ports the caller will listen on later (its HTTP port): free now, so the services must not take them
     */
    public static LocalServices start(Path home, Path runDir, boolean build, int... promised) throws IOException, InterruptedException {
        Files.createDirectories(runDir);
        Set<Integer> taken = new HashSet<>();
        Arrays.stream(promised).forEach(taken::add);
        LocalServices s = new LocalServices(home, runDir, freePort(taken), freePort(taken), build);
        try {
            s.localSh("start", "broker");
            s.registry = RegistryServerProcess.start(home, "127.0.0.1", freePort(taken), runDir.resolve("registry"), Duration.ofSeconds(90));
            return s;
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public String registryUrl() {
        return registry.url();
    }

    /**
     * SIGKILLs the broker process (no controlled shutdown: its logs are recovered on the next start) and waits until
     * it is gone; the fault suite's "broker process killed mid-run".
     */
    public void killBroker() throws IOException, InterruptedException {
        Path pidFile = runDir.resolve("broker.pid");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle broker = ProcessHandle.of(pid)
                .orElseThrow(() -> new IOException("broker pid " + pid + " of " + pidFile + " is not running"));
        broker.destroyForcibly();
        broker.onExit().join();
    }

    /** {@code ops/local.sh start broker} again: the same data directory and ports, ready when it returns. */
    public void startBroker() throws IOException, InterruptedException {
        localSh("start", "broker");
    }

    /** Stops registry and broker; throws when a process of this run directory is still alive afterwards. */
    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
        try {
            localSh("stop", "broker");
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ProcessHandle> left = leftovers(runDir);
        if (!left.isEmpty()) {
            throw new IllegalStateException("processes of " + runDir + " still running after stop: "
                    + left.stream().map(ProcessHandle::pid).toList());
        }
    }

    /** Live processes whose command line names {@code runDir} (what {@code pgrep -f <runDir>} finds). */
    public static List<ProcessHandle> leftovers(Path runDir) {
        String dir = runDir.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid() && p.isAlive())
                .filter(p -> p.info().commandLine().map(c -> c.contains(dir)).orElse(false))
                .toList();
    }

    private void localSh(String... args) throws IOException, InterruptedException {
        Path script = home.resolve("ops/local.sh");
        if (!Files.isRegularFile(script)) {
            throw new IOException("cannot start the local broker: " + script + " is missing (is " + home + " the repository root?)");
        }
        Path log = runDir.resolve("local.sh.log"); // the terminal belongs to the command that started us
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", script.toString(), args[0], args[1]))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        int rc = pb.start().waitFor();
        if (rc != 0) {
            throw new IOException("'ops/local.sh " + String.join(" ", args) + "' (run dir " + runDir + ") exited with " + rc
                    + "; its output is in " + log);
        }
    }

    /** A port nobody listens on right now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * A port nobody listens on right now and not in {@code taken}, then added to it: a port found free is not held, so
     * two lookups (or the caller's own) can otherwise return the same one.
     */
    private static int freePort(Set<Integer> taken) throws IOException {
        int port = freePort();
        while (!taken.add(port)) {
            port = freePort();
        }
        return port;
    }
}
