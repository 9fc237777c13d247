package io.linguaflow.bench.worker;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.RuntimeOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Activation-extraction throughput of the inference worker, the Java side of {@code ops/bench/worker/run}:
 * {@link LanguageModel#activationsOfIds} (length-bucketed batches, pooling and positive counts on the device,
 * no LM head) over the texts of a TSV corpus. Prints one JSON line: tokens/s of the best of {@code --repeats}
 * timed passes after a warm-up, CPU seconds of the process, peak RSS of the JVM, settings.
 *
 * <pre>WorkerBench --model DIR --corpus C.tsv [--limit N] [--batch-size B] [--threads T] [--repeats R] [--device cpu|gpu]</pre>
 */
public final class WorkerBench {

    private WorkerBench() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(arg(args, "--model", null));
        Path corpus = Path.of(arg(args, "--corpus", null));
        int limit = Integer.parseInt(arg(args, "--limit", "0"));
        int batch = Integer.parseInt(arg(args, "--batch-size", "16"));
        int threads = Integer.parseInt(arg(args, "--threads", "2"));
        int repeats = Integer.parseInt(arg(args, "--repeats", "3"));
        Device device = arg(args, "--device", "cpu").equals("gpu") ? Device.gpu() : Device.cpu();

        List<String> texts = texts(corpus, limit);
        try (LanguageModel m = LanguageModel.load(model, device, RuntimeOptions.DEFAULT.withBatchSize(batch)
                .withThreads(threads))) {
            List<long[]> ids = m.encode(texts);
            long tokens = ids.stream().mapToLong(x -> x.length).sum();
            m.activationsOfIds(ids.subList(0, Math.min(ids.size(), 2 * batch)), Ablation.none(), false); // warm-up
            // process CPU time (all threads: libtorch's pool, JIT, GC), like Python's time.process_time()
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            double best = Double.MAX_VALUE;
            double bestCpu = Double.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                long c0 = os.getProcessCpuTime();
                m.activationsOfIds(ids, Ablation.none(), false);
                bestCpu = Math.min(bestCpu, (os.getProcessCpuTime() - c0) / 1e9);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("impl", "linguaflow-djl");
            out.put("engine", "PyTorch " + ai.djl.engine.Engine.getEngine("PyTorch").getVersion());
            out.put("device", m.device().toString());
            out.put("model", model.toString());
            out.put("model_type", m.config().modelType());
            out.put("samples", ids.size());
            out.put("tokens", tokens);
            out.put("batch_size", batch);
            out.put("threads", LanguageModel.threads());
            out.put("seconds", best);
            out.put("tokens_per_s", tokens / best);
            out.put("cpu_seconds", bestCpu);
            out.put("tokens_per_cpu_s", tokens / bestCpu);
            out.put("peak_rss_mib", peakRssMib());
            System.out.println(out);
        }
    }

    private static String arg(String[] args, String name, String dflt) {
        int i = Arrays.asList(args).indexOf(name);
        if (i >= 0 && i + 1 < args.length) {
            return args[i + 1];
        }
        if (dflt == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return dflt;
    }

    /** The {@code text} column of a TSV with a header (the same rows hf_bench.py reads). */
    private static List<String> texts(Path tsv, int limit) throws IOException {
        List<String> lines = Files.readAllLines(tsv);
        int col = Arrays.asList(lines.get(0).split("\t", -1)).indexOf("text");
        if (col < 0) {
            throw new IOException(tsv + ": no 'text' column in the header");
        }
        List<String> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isEmpty() && (limit == 0 || out.size() < limit)) {
                out.add(line.split("\t", -1)[col]);
            }
        }
        return out;
    }

    /** VmHWM: the process' peak resident set (heap, libtorch tensors, mapped weights). */
    private static double peakRssMib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }
}
