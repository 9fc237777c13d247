package io.linguaflow.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.testkit.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** A corpus row: meaning id, language, text. */
    public record Row(String id, String lang, String text) {
    }

    public static List<Row> corpus(Path tsv) {
        try {
            List<String> lines = Files.readAllLines(tsv);
            List<Row> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t", -1);
                rows.add(new Row(f[0], f[1], f[2]));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Row> corpus() {
        return corpus(SharedData.fixtures().resolve("corpus.tsv"));
    }

    public static List<String> texts(List<Row> rows) {
        return rows.stream().map(Row::text).toList();
    }
}
