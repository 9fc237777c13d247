package io.linguaflow.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.batch.AnalysisJson;
import io.linguaflow.analysis.batch.AnalysisOptions;
import io.linguaflow.analysis.batch.Analyzer;
import io.linguaflow.analysis.batch.NpyVectors;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.SampleActivations;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code linguaflow extract}: mean-pooled MLP activations of every corpus row, without Kafka.
 * Writes {@code vectors.npy} (float32 [N, L*D], layer-major, corpus row order), {@code samples.jsonl} and
 * {@code analysis.json} (the {@code analyze} result on those vectors).
 */
@Command(name = "extract", mixinStandardHelpOptions = true,
        description = "Mean-pooled MLP activations of a corpus: OUT/vectors.npy (float32 [N, L*D], layer-major), "
                + "OUT/samples.jsonl (id, lang, input_ids, n_tokens, mean_nll), OUT/analysis.json (as 'analyze').")
public final class ExtractCommand implements Callable<Integer> {

    /** Rows per chunk: results are streamed to disk chunk by chunk. */
    private static final int CHUNK = 1024;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--corpus", required = true, paramLabel = "C.tsv", description = "TSV with header id, lang, text")
    Path corpus;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "output directory (created if missing)")
    Path out;

    @Override
    public Integer call() throws Exception {
        return Cli.run(() -> {
            io.linguaflow.analysis.corpus.Corpus c = Corpus.read(corpus);
            Files.createDirectories(out);
            long t0 = System.nanoTime();
            try (LanguageModel m = modelOptions.load()) {
                long tokens = writeActivations(m, c, out);
                analyze(c, m.config().numLayers());
                double s = (System.nanoTime() - t0) / 1e9;
                System.err.printf("extract: %d samples, %d tokens, %.1f s (%.0f tokens/s), %d x %d neurons -> %s%n",
                        c.size(), tokens, s, tokens / s, m.config().numLayers(), m.config().intermediateSize(), out);
            }
            return 0;
        });
    }

    /**
     * Writes OUT/vectors.npy and OUT/samples.jsonl of every corpus row, chunk by chunk; returns the tokens read. The
     * {@code table1} command finds its key regions on the same vectors.
     */
    static long writeActivations(LanguageModel m, io.linguaflow.analysis.corpus.Corpus c, Path out) throws IOException {
        long tokens = 0;
        int width = m.config().numNeurons();
        ObjectMapper json = new ObjectMapper();
        try (OutputStream vec = new BufferedOutputStream(Files.newOutputStream(out.resolve("vectors.npy")));
             BufferedWriter samples = Files.newBufferedWriter(out.resolve("samples.jsonl"))) {
            Npy.writeHeader(vec, "<f4", new long[] {c.size(), width});
            ByteBuffer row = ByteBuffer.allocate(width * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int start = 0; start < c.size(); start += CHUNK) {
                int end = Math.min(c.size(), start + CHUNK);
                List<SampleActivations> acts = m.activations(c.texts().subList(start, end), Ablation.none(), true);
                for (int i = start; i < end; i++) {
                    SampleActivations a = acts.get(i - start);
                    row.clear();
                    row.asFloatBuffer().put(a.concatenated());
                    vec.write(row.array());
                    ObjectNode s = json.createObjectNode();
                    s.put("id", c.ids().get(i));
                    s.put("lang", c.langs().get(i));
                    var ids = s.putArray("input_ids");
                    for (long id : a.inputIds()) {
                        ids.add(id);
                    }
                    s.put("n_tokens", a.nTokens());
                    s.put("mean_nll", a.meanNll());
                    samples.write(json.writeValueAsString(s));
                    samples.newLine();
                    tokens += a.nTokens();
                }
            }
        }
        return tokens;
    }

    /** OUT/analysis.json: what {@code linguaflow analyze} gives on OUT/vectors.npy. */
    private void analyze(io.linguaflow.analysis.corpus.Corpus c, int layers) throws IOException {
        try (NpyVectors vectors = NpyVectors.open(out.resolve("vectors.npy"), layers)) {
            AnalysisJson.write(Analyzer.analyze(vectors, c, AnalysisOptions.defaults()), out.resolve("analysis.json"));
        } catch (IllegalArgumentException e) {
            // vectors.npy and samples.jsonl stand on their own; say loudly why there is no analysis
            System.err.println("extract: analysis.json not written: " + e.getMessage());
        }
    }
}
