package io.linguaflow.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.batch.AnalysisJson;
import io.linguaflow.analysis.batch.AnalysisOptions;
import io.linguaflow.analysis.batch.Analyzer;
import io.linguaflow.analysis.batch.NpyVectors;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.neurontypes.ActivationProbabilities;
import io.linguaflow.worker.runtime.Capture;
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
 * Writes {@code vectors.npy} (float32 [N, L*D], layer-major, corpus row order), {@code max_vectors.npy} (the
 * same layout, each neuron's maximum over the row's tokens, for {@code experts}; {@code --no-max-vectors} skips it),
 * {@code activation_probabilities.npy} (float32 [L, D, K], for {@code neuron-types}) with its language order in
 * {@code activation_probabilities.json}, {@code samples.jsonl} and {@code analysis.json} (the {@code analyze}
 * result on the vectors).
 */
@Command(name = "extract", mixinStandardHelpOptions = true,
        description = "Mean-pooled MLP activations of a corpus: OUT/vectors.npy (float32 [N, L*D], layer-major), "
                + "OUT/max_vectors.npy (per-token maxima, same layout), OUT/activation_probabilities.npy (float32 [L, D, K]) "
                + "and .json (languages, token counts), OUT/samples.jsonl (id, lang, input_ids, n_tokens, mean_nll), "
                + "OUT/analysis.json (as 'analyze').")
public final class ExtractCommand implements Callable<Integer> {

    /** Rows per chunk: results are streamed to disk chunk by chunk. */
    private static final int CHUNK = 1024;
    static final String MAX_VECTORS = "max_vectors.npy";
    static final String PROBABILITIES = "activation_probabilities";

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--corpus", required = true, paramLabel = "C.tsv", description = "TSV with header id, lang, text")
    Path corpus;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "output directory (created if missing)")
    Path out;

    @Option(names = "--no-max-vectors", description = "skip OUT/max_vectors.npy (the maxima and their cost)")
    boolean noMaxVectors;

    @Override
    public Integer call() throws Exception {
        return Cli.run(() -> {
            io.linguaflow.analysis.corpus.Corpus c = Corpus.read(corpus);
            Files.createDirectories(out);
            long t0 = System.nanoTime();
            try (LanguageModel m = modelOptions.load(Capture.NONE.withMaxima(!noMaxVectors))) {
                Written w = writeActivations(m, c, out, !noMaxVectors);
                long tokens = w.tokens();
                writeProbabilities(c.languages(), m.config().numLayers(), m.config().intermediateSize(), w.positive(),
                        w.tokensPerLanguage());
                analyze(c, m.config().numLayers());
                double s = (System.nanoTime() - t0) / 1e9;
                System.err.printf("extract: %d samples, %d tokens, %.1f s (%.0f tokens/s), %d x %d neurons -> %s%n",
                        c.size(), tokens, s, tokens / s, m.config().numLayers(), m.config().intermediateSize(), out);
            }
            return 0;
        });
    }

    /** Adds the sample's positive-activation counts to its language's, flat index f = l*D + d. */
    private static void count(SampleActivations a, long[] positive) {
        int d = a.positiveCounts()[0].length;
        for (int l = 0; l < a.positiveCounts().length; l++) {
            for (int n = 0; n < d; n++) {
                positive[l * d + n] += a.positiveCounts()[l][n];
            }
        }
    }

    /**
     * OUT/activation_probabilities.npy (p[l, n, k] = fraction of language k's tokens, BOS included, on which the
     * neuron is &gt; 0: what {@code neuron-types --probabilities} reads) and its .json (languages in axis order,
     * layers, neurons per layer, tokens per language).
     */
    private void writeProbabilities(List<String> languages, int layers, int d, long[][] positive, long[] tokens)
            throws IOException {
        if (languages.size() < 2) {
            System.err.println("extract: activation_probabilities.npy not written: the corpus has one language");
            return;
        }
        ActivationProbabilities p = ActivationProbabilities.fromCounts(corpus.toString(), languages, layers, d,
                positive, tokens);
        Npy.writeFloat32(out.resolve(PROBABILITIES + ".npy"), new long[] {layers, d, languages.size()}, p.toArray());
        ObjectNode meta = new ObjectMapper().createObjectNode();
        languages.forEach(meta.putArray("languages")::add);
        meta.put("layers", layers);
        meta.put("neurons_per_layer", d);
        ObjectNode t = meta.putObject("tokens");
        for (int k = 0; k < languages.size(); k++) {
            t.put(languages.get(k), tokens[k]);
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve(PROBABILITIES + ".json").toFile(), meta);
    }

    /**
     * What {@link #writeActivations} read besides the vectors.
     *
     * @param tokens            tokens of every row
     * @param positive          per language (corpus order), positive-activation counts, flat index l*D + d
     * @param tokensPerLanguage per language, the tokens read
     */
    record Written(long tokens, long[][] positive, long[] tokensPerLanguage) {
    }

    /**
     * Writes OUT/vectors.npy, OUT/max_vectors.npy when {@code maxVectors} (the model must capture maxima) and
     * OUT/samples.jsonl of every corpus row, chunk by chunk. The {@code table1} command finds its key regions on the
     * same vectors.
     */
    static Written writeActivations(LanguageModel m, io.linguaflow.analysis.corpus.Corpus c, Path out, boolean maxVectors)
            throws IOException {
        long tokens = 0;
        int width = m.config().numNeurons();
        ObjectMapper json = new ObjectMapper();
        List<String> languages = c.languages();
        long[][] positive = new long[languages.size()][width];
        long[] tokensPerLanguage = new long[languages.size()];
        try (OutputStream vec = new BufferedOutputStream(Files.newOutputStream(out.resolve("vectors.npy")));
             OutputStream max = maxVectors ? new BufferedOutputStream(Files.newOutputStream(out.resolve(MAX_VECTORS))) : null;
             BufferedWriter samples = Files.newBufferedWriter(out.resolve("samples.jsonl"))) {
            Npy.writeHeader(vec, "<f4", new long[] {c.size(), width});
            if (max != null) {
                Npy.writeHeader(max, "<f4", new long[] {c.size(), width});
            }
            ByteBuffer row = ByteBuffer.allocate(width * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int start = 0; start < c.size(); start += CHUNK) {
                int end = Math.min(c.size(), start + CHUNK);
                List<SampleActivations> acts = m.activations(c.texts().subList(start, end), Ablation.none(), true);
                for (int i = start; i < end; i++) {
                    SampleActivations a = acts.get(i - start);
                    row.clear();
                    row.asFloatBuffer().put(a.concatenated());
                    vec.write(row.array());
                    if (max != null) {
                        row.clear();
                        row.asFloatBuffer().put(a.concatenatedMaxima());
                        max.write(row.array());
                    }
                    int k = languages.indexOf(c.langs().get(i));
                    count(a, positive[k]);
                    tokensPerLanguage[k] += a.nTokens();
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
        return new Written(tokens, positive, tokensPerLanguage);
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
