package io.linguaflow.worker.cli;

import io.linguaflow.analysis.ablation.AblationTable;
import io.linguaflow.analysis.ablation.AblationTableJson;
import io.linguaflow.analysis.batch.AnalysisOptions;
import io.linguaflow.analysis.batch.AnalysisResult;
import io.linguaflow.analysis.batch.Analyzer;
import io.linguaflow.analysis.batch.NpyVectors;
import io.linguaflow.schemas.avro.AblationRequest;
import io.linguaflow.schemas.avro.AblationResult;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.worker.kafka.Ablations;
import io.linguaflow.worker.kafka.RejectedRequestException;
import io.linguaflow.worker.runtime.LanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code linguaflow table1}: Zeng et al. Table 1 of one model without Kafka. Extracts the activations of the analysis
 * corpus, finds the key regions (as {@code analyze}), then answers the ablation request the streams application would
 * issue for them with the worker's own {@link Ablations} (each region zeroed, a random set of each region's size with
 * the recorded seed, the full model) on the evaluation corpus, and writes the {@link AblationTable}.
 */
@Command(name = "table1", mixinStandardHelpOptions = true,
        description = "Zeng et al. Table 1: perplexity per language with each language's key region deactivated, against "
                + "the full model and random regions of the same size (T.json, optionally the table as CSV).")
public final class Table1Command implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--corpus", required = true, paramLabel = "C.tsv", description = "parallel corpus the key regions are found on")
    Path corpus;

    @Option(names = "--eval-corpus", paramLabel = "E.tsv", description = "corpus the perplexities are measured on (default: --corpus)")
    Path evalCorpus;

    @Option(names = "--threshold", paramLabel = "Z", defaultValue = "2", description = "key-neuron z threshold, strict > (default: ${DEFAULT-VALUE})")
    double threshold;

    @Option(names = "--random-seed", paramLabel = "S", defaultValue = "" + AblationTable.DEFAULT_RANDOM_SEED,
            description = "seed of the random baselines (default: ${DEFAULT-VALUE})")
    long randomSeed;

    @Option(names = "--out", required = true, paramLabel = "T.json", description = "the table as JSON")
    Path out;

    @Option(names = "--csv", paramLabel = "T.csv", description = "also the table in the paper's layout")
    Path csv;

    @Override
    public Integer call() throws Exception {
        return Cli.run(() -> {
            io.linguaflow.analysis.corpus.Corpus c = Corpus.read(corpus);
            Path evalFile = evalCorpus == null ? corpus : evalCorpus;
            io.linguaflow.analysis.corpus.Corpus e = evalCorpus == null ? c : Corpus.read(evalCorpus);
            AblationTable table;
            try (LanguageModel m = modelOptions.load()) {
                table = table(m, c, e, stem(evalFile), new AnalysisOptions(threshold, false, null), randomSeed);
            }
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            AblationTableJson.write(table, out);
            if (csv != null) {
                AblationTableJson.writeCsv(table, csv);
            }
            return 0;
        });
    }

    /** The table of model {@code m}: key regions on {@code c}, perplexities on {@code e} (named {@code evalName}). */
    static AblationTable table(LanguageModel m, io.linguaflow.analysis.corpus.Corpus c, io.linguaflow.analysis.corpus.Corpus e,
                               String evalName, AnalysisOptions options, long seed) throws IOException {
        for (String lang : c.languages()) { // every language has a region: check before any forward pass
            if (!e.languages().contains(lang)) {
                throw new IllegalArgumentException(e.source() + ": the evaluation corpus has no text in language '" + lang
                        + "' (it has " + e.languages() + "), so its perplexities cannot be measured");
            }
        }
        Path work = Files.createTempDirectory("linguaflow-table1-");
        AnalysisResult analysis;
        try {
            ExtractCommand.writeActivations(m, c, work, false);
            try (NpyVectors vectors = NpyVectors.open(work.resolve("vectors.npy"), m.config().numLayers())) {
                analysis = Analyzer.analyze(vectors, c, options);
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        Map<String, List<Integer>> sets = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String lang : analysis.languages()) {
            long[] ids = analysis.keyRegions().neurons().get(lang);
            List<Integer> flat = new ArrayList<>(ids.length);
            for (long k : ids) {
                flat.add(Math.toIntExact(k));
            }
            sets.put(lang, flat);
            counts.put(lang, ids.length);
        }
        List<Sentence> sentences = new ArrayList<>();
        for (int i = 0; i < e.size(); i++) {
            io.linguaflow.analysis.corpus.Corpus.Row r = e.row(i);
            sentences.add(Sentence.newBuilder().setCorpus(evalName).setMeaningId(r.id()).setLang(r.lang()).setText(r.text())
                    .setIndex(i).setCorpusSize(e.size()).setSource(e.source()).build());
        }
        AblationRequest request = AblationRequest.newBuilder().setRequestId("table1").setCheckpointId("table1")
                .setCheckpointPath("").setCorpus(evalName).setSets(sets).setRandomBaselineSeed(seed).build();
        AblationResult result;
        try {
            result = Ablations.compute(m, request, sentences);
        } catch (RejectedRequestException ex) {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
        return AblationTable.of(analysis.languages(), (long) m.config().numLayers() * m.config().intermediateSize(), counts,
                result.getBaseline(), result.getAblated(), result.getRandomBaseline(), seed, evalName);
    }

    /** The corpus name as the corpus producer gives it: the file name without its extension. */
    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
