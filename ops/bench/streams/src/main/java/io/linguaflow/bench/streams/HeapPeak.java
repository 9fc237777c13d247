package io.linguaflow.bench.streams;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Peak used heap of this JVM while a phase runs, sampled every 20 ms by a daemon thread (the memory pools' own peaks
 * are per pool and reached at different times, so their sum overstates the peak). JVM-wide: in the bench it includes
 * the in-JVM broker and the producer.
 */
final class HeapPeak implements AutoCloseable {

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long peak;

    HeapPeak() {
        System.gc(); // start from the live heap, not from the garbage of the phase before
        peak = memory.getHeapMemoryUsage().getUsed();
        sampler = new Thread(() -> {
            while (running) {
                peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-heap-peak");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Peak used heap in bytes so far. */
    long peak() {
        return Math.max(peak, memory.getHeapMemoryUsage().getUsed());
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
