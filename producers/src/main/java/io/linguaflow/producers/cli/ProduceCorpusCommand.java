package io.linguaflow.producers.cli;

import io.linguaflow.producers.Rejection;
import io.linguaflow.producers.corpus.BibleXmlReader;
import io.linguaflow.producers.corpus.CorpusOptions;
import io.linguaflow.producers.corpus.CorpusReader;
import io.linguaflow.producers.corpus.CorpusResult;
import io.linguaflow.producers.corpus.FloresReader;
import io.linguaflow.producers.corpus.IncompleteMeaning;
import io.linguaflow.producers.corpus.IncompletePolicy;
import io.linguaflow.producers.corpus.JsonlCorpusReader;
import io.linguaflow.producers.corpus.LabelColumn;
import io.linguaflow.producers.corpus.Texts;
import io.linguaflow.producers.corpus.TsvCorpusReader;
import io.linguaflow.producers.corpus.XStoryClozeReader;
import io.linguaflow.producers.kafka.RecordPublisher;
import io.linguaflow.schemas.avro.Sentence;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code produce-corpus}: reads and validates a corpus and publishes its {@code Sentence} records to
 * {@code sentences} (rejected rows to {@code dead-letters}), or prints them as JSON lines without
 * {@code --bootstrap}; rejected rows and incomplete meanings are also listed on stderr, then a summary.
 */
@Command(name = "produce-corpus", mixinStandardHelpOptions = true,
        description = "Read and validate a parallel corpus; publish its Sentence records (or print them as JSON lines).")
public final class ProduceCorpusCommand extends ProducerCommand {

    /** Corpus formats. */
    public enum Format { tsv, flores, bible, jsonl, xstorycloze }

    @Option(names = "--format", required = true, description = "One of: ${COMPLETION-CANDIDATES}.")
    Format format;

    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "The corpus: a TSV file; a FLORES, Bible or XStoryCloze directory; JSONL files.")
    List<Path> paths;

    @Option(names = "--corpus", description = "Corpus name (default: file stem or directory name).")
    String corpus;

    @Option(names = "--languages", split = ",", description = "Languages to produce, in this order (default: all).")
    List<String> languages;

    @Option(names = "--known-languages", split = ",",
            description = "Valid language codes; rows in others are rejected (default: any well-formed code).")
    Set<String> knownLanguages;

    @Option(names = "--limit", description = "Only the first N meanings of each language.")
    Integer limit;

    @Option(names = "--max-text-bytes", description = "Reject longer texts (UTF-8 bytes, default ${DEFAULT-VALUE}).")
    int maxTextBytes = CorpusOptions.DEFAULT_MAX_TEXT_BYTES;

    @Option(names = "--keep-incomplete",
            description = "Keep meanings missing in some language (default: drop them; they are reported either way).")
    boolean keepIncomplete;

    @Option(names = "--map", paramLabel = "FROM=LANG",
            description = "Language mapping: FLORES code (flores), file name (bible, jsonl) -> language code.")
    Map<String, String> mapping = new LinkedHashMap<>();

    @Option(names = "--flores-split", description = "FLORES file extension (default ${DEFAULT-VALUE}).")
    String floresSplit = "devtest";

    @Option(names = "--id-field", description = "JSONL meaning-id field (default ${DEFAULT-VALUE}).")
    String idField = "id";

    @Option(names = "--lang-field", description = "JSONL language field; omit when --map gives each file's language.")
    String langField;

    @Option(names = "--text-field", description = "JSONL text field(s), joined by a space (default: text).")
    List<String> textFields = new ArrayList<>(List.of("text"));

    @Option(names = "--labels-column", paramLabel = "NAME",
            description = "TSV column / JSONL field (a string or an array of strings) of each row's concept labels, "
                    + "published as Sentence.concepts for the expert neurons (as linguaflow experts --labels-column). "
                    + "Formats tsv and jsonl. Default: no labels.")
    String labelsColumn;

    @Option(names = {"--labels-separator", "--label-separator"}, paramLabel = "SEP",
            description = "Split a label cell into several concepts at SEP (e.g. ',' for FLORES topics); default: one concept per cell.")
    String labelsSeparator;

    @Override
    int run() throws Exception {
        CorpusOptions options = CorpusOptions.defaults().withCorpus(corpus).withLanguages(languages)
                .withKnownLanguages(knownLanguages).withLimit(limit).withMaxTextBytes(maxTextBytes)
                .withIncomplete(keepIncomplete ? IncompletePolicy.KEEP : IncompletePolicy.DROP);
        CorpusResult result = reader().read(options);
        PrintWriter out = out();
        PrintWriter err = err();
        Optional<RecordPublisher> publisher = publisher();
        if (publisher.isPresent()) {
            try (RecordPublisher p = publisher.get()) {
                RecordPublisher.Published done = p.corpus(result);
                err.printf("published %d sentences, %d dead letters%n", done.records(), done.deadLetters());
            }
        } else {
            for (Sentence s : result.sentences()) {
                out.println(s);
            }
        }
        out.flush();
        for (Rejection r : result.rejected()) {
            err.println("rejected: " + r.error());
        }
        for (IncompleteMeaning m : result.incomplete()) {
            err.println("incomplete: " + m);
        }
        err.printf("corpus '%s': %d sentences in %s, %d rows rejected, %d incomplete meanings %s%n", result.corpus(),
                result.sentences().size(), result.languages(), result.rejected().size(), result.incomplete().size(),
                keepIncomplete ? "kept" : "dropped");
        err.flush();
        return result.sentences().isEmpty() ? 1 : 0;
    }

    private CorpusReader reader() {
        if (format != Format.jsonl && paths.size() != 1) {
            throw new IllegalArgumentException("--format " + format + " takes one path, got " + paths);
        }
        if (labelsColumn == null && labelsSeparator != null) {
            throw new IllegalArgumentException("--labels-separator needs --labels-column");
        }
        if (labelsColumn != null && format != Format.tsv && format != Format.jsonl) {
            throw new IllegalArgumentException("--labels-column applies to --format tsv and jsonl, not " + format);
        }
        LabelColumn labels = labelsColumn == null ? null : new LabelColumn(labelsColumn, labelsSeparator);
        Path path = paths.get(0);
        return switch (format) {
            case tsv -> new TsvCorpusReader(path, labels);
            case flores -> new FloresReader(path, floresSplit, mapping);
            case bible -> new BibleXmlReader(path, mapping);
            case xstorycloze -> new XStoryClozeReader(path);
            case jsonl -> new JsonlCorpusReader(Texts.stem(path), paths.stream()
                    .map(p -> new JsonlCorpusReader.Source(p, mapping.get(p.getFileName().toString()))).toList(),
                    new JsonlCorpusReader.Fields(idField, langField, textFields, labels));
        };
    }
}
