package io.linguaflow.analysis.cli;

import io.linguaflow.analysis.batch.AnalysisJson;
import io.linguaflow.analysis.batch.AnalysisOptions;
import io.linguaflow.analysis.batch.AnalysisResult;
import io.linguaflow.analysis.batch.Analyzer;
import io.linguaflow.analysis.batch.NpyVectors;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.corpus.CorpusTsv;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.similarity.SimilarityMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code linguaflow analyze}: LRDS, SADS, key regions and SKLR of an activation dump, without Kafka.
 * Exit code 0 on success, 2 on bad input (with a message naming the input), 1 on I/O errors.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Lingua-franca statistics of a vector dump: LRDS, SADS (whole model and per layer), key linguistic regions, SKLR.",
            "V.npy: float32/float64 [N, M*D] (layer-major, needs --layers) or [N, M, D]; raw or normalised mean-pooled activations,"
                + " rows in corpus order. C.tsv: header with columns id, lang, text (id = meaning id)."})
public final class AnalyzeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--vectors", required = true, paramLabel = "V.npy", description = "per-sample activations")
    Path vectors;

    @Option(names = "--corpus", required = true, paramLabel = "C.tsv", description = "corpus with columns id, lang, text")
    Path corpus;

    @Option(names = "--layers", paramLabel = "M", description = "number of layers (required for a 2-D V.npy)")
    Integer layers;

    @Option(names = "--threshold", defaultValue = "2", paramLabel = "Z",
            description = "z-score threshold for key neurons, strict > (default: ${DEFAULT-VALUE})")
    double threshold;

    @Option(names = "--lf-compat", description = "reproduce the authors' released code: epsilon 1e-5 and double division in the neuron"
            + " score, SADS grouped with stride S+1 (per layer: stride 101); also reports every variant under lf_compat")
    boolean lfCompat;

    @Option(names = "--lf-language-order", split = ",", paramLabel = "LANG",
            description = "row order of languages in lf-compat (default: en,zh,fr,es,pt,ar,vi,hi,id, then others in corpus order)")
    List<String> lfLanguageOrder;

    @Option(names = "--out", required = true, paramLabel = "R.json", description = "result JSON")
    Path out;

    @Option(names = "--scores-dir", paramLabel = "DIR",
            description = "also write scores.npy and zscores.npy (float64 [L, M*D], languages in corpus order)")
    Path scoresDir;

    @Option(names = "--similarity", paramLabel = "S.npy",
            description = "also write the whole-model similarity map, float64 [N, N] (O(N^2 M D) time)")
    Path similarity;

    @Override
    public Integer call() throws Exception {
        try (NpyVectors v = NpyVectors.open(vectors, layers)) {
            Corpus c = CorpusTsv.read(corpus);
            AnalysisResult r = Analyzer.analyze(v, c, new AnalysisOptions(threshold, lfCompat, lfLanguageOrder));
            AnalysisJson.write(r, out);
            for (String w : r.warnings()) {
                spec.commandLine().getErr().println("warning: " + w);
            }
            if (scoresDir != null) {
                Files.createDirectories(scoresDir);
                writeMatrix(scoresDir.resolve("scores.npy"), r.scores());
                writeMatrix(scoresDir.resolve("zscores.npy"), r.zScores());
            }
            if (similarity != null) {
                SimilarityMap map = SimilarityMap.wholeModel(v);
                Npy.writeFloat64(similarity, new long[] {map.size(), map.size()}, map.flatten());
            }
            spec.commandLine().getOut().printf("%s: %d samples, %d languages, %d layers x %d neurons; LRDS %.6f, SADS %.6f, SKLR %d -> %s%n",
                    r.lfCompat() ? "lf-compat" : "corrected", r.samples(), r.languages().size(), r.layers(), r.neuronsPerLayer(),
                    r.lrds(), r.sads(), r.keyRegions().sklr(), out);
            return 0;
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("analyze: " + e.getMessage());
            return 2;
        }
    }

    private static void writeMatrix(Path path, double[][] m) throws IOException {
        int cols = m[0].length;
        double[] flat = new double[m.length * cols];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, flat, i * cols, cols);
        }
        Npy.writeFloat64(path, new long[] {m.length, cols}, flat);
    }
}
