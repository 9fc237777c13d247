package io.linguaflow.bench.streams;

import io.linguaflow.analysis.batch.AnalysisResult;
import io.linguaflow.schemas.avro.LayerMetrics;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.app.StreamsConfigs;
import io.linguaflow.streams.config.StreamsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Throughput of the streams application (RocksDB, exactly-once v2) on the in-JVM broker against the batch computation
 * of the same data, measured in the same run. Synthetic activations of {@code --layers} x {@code --neurons} for
 * {@code --languages} x {@code --meanings} samples are written once to a {@code .npy}, and a second data set of the same
 * shape for the warm-up: an untimed streams run on it compiles the broker and this JVM's clients (a deployed broker
 * runs for long), and an untimed batch run the batch side; then
 * <ol>
 *   <li>for each of {@code --instances} (default {@code 1,2}): that many streams instances, each in its own JVM
 *       ({@link StreamsInstanceMain}, {@code --streams-heap}, default 1g), records produced all at once by this JVM
 *       (which also runs the broker and the registry client), time to the final metrics; with {@code --preload}
 *       the instances are paused while the records are produced, then resumed and timed alone on that backlog;</li>
 *   <li>the batch {@code Analyzer} on the {@code .npy} (the reference of the ratios);</li>
 *   <li>unless {@code --no-brute-force}: the brute-force N×N similarity maps (whole model and per layer).</li>
 * </ol>
 * Prints one table and checks that every streamed LRDS/SADS (whole model and per layer) and key-neuron count equals
 * the batch one (1e-9 relative), and that the brute force agrees too, so the bench also proves correctness: exit
 * status 1 when a value differs, 2 on a bad option. Run by {@code ops/bench/streams/run}.
 */
public final class StreamsBench {

    static final String USAGE = "StreamsBench [--layers 8] [--neurons 2048] [--languages 6] [--meanings 50] [--instances 1,2]"
            + " [--partitions N] [--no-brute-force] [--streams-heap 1g] [--no-similarity-map] [--stream-threads N] [--preload] [--warm-jvms]"
            + " [--profile FILE]";
    private static final double RELATIVE = 1e-9;

    private int layers = 8;
    private int neurons = 2048;
    private int languages = 6;
    private int meanings = 50;
    private int[] instances = {1, 2};
    /** Partitions of every topic, as {@code streams} creates them by default. */
    private int partitions = StreamsSettings.DEFAULT_TOPIC_PARTITIONS;
    private boolean bruteForce = true;
    private String streamsHeap = "1g";
    private boolean similarityMap = true;
    /** As {@code streams}: one per core unless given. */
    private int streamThreads = StreamsConfigs.defaultStreamThreads();
    private boolean preload;
    /** Each measured run's streams JVMs first analyse the warm-up data set, untimed. */
    private boolean warmJvms;
    private Path profile;

    private StreamsBench() {
    }

    public static void main(String[] args) {
        StreamsBench bench = new StreamsBench();
        if (!BenchOptions.parse("StreamsBench", USAGE, args,
                Map.of("--no-brute-force", () -> bench.bruteForce = false, "--no-similarity-map", () -> bench.similarityMap = false,
                        "--preload", () -> bench.preload = true, "--warm-jvms", () -> bench.warmJvms = true),
                Map.of("--layers", v -> bench.layers = Integer.parseInt(v), "--neurons", v -> bench.neurons = Integer.parseInt(v),
                        "--languages", v -> bench.languages = Integer.parseInt(v), "--meanings", v -> bench.meanings = Integer.parseInt(v),
                        "--instances", v -> bench.instances = Arrays.stream(v.split(",")).mapToInt(n -> Integer.parseInt(n.trim())).toArray(),
                        "--partitions", v -> bench.partitions = Integer.parseInt(v), "--stream-threads", v -> bench.streamThreads = Integer.parseInt(v),
                        "--streams-heap", v -> bench.streamsHeap = v, "--profile", v -> bench.profile = Path.of(v).toAbsolutePath()),
                () -> {
                    if (bench.partitions < 1) {
                        throw new IllegalArgumentException("--partitions must be >= 1, got " + bench.partitions);
                    }
                    if (bench.streamThreads < 1) {
                        throw new IllegalArgumentException("--stream-threads must be >= 1, got " + bench.streamThreads);
                    }
                })) {
            return;
        }
        // the exit status says whether the streamed results equal the batch ones
        try {
            List<String> failures = bench.run();
            failures.forEach(f -> System.err.println("streams bench: MISMATCH " + f));
            System.exit(failures.isEmpty() ? 0 : 1);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** Runs the bench, prints the table; returns the values that differ from the batch result (none when correct). */
    private List<String> run() throws Exception {
        Path dir = Files.createTempDirectory("linguaflow-bench-data-");
        BenchData data = BenchData.generate(dir, layers, neurons, languages, meanings, 1);
        StreamsJvm.Options options = new StreamsJvm.Options(streamsHeap, similarityMap, streamThreads, profile);
        // a whole checkpoint of the same shape, other values: compiles the broker and this JVM's clients (one untimed
        // run; a checkpoint of 20 samples left a good part of the JIT to the measured run), the batch side (one untimed
        // analysis), and with --warm-jvms each measured run's streams JVMs, which are new and would otherwise pay their
        // JIT in the timed part, where an instance of a deployment has analysed the checkpoints before
        Path warmDir = Files.createDirectories(dir.resolve("warm-up"));
        BenchData warm = BenchData.generate(warmDir, layers, neurons, languages, meanings, 2);
        try (TestKafka kafka = TestKafka.start(); TestRegistry registry = TestRegistry.start()) {
            StreamsRun.run(warm, null, partitions, 1, false, kafka, registry, options.withoutProfile());
            BatchRun.incremental(warm);
            List<StreamsRun.Result> streams = new ArrayList<>();
            for (int n : instances) {
                streams.add(StreamsRun.run(data, warmJvms ? warm : null, partitions, n, preload, kafka, registry, options));
            }
            BatchRun.Incremental batch = BatchRun.incremental(data);
            BatchRun.BruteForce brute = bruteForce ? BatchRun.bruteForce(data) : null;

            System.out.print(table(data, options, partitions, streams, batch, brute));
            streams.forEach(r -> System.out.print(details(data, options, r)));
            List<String> failures = new ArrayList<>();
            Agreement streamed = new Agreement(failures);
            for (StreamsRun.Result r : streams) {
                streamed.sameMetrics(r.instances() + " instance(s)", r.metrics(), batch.result());
            }
            Agreement definition = new Agreement(failures);
            if (brute != null) {
                definition.sameMetrics(batch.result(), brute);
            }
            System.out.printf("streams bench: largest relative deviation of LRDS/SADS (whole model and per layer) from the batch"
                    + " result: streams %.1e, brute force %s; %s%n", streamed.maxDeviation, brute == null ? "-"
                    : String.format("%.1e", definition.maxDeviation), failures.isEmpty() ? "key-neuron counts equal"
                    : failures.size() + " value(s) differ (on stderr)");
            return failures;
        } finally {
            Files.deleteIfExists(warm.file());
            Files.deleteIfExists(warmDir);
            Files.deleteIfExists(data.file());
            Files.deleteIfExists(dir);
        }
    }

    static String table(BenchData data, StreamsJvm.Options options, int partitions, List<StreamsRun.Result> streams, BatchRun.Incremental batch,
                        BatchRun.BruteForce brute) {
        long records = (long) data.samples() * data.layers();
        double mb = records * data.recordBytes() / 1e6;
        StringBuilder out = new StringBuilder();
        out.append(String.format("streams bench %s, %d cores, bench JVM max heap %s, streams JVMs -Xmx%s, %d stream thread(s) each, similarity map %s, %d partitions: %d layers x %d"
                        + " neurons, %d languages x %d meanings = %d samples, %d activation records of %.0f KB float32 values (%.1f MB;"
                        + " twice that on the wire with the positive counts)%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(), size(Runtime.getRuntime().maxMemory()), options.heap(),
                options.streamThreads(), options.similarityMap() ? "on" : "off", partitions, data.layers(), data.neurons(), data.languages(), data.meanings(), data.samples(),
                records, data.recordBytes() / 1e3, mb));
        String format = "| %-37s | %9s | %9s | %8s | %13s | %10s | %12s | %9s | %10s | %10s |%n";
        out.append(String.format(format, "run", "seconds", "records/s", "MB/s", "ratio vs batch", "heap peak", "RocksDB size",
                "produce s", "latency s", "changelog"));
        out.append(String.format(format, "-".repeat(37), "-".repeat(9), "-".repeat(9), "-".repeat(8), "-".repeat(13), "-".repeat(10),
                "-".repeat(12), "-".repeat(9), "-".repeat(10), "-".repeat(10)));
        for (StreamsRun.Result r : streams) {
            out.append(String.format(format, label(r),
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

    /**
     * The lines under the table for one streams run: each streams JVM's heap and the bench JVM's, RocksDB and the
     * changelog by store (the changelog against the input's float32 bytes), the CPU split.
     */
    static String details(BenchData data, StreamsJvm.Options options, StreamsRun.Result r) {
        String run = label(r) + ": ";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < r.heaps().size(); i++) {
            StreamsJvm.Heap h = r.heaps().get(i);
            out.append(String.format("%sstreams JVM %d (-Xmx%s): heap peak %s before a GC, %s after one, %s live at the end; %d GC pauses"
                            + " (%d full), %.1f s; peak RSS %s%n", run, i + 1, options.heap(), size(h.peak()), size(h.afterGcPeak()),
                    size(h.liveAtEnd()), h.pauses(), h.fullPauses(), h.pauseSeconds(), size(h.rssPeak())));
        }
        out.append(String.format("%sbench JVM (broker, producer) heap peak %s (sampled)%n", run, size(r.benchHeapPeak())));
        out.append(String.format("%sRocksDB per checkpoint %s once closed (memtables flushed): %s; %s on disk when the final metrics"
                + " arrived (memtables not yet flushed are not on disk)%s%n", run, size(r.rocksDbBytes()), bySize(r.rocksDbByStore(), 0),
                size(r.rocksDbAtFinal()), r.warm() ? "; both warm-up and measured checkpoint, and halved once closed" : ""));
        long input = (long) data.samples() * data.layers() * data.recordBytes();
        out.append(String.format("%schangelog %s = %.2f x the input's float32 bytes (%s): %s%n", run, size(r.changelogBytes()),
                r.changelogBytes() / (double) input, size(input), bySize(r.changelogByStore(), input)));
        out.append(String.format("%s%s%n", run, r.cpu()));
        return out.toString();
    }

    /**
     * "name size" pairs, largest first, of the entries of at least 5% of the total (the others summed: a RocksDB store
     * has about 60 KiB of files however small); with the ratio to {@code reference} when it is not 0.
     */
    private static String bySize(Map<String, Long> bytes, long reference) {
        long total = bytes.values().stream().mapToLong(Long::longValue).sum();
        List<Map.Entry<String, Long>> large = bytes.entrySet().stream().filter(e -> e.getValue() > 0 && e.getValue() * 20 >= total)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).toList();
        long rest = total - large.stream().mapToLong(Map.Entry::getValue).sum();
        return large.stream().map(e -> e.getKey() + " " + size(e.getValue()) + ratio(e.getValue(), reference)).collect(Collectors.joining(", "))
                + (large.size() == bytes.size() ? "" : String.format(", %d more %s", bytes.size() - large.size(), size(rest)));
    }

    private static String ratio(long bytes, long reference) {
        return reference == 0 ? "" : String.format(" (%.2f x)", bytes / (double) reference);
    }

    /** "streams, N instance(s)[, warm][, preloaded]". */
    private static String label(StreamsRun.Result r) {
        return "streams, " + r.instances() + (r.instances() == 1 ? " instance" : " instances") + (r.warm() ? ", warm" : "")
                + (r.preload() ? ", preloaded" : "");
    }

    private static String seconds(double s) {
        return Double.isNaN(s) ? "-" : String.format("%.1f", s);
    }

    private static String rate(double amount, double seconds) {
        return String.format("%.1f", amount / seconds);
    }

    private static String ratio(double seconds, double reference) {
        return String.format("%.2f", seconds / reference);
    }

    private static String size(long bytes) {
        return bytes >= 1L << 30 ? String.format("%.2f GiB", bytes / (double) (1L << 30))
                : bytes >= 1L << 20 ? String.format("%.0f MiB", bytes / (double) (1L << 20)) : String.format("%.0f KiB", bytes / 1024.0);
    }

    /** Comparisons with the batch result: the largest relative deviation seen, and every value that differs. */
    private static final class Agreement {

        private final List<String> failures;
        private double maxDeviation;

        Agreement(List<String> failures) {
            this.failures = failures;
        }

        /** The streamed final metrics equal the batch result: whole-model and per-layer LRDS/SADS, key neurons per language. */
        void sameMetrics(String run, Metrics streamed, AnalysisResult batch) {
            if (!streamed.getComplete()) {
                failures.add(run + ": metrics not complete");
            }
            close(run + " LRDS", batch.lrds(), streamed.getLrds());
            close(run + " SADS", batch.sads(), streamed.getSads());
            List<LayerMetrics> perLayer = streamed.getPerLayer();
            equal(run + ": layers in the metrics", batch.layers(), perLayer.size());
            for (int m = 0; m < Math.min(batch.layers(), perLayer.size()); m++) {
                equal(run + ": layer order", m, perLayer.get(m).getLayer());
                close(run + " layer " + m + " LRDS", batch.perLayerLrds()[m], perLayer.get(m).getLrds());
                close(run + " layer " + m + " SADS", batch.perLayerSads()[m], perLayer.get(m).getSads());
            }
            Map<String, Integer> counts = new HashMap<>();
            streamed.getKeyNeuronCounts().forEach((lang, count) -> counts.put(lang.toString(), count));
            for (String lang : batch.languages()) {
                Integer count = counts.get(lang);
                if (count == null) {
                    failures.add(run + ": no key-neuron count for " + lang);
                } else {
                    equal(run + ": key neurons of " + lang, batch.keyRegions().count(lang), count);
                }
            }
            equal(run + ": SKLR", batch.keyRegions().sklr(), streamed.getSklr());
        }

        /** The incremental batch result equals the definition on the N×N maps. */
        void sameMetrics(AnalysisResult batch, BatchRun.BruteForce brute) {
            close("brute-force LRDS", brute.wholeModel().lrds(), batch.lrds());
            close("brute-force SADS", brute.wholeModel().sads(), batch.sads());
            for (int m = 0; m < batch.layers(); m++) {
                close("brute-force layer " + m + " LRDS", brute.perLayer().get(m).lrds(), batch.perLayerLrds()[m]);
                close("brute-force layer " + m + " SADS", brute.perLayer().get(m).sads(), batch.perLayerSads()[m]);
            }
        }

        private void close(String what, double expected, double actual) {
            double scale = Math.max(Math.abs(expected), Math.abs(actual));
            double deviation = scale == 0 ? 0 : Math.abs(actual - expected) / scale;
            maxDeviation = Math.max(maxDeviation, deviation);
            if (!(deviation <= RELATIVE)) {
                failures.add(what + ": " + actual + ", expected " + expected + " (relative tolerance " + RELATIVE + ")");
            }
        }

        private void equal(String what, long expected, long actual) {
            if (expected != actual) {
                failures.add(what + ": " + actual + ", expected " + expected);
            }
        }
    }
}
