package io.linguaflow.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.corpus.CorpusTsv;
import io.linguaflow.analysis.testkit.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The reference kit (../shared/fixtures): models, corpus, and HF reference outputs, cached per test JVM. */
public final class Fixtures {

    public static final List<String> MODELS = List.of("bloom-tiny", "bloom-tiny-fp16", "bloom-tiny-bf16", "llama-tiny");
    private static final Map<Path, JsonNode> JSON = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    public static Path model(String name) {
        return SharedData.fixtures().resolve("models").resolve(name);
    }

    public static Path reference(String name) {
        return SharedData.fixtures().resolve("reference").resolve(name);
    }

    public static JsonNode json(Path file) {
        return JSON.computeIfAbsent(file, f -> {
            try {
                return new ObjectMapper().readTree(f.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The rows of a corpus TSV, read as the batch commands read it. */
    public static List<Corpus.Row> corpus(Path tsv) {
        try {
            return CorpusTsv.read(tsv).rows();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Corpus.Row> corpus() {
        return corpus(SharedData.fixtures().resolve("corpus.tsv"));
    }

    public static List<String> texts(List<Corpus.Row> rows) {
        return rows.stream().map(Corpus.Row::text).toList();
    }
}
