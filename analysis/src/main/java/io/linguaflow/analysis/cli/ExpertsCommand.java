package io.linguaflow.analysis.cli;

import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.corpus.CorpusTsv;
import io.linguaflow.analysis.experts.ConceptLabels;
import io.linguaflow.analysis.experts.ExpertNeurons;
import io.linguaflow.analysis.experts.ExpertsJson;
import io.linguaflow.analysis.experts.Responses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code linguaflow experts}: concept expert neurons per language and their overlap across languages. */
@Command(name = "experts", mixinStandardHelpOptions = true,
        description = {
            "Expert neurons of concepts per language (Suau et al.; Riemenschneider & Frank 2025): each neuron's average",
            "precision (sklearn average_precision_score) of its max-pooled activation for a concept against the",
            "language's other rows; the top k per (concept, language), and the overlap of the expert sets across",
            "languages (|A and B|/k, Jaccard)."})
public final class ExpertsCommand implements Callable<Integer> {

    @Option(names = "--max-vectors", required = true, paramLabel = "M.npy",
            description = "float32 [N, M*D] or [N, M, D]: per-sample max-pooled activations in corpus order (extract's max_vectors.npy)")
    Path maxVectors;

    @Option(names = "--corpus", required = true, paramLabel = "C.tsv", description = "corpus TSV (id, lang, text and the label column)")
    Path corpus;

    @Option(names = "--labels-column", defaultValue = "topic", paramLabel = "NAME",
            description = "the corpus column holding each row's concept (default ${DEFAULT-VALUE})")
    String labelsColumn;

    @Option(names = "--label-separator", paramLabel = "SEP",
            description = "split a label cell into several concepts at SEP (e.g. ',' for FLORES topics); default: one concept per row")
    String labelSeparator;

    @Option(names = "--flores-metadata", paramLabel = "META.tsv",
            description = "take each row's concepts from FLORES metadata (e.g. flores_metadata_devtest.tsv, column --labels-column): "
                    + "row id devtest-NNNN (or NNNN) is its data line NNNN; topics split at ',' unless --label-separator says otherwise")
    Path floresMetadata;

    @Option(names = "--top-k", defaultValue = "500", description = "experts per (concept, language) (default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--out", required = true, paramLabel = "E.json", description = "output JSON file")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            Corpus c = CorpusTsv.read(corpus);
            List<Set<String>> labels = floresMetadata == null
                    ? ConceptLabels.parse(CorpusTsv.readColumn(corpus, labelsColumn), labelSeparator)
                    : ConceptLabels.parse(floresLabels(c), labelSeparator == null ? "," : labelSeparator);
            ExpertNeurons.Result r;
            long t0 = System.nanoTime();
            try (Responses.NpyResponses m = Responses.npy(maxVectors)) {
                r = ExpertNeurons.find(m, c.langs(), labels, topK, maxVectors + " with " + corpus + " column '"
                        + labelsColumn + "'");
            }
            ExpertsJson.write(r, out);
            spec.commandLine().getOut().printf("experts: %d concepts x %d languages, k %d, %d skipped; %.1f s -> %s%n",
                    r.concepts().size(), c.languages().size(), r.k(), r.skipped().size(),
                    (System.nanoTime() - t0) / 1e9, out);
            return 0;
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("experts: " + e.getMessage());
            return 1;
        }
    }

    /** Per corpus row, the metadata cell of its sentence: id devtest-NNNN / dev-NNNN / NNNN is data line NNNN. */
    private List<String> floresLabels(Corpus c) throws IOException {
        List<String> meta = CorpusTsv.readColumn(floresMetadata, labelsColumn);
        List<String> out = new ArrayList<>(c.size());
        for (Corpus.Row r : c.rows()) {
            String digits = r.id().substring(r.id().lastIndexOf('-') + 1);
            int line;
            try {
                line = Integer.parseInt(digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(corpus + " line " + r.line() + ": id '" + r.id()
                        + "' is not a FLORES sentence id (devtest-NNNN) for " + floresMetadata);
            }
            if (line < 1 || line > meta.size()) {
                throw new IllegalArgumentException(corpus + " line " + r.line() + ": sentence " + line + " is not in "
                        + floresMetadata + " (" + meta.size() + " sentences)");
            }
            out.add(meta.get(line - 1));
        }
        return out;
    }
}
