package io.linguaflow.bench.streams;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU seconds of this process during a phase, and of its Java threads grouped by role (thread names with instance
 * ids stripped) and of its native RocksDB, GC and JIT threads, plus the CPU of the bench's streams JVMs (from /proc,
 * split the same way into their native threads): where a run's CPU goes.
 */
final class CpuUse {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Path SELF = Path.of("/proc/self");
    private final long processStart = processCpu();
    private final long gcStart = gcMillis();
    private final Map<Long, Long> threadStart = threadCpu();
    private final Map<String, Long> nativeStart = nativeTicks(SELF);
    private final List<StreamsJvm> children;
    private final Map<StreamsJvm, Long> childStart = new HashMap<>();
    private final Map<StreamsJvm, Map<String, Long>> childNativeStart = new HashMap<>();

    /** @param children the streams JVMs of the run, alive until {@link #summary()} */
    CpuUse(List<StreamsJvm> children) {
        this.children = children;
        for (StreamsJvm child : children) {
            childStart.put(child, processTicks(proc(child)));
            childNativeStart.put(child, nativeTicks(proc(child)));
        }
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static Map<Long, Long> threadCpu() {
        Map<Long, Long> out = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            out.put(id, Math.max(0, THREADS.getThreadCpuTime(id)));
        }
        return out;
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(gc -> Math.max(0, gc.getCollectionTime())).sum();
    }

    private static Path proc(StreamsJvm child) {
        return Path.of("/proc", Long.toString(child.pid()));
    }

    /** utime + stime of a process (exited threads included), clock ticks (1/100 s); 0 where /proc has none. */
    private static long processTicks(Path process) {
        try {
            return ticks(Files.readString(process.resolve("stat")));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** utime + stime from a {@code stat} line (fields 14 and 15, counted after the command name in parentheses). */
    private static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * Clock ticks of a JVM's native threads by role, from /proc/PID/task (Linux; empty elsewhere): RocksDB's background
     * threads, GC and JIT threads are invisible to the ThreadMXBean.
     */
    private static Map<String, Long> nativeTicks(Path process) {
        Map<String, Long> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(process.resolve("task"))) {
            tasks.forEach(task -> {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    String role = comm.startsWith("rocksdb") ? "RocksDB native" : comm.startsWith("GC Thread") || comm.startsWith("G1 ")
                            ? "GC" : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "JIT" : null;
                    if (role != null) {
                        out.merge(role + "#" + task.getFileName(), ticks(Files.readString(task.resolve("stat"))), Long::sum);
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** The native threads' CPU nanoseconds by role since {@code start}. */
    private static Map<String, Long> nativeSince(Path process, Map<String, Long> start) {
        Map<String, Long> byRole = new HashMap<>();
        nativeTicks(process).forEach((task, ticks) -> byRole.merge(task.substring(0, task.indexOf('#')),
                (ticks - start.getOrDefault(task, 0L)) * 10_000_000L, Long::sum));
        return byRole;
    }

    /** Process CPU seconds since construction. */
    double processSeconds() {
        return (processCpu() - processStart) / 1e9;
    }

    /**
     * One line: the CPU of this process and the streams JVMs together; each streams JVM, with the part of it in its
     * native RocksDB, GC and JIT threads; then this process's Java thread roles (of the threads alive now, largest
     * first: threads that ended are missed) and native roles.
     */
    String summary() {
        Map<String, Long> byRole = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            long cpu = THREADS.getThreadCpuTime(id) - threadStart.getOrDefault(id, 0L);
            if (info != null && cpu > 0) {
                byRole.merge(role(info.getThreadName()), cpu, Long::sum);
            }
        }
        nativeSince(SELF, nativeStart).forEach((role, nanos) -> byRole.merge(role, nanos, Long::sum));
        double childSeconds = 0;
        StringBuilder byChild = new StringBuilder();
        for (StreamsJvm child : children) {
            double seconds = (processTicks(proc(child)) - childStart.get(child)) / 100.0;
            childSeconds += seconds;
            byChild.append(String.format("streams JVM %d %.1f (in it %s), ", child.number(), seconds, format(
                    nativeSince(proc(child), childNativeStart.get(child)), 3)));
        }
        long accounted = byRole.values().stream().mapToLong(Long::longValue).sum();
        return String.format("CPU %.1f s: ", processSeconds() + childSeconds) + byChild + format(byRole, 10)
                + String.format(", other %.1f (bench JVM GC pauses %.1f s wall)", processSeconds() - accounted / 1e9,
                (gcMillis() - gcStart) / 1e3);
    }

    /** The {@code limit} largest "role seconds" pairs, largest first. */
    private static String format(Map<String, Long> nanosByRole, int limit) {
        return nanosByRole.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .map(e -> String.format("%s %.1f", e.getKey(), e.getValue() / 1e9)).collect(Collectors.joining(", "));
    }

    private static String role(String thread) {
        if (thread.startsWith("kafka-producer-network-thread")) {
            return "bench producer I/O";
        }
        if (thread.startsWith("data-plane-kafka-request-handler")) {
            return "broker request handlers";
        }
        if (thread.startsWith("data-plane-kafka-network-thread") || thread.startsWith("data-plane-kafka-socket")) {
            return "broker network";
        }
        if (thread.startsWith("kafka-log-cleaner") || thread.contains("log-cleaner")) {
            return "broker log cleaner";
        }
        if (thread.equals("main")) {
            return "bench main (producing)";
        }
        return thread.replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "").replaceAll("-?\\d+$", "");
    }
}
