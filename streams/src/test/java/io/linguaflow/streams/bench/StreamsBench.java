package io.linguaflow.streams.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.batch.AnalysisResult;
import io.linguaflow.schemas.avro.LayerMetrics;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Throughput of the streams application (RocksDB, exactly-once v2) on the in-JVM broker against the batch computation
 * of the same data, measured in the same run. Synthetic activations of {@code bench.layers} x {@code bench.neurons}
 * for {@code bench.languages} x {@code bench.meanings} samples are written once to a {@code .npy}; after an untimed
 * warm-up run of 2 languages x 10 meanings,
 * <ol>
 *   <li>for each of {@code bench.instances} (default {@code 1,2}): that many streams instances in this JVM, records
 *       produced all at once, time to the final metrics;</li>
 *   <li>the batch {@code Analyzer} on the {@code .npy} (the reference of the ratios);</li>
 *   <li>unless {@code bench.bruteForce=false}: the brute-force N×N similarity maps (whole model and per layer).</li>
 * </ol>
 * Prints one table and asserts that every streamed LRDS/SADS (whole model and per layer) and key-neuron count equals
 * the batch one (1e-9 relative), and that the brute force agrees too, so the bench also proves correctness.
 * Run by {@code ops/bench/streams} (skipped in the normal build).
 */
@EnabledIfSystemProperty(named = "linguaflow.bench", matches = "true")
class StreamsBench {

    private static final double RELATIVE = 1e-9;
    /** Largest relative deviation seen by {@link #assertClose}, of the streamed and of the brute-force values. */
    private static double maxDeviation;
    private static double bruteDeviation;

    private static int param(String name, int fallback) {
        return Integer.parseInt(System.getProperty("bench." + name, Integer.toString(fallback)));
    }

    @Test
    void streamsAgainstBatch() throws Exception {
        int layers = param("layers", 8);
        int neurons = param("neurons", 2048);
        int languages = param("languages", 6);
        int meanings = param("meanings", 50);
        int[] instances = Arrays.stream(System.getProperty("bench.instances", "1,2").split(",")).mapToInt(s -> Integer.parseInt(s.trim()))
                .toArray();
        boolean bruteForce = Boolean.parseBoolean(System.getProperty("bench.bruteForce", "true"));

        Path dir = Files.createTempDirectory("linguaflow-bench-data-");
        BenchData data = BenchData.generate(dir, layers, neurons, languages, meanings, 1);
        try {
            TestKafka kafka = TestKafka.shared();
            TestRegistry registry = TestRegistry.shared();
            warmUp(dir, data, kafka, registry);
            List<StreamsRun.Result> streams = new ArrayList<>();
            for (int n : instances) {
                streams.add(StreamsRun.run(data, n, kafka, registry));
            }
            BatchRun.Incremental batch = BatchRun.incremental(data);
            BatchRun.BruteForce brute = bruteForce ? BatchRun.bruteForce(data) : null;

            System.out.print(table(data, streams, batch, brute));
            streams.forEach(r -> System.out.printf("streams bench, %d instance(s): %s%n", r.instances(), r.cpu()));
            for (StreamsRun.Result r : streams) {
                assertSameMetrics(r.instances() + " instance(s)", r.metrics(), batch.result());
            }
            if (brute != null) {
                assertSameMetrics(batch.result(), brute);
            }
            System.out.printf("streams bench: largest relative deviation of LRDS/SADS (whole model and per layer) from the batch"
                    + " result: streams %.1e, brute force %s; key-neuron counts equal%n", maxDeviation, brute == null ? "-"
                    : String.format("%.1e", bruteDeviation));
        } finally {
            Files.deleteIfExists(data.file());
            Files.deleteIfExists(dir);
        }
    }

    /**
     * One untimed streams run of a few samples of the same shape first, so that the broker, the clients and the
     * aggregator are compiled before the first measured run (without it the first run pays the JVM's warm-up).
     */
    private static void warmUp(Path dir, BenchData data, TestKafka kafka, TestRegistry registry) throws Exception {
        Path warmDir = Files.createDirectories(dir.resolve("warm-up"));
        BenchData warm = BenchData.generate(warmDir, data.layers(), data.neurons(), 2, Math.min(data.meanings(), 10), 2);
        try {
            StreamsRun.run(warm, 1, kafka, registry);
        } finally {
            Files.deleteIfExists(warm.file());
            Files.deleteIfExists(warmDir);
        }
    }

    static String table(BenchData data, List<StreamsRun.Result> streams, BatchRun.Incremental batch, BatchRun.BruteForce brute) {
        long records = (long) data.samples() * data.layers();
        double mb = records * data.recordBytes() / 1e6;
        StringBuilder out = new StringBuilder();
        out.append(String.format("streams bench %s, %d cores, max heap %s: %d layers x %d neurons, %d languages x %d meanings = %d samples,"
                        + " %d activation records of %.0f KB float32 values (%.1f MB; twice that on the wire with the positive counts)%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(), size(Runtime.getRuntime().maxMemory()), data.layers(),
                data.neurons(), data.languages(), data.meanings(), data.samples(), records, data.recordBytes() / 1e3, mb));
        String format = "| %-26s | %9s | %9s | %8s | %13s | %10s | %12s | %9s | %10s | %10s |%n";
        out.append(String.format(format, "run", "seconds", "records/s", "MB/s", "ratio vs batch", "heap peak", "RocksDB size",
                "produce s", "latency s", "changelog"));
        out.append(String.format(format, "-".repeat(26), "-".repeat(9), "-".repeat(9), "-".repeat(8), "-".repeat(13), "-".repeat(10),
                "-".repeat(12), "-".repeat(9), "-".repeat(10), "-".repeat(10)));
        for (StreamsRun.Result r : streams) {
            out.append(String.format(format, "streams, " + r.instances() + (r.instances() == 1 ? " instance" : " instances"),
                    seconds(r.seconds()), rate(records, r.seconds()), rate(mb, r.seconds()), ratio(r.seconds(), batch.seconds()),
                    size(r.heapPeak()), size(r.rocksDbBytes()), seconds(r.produceSeconds()), seconds(r.latencySeconds()),
                    size(r.changelogBytes())));
        }
        out.append(String.format(format, "batch incremental", seconds(batch.seconds()), rate(records, batch.seconds()),
                rate(mb, batch.seconds()), ratio(batch.seconds(), batch.seconds()), size(batch.heapPeak()), "-", "-", "-", "-"));
        if (brute != null) {
            out.append(String.format(format, "batch brute force (N x N)", seconds(brute.seconds()), rate(records, brute.seconds()),
                    rate(mb, brute.seconds()), ratio(brute.seconds(), batch.seconds()), size(brute.heapPeak()), "-", "-", "-", "-"));
        }
        return out.toString();
    }

    private static String seconds(double s) {
        return String.format("%.1f", s);
    }

    private static String rate(double amount, double seconds) {
        return String.format("%.1f", amount / seconds);
    }

    private static String ratio(double seconds, double reference) {
        return String.format("%.2f", seconds / reference);
    }

    private static String size(long bytes) {
        return bytes >= 1L << 30 ? String.format("%.2f GiB", bytes / (double) (1L << 30)) : String.format("%.0f MiB", bytes / (double) (1L << 20));
    }

    /** The streamed final metrics equal the batch result: whole-model and per-layer LRDS/SADS, key neurons per language. */
    static void assertSameMetrics(String run, Metrics streamed, AnalysisResult batch) {
        assertTrue(streamed.getComplete(), run + ": metrics not complete");
        assertClose(run + " LRDS", batch.lrds(), streamed.getLrds());
        assertClose(run + " SADS", batch.sads(), streamed.getSads());
        List<LayerMetrics> perLayer = streamed.getPerLayer();
        assertEquals(batch.layers(), perLayer.size(), run + ": layers in the metrics");
        for (int m = 0; m < perLayer.size(); m++) {
            assertEquals(m, perLayer.get(m).getLayer(), run + ": layer order");
            assertClose(run + " layer " + m + " LRDS", batch.perLayerLrds()[m], perLayer.get(m).getLrds());
            assertClose(run + " layer " + m + " SADS", batch.perLayerSads()[m], perLayer.get(m).getSads());
        }
        Map<String, Integer> counts = new HashMap<>();
        streamed.getKeyNeuronCounts().forEach((lang, count) -> counts.put(lang.toString(), count));
        for (String lang : batch.languages()) {
            assertEquals(batch.keyRegions().count(lang), counts.get(lang), run + ": key neurons of " + lang);
        }
        assertEquals(batch.keyRegions().sklr(), streamed.getSklr(), run + ": SKLR");
    }

    /** The incremental batch result equals the definition on the N×N maps. */
    static void assertSameMetrics(AnalysisResult batch, BatchRun.BruteForce brute) {
        assertClose("brute-force LRDS", brute.wholeModel().lrds(), batch.lrds());
        assertClose("brute-force SADS", brute.wholeModel().sads(), batch.sads());
        for (int m = 0; m < batch.layers(); m++) {
            assertClose("brute-force layer " + m + " LRDS", brute.perLayer().get(m).lrds(), batch.perLayerLrds()[m]);
            assertClose("brute-force layer " + m + " SADS", brute.perLayer().get(m).sads(), batch.perLayerSads()[m]);
        }
    }

    private static void assertClose(String what, double expected, double actual) {
        double deviation = Math.abs(actual - expected) / Math.max(Math.abs(expected), Math.abs(actual));
        if (what.startsWith("brute-force")) {
            bruteDeviation = Math.max(bruteDeviation, deviation);
        } else {
            maxDeviation = Math.max(maxDeviation, deviation);
        }
        assertTrue(Math.abs(actual - expected) <= RELATIVE * Math.max(Math.abs(expected), Math.abs(actual)),
                what + ": " + actual + ", expected " + expected + " (relative tolerance " + RELATIVE + ")");
    }
}
