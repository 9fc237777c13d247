package io.linguaflow.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ops/local.sh end to end, on free ports and a run directory of its own: start brings up a ready broker and
 * registry, a second start starts nothing, topics are created, stop leaves no process behind.
 */
class LocalScriptTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent().getParent();

    @TempDir
    Path run;

    private Map<String, String> env;

    @Test
    void startIsIdempotentAndStopLeavesNothingRunning() throws Exception {
        env = Map.of("LINGUAFLOW_RUN_DIR", run.toString(),
                "LINGUAFLOW_KAFKA_PORT", Integer.toString(freePort()),
                "LINGUAFLOW_CONTROLLER_PORT", Integer.toString(freePort()),
                "LINGUAFLOW_REGISTRY_PORT", Integer.toString(freePort()),
                "LINGUAFLOW_NO_BUILD", "1");

        Result first = script("start");
        assertEquals(0, first.status, first.output);
        assertTrue(first.output.contains("broker started") && first.output.contains("registry started"), first.output);
        long broker = pid("broker");
        long registry = pid("registry");
        assertEquals(List.of(broker), processes("broker"));
        assertEquals(List.of(registry), processes("registry"));

        Result second = script("start");
        assertEquals(0, second.status, second.output);
        assertTrue(second.output.contains("broker already running (pid " + broker + ")")
                && second.output.contains("registry already running (pid " + registry + ")"), second.output);
        assertEquals(List.of(broker), processes("broker"), "a second start must not start a second broker");
        assertEquals(List.of(registry), processes("registry"));

        Result status = script("status");
        assertEquals(0, status.status, status.output);
        assertTrue(status.output.contains("bootstrap.servers=127.0.0.1:" + env.get("LINGUAFLOW_KAFKA_PORT"))
                && status.output.contains("schema.registry.url=http://127.0.0.1:" + env.get("LINGUAFLOW_REGISTRY_PORT")
                + "/api/v1/confluent"), status.output);

        Result topics = script("topics", "--partitions", "2");
        assertEquals(0, topics.status, topics.output);
        assertEquals(Topic.values().length, topics.output.lines().filter(l -> l.matches("\\S+ +created +partitions=2.*")).count(), topics.output);
        assertTrue(topics.output.contains("sentences                    created  partitions=2 compacted"), topics.output);

        Result stop = script("stop");
        assertEquals(0, stop.status, stop.output);
        assertEquals(List.of(), processes("broker"), "broker left running after stop");
        assertEquals(List.of(), processes("registry"), "registry left running after stop");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // a killed process may still be exiting
        while (running(broker) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertFalse(running(broker), "broker pid " + broker + " still running after stop");

        Result stopped = script("status");
        assertEquals(3, stopped.status, stopped.output);
        assertTrue(stopped.output.contains("broker:   stopped") && stopped.output.contains("registry: stopped"), stopped.output);
    }

    @Test
    void unknownCommandsAndServicesAreRefused() throws Exception {
        env = Map.of("LINGUAFLOW_RUN_DIR", run.toString(), "LINGUAFLOW_NO_BUILD", "1");
        assertEquals(2, script("launch").status);
        Result service = script("start", "zookeeper");
        assertEquals(1, service.status);
        assertTrue(service.output.contains("unknown service 'zookeeper'"), service.output);
        Result help = script("topics", "--help");
        assertEquals(0, help.status);
        assertTrue(help.output.startsWith("usage: ops/local.sh topics"), help.output);
    }

    @Test
    void anExtraBrokerConfigMustExistAndKeepThePlaintextListener() throws Exception {
        Path missing = run.resolve("missing.properties");
        env = Map.of("LINGUAFLOW_RUN_DIR", run.toString(), "LINGUAFLOW_NO_BUILD", "1",
                "LINGUAFLOW_KAFKA_EXTRA_CONFIG", missing.toString());
        Result absent = script("start", "broker");
        assertEquals(1, absent.status, absent.output);
        assertTrue(absent.output.contains("LINGUAFLOW_KAFKA_EXTRA_CONFIG=" + missing + " is not a file"), absent.output);

        Path tlsOnly = Files.writeString(run.resolve("tls-only.properties"),
                "listeners=SSL://127.0.0.1:" + freePort() + ",CONTROLLER://127.0.0.1:" + freePort() + "\n");
        env = Map.of("LINGUAFLOW_RUN_DIR", run.toString(), "LINGUAFLOW_NO_BUILD", "1",
                "LINGUAFLOW_KAFKA_EXTRA_CONFIG", tlsOnly.toString());
        Result noPlaintext = script("start", "broker");
        assertEquals(1, noPlaintext.status, noPlaintext.output);
        assertTrue(noPlaintext.output.contains("must keep a PLAINTEXT one"), noPlaintext.output);
        assertEquals(List.of(), processes("broker"), "nothing started");
    }

    /** Whatever a failed assertion left behind is stopped. */
    @AfterEach
    void stopAll() throws Exception {
        if (env != null && (!processes("broker").isEmpty() || !processes("registry").isEmpty())) {
            script("stop");
        }
    }

    /**
     * Whether the process runs. The broker is a grandchild of this JVM, reparented when the script exits; once killed
     * it may linger as a zombie until its new parent reaps it, which {@link ProcessHandle#isAlive()} counts as alive.
     */
    private static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        String s;
        try {
            s = Files.readString(stat);
        } catch (java.nio.file.NoSuchFileException gone) {
            return false;
        }
        return s.charAt(s.lastIndexOf(')') + 2) != 'Z'; // field 3, after "pid (comm) "
    }

    private record Result(int status, String output) {
    }

    private Result script(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", ROOT.resolve("ops/local.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("ops/local.sh " + String.join(" ", args) + " hung:\n" + output);
        }
        return new Result(process.exitValue(), output);
    }

    private long pid(String service) throws IOException {
        return Long.parseLong(Files.readString(run.resolve(service + ".pid")).trim());
    }

    /** Live processes carrying this run directory's marker for {@code service} (read from /proc: the JDK's view of long command lines is cut). */
    private List<Long> processes(String service) {
        byte[] marker = ("-Dlinguaflow.local=" + service + ":" + run + "\0").getBytes(StandardCharsets.UTF_8);
        return ProcessHandle.allProcesses()
                .filter(p -> {
                    try {
                        byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                        return indexOf(cmdline, marker) >= 0;
                    } catch (IOException e) {
                        return false; // gone meanwhile
                    }
                })
                .map(ProcessHandle::pid)
                .toList();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
