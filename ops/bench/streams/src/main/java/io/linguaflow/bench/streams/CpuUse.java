package io.linguaflow.bench.streams;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU seconds of this process during a phase, and of its Java threads grouped by role (thread names with instance
 * ids stripped) and of its native RocksDB, GC and JIT threads: where a run's CPU goes.
 */
final class CpuUse {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final long processStart = processCpu();
    private final long gcStart = gcMillis();
    private final Map<Long, Long> threadStart = threadCpu();
    private final Map<String, Long> nativeStart = nativeTicks();

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

    /**
     * Clock ticks (1/100 s) of the JVM's native threads by role, from /proc/self/task (Linux; empty elsewhere):
     * RocksDB's background threads, GC and JIT threads are invisible to the ThreadMXBean.
     */
    private static Map<String, Long> nativeTicks() {
        Map<String, Long> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    String role = comm.startsWith("rocksdb") ? "RocksDB native" : comm.startsWith("GC Thread") || comm.startsWith("G1 ")
                            ? "GC" : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "JIT" : null;
                    if (role != null) {
                        String stat = Files.readString(task.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        out.merge(role + "#" + task.getFileName(), Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
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

    /** Process CPU seconds since construction. */
    double processSeconds() {
        return (processCpu() - processStart) / 1e9;
    }

    /** One line: process CPU, then the roles of the Java threads alive now, largest first (threads that ended are missed). */
    String summary() {
        Map<String, Long> byRole = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            long cpu = THREADS.getThreadCpuTime(id) - threadStart.getOrDefault(id, 0L);
            if (info != null && cpu > 0) {
                byRole.merge(role(info.getThreadName()), cpu, Long::sum);
            }
        }
        nativeTicks().forEach((task, ticks) -> byRole.merge(task.substring(0, task.indexOf('#')),
                (ticks - nativeStart.getOrDefault(task, 0L)) * 10_000_000L, Long::sum));
        long accounted = byRole.values().stream().mapToLong(Long::longValue).sum();
        return String.format("CPU %.1f s: ", processSeconds()) + byRole.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                .map(e -> String.format("%s %.1f", e.getKey(), e.getValue() / 1e9)).collect(Collectors.joining(", "))
                + String.format(", other %.1f (GC pauses %.1f s wall)", processSeconds() - accounted / 1e9, (gcMillis() - gcStart) / 1e3);
    }

    private static String role(String thread) {
        if (thread.contains("StreamThread") && thread.contains("producer")) {
            return "streams producer I/O";
        }
        if (thread.contains("StreamThread")) {
            return "stream threads";
        }
        if (thread.contains("GlobalStreamThread")) {
            return "global stream thread";
        }
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
