package io.linguaflow.worker.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.io.Utf8Lines;
import io.linguaflow.worker.runtime.MultipleChoice.Question;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * XStoryCloze (Lin et al. 2022) as the upstream lm-eval-harness task reads it: context = the four story
 * sentences joined by spaces, choices = {@code sentence_quiz1}, {@code sentence_quiz2}, gold =
 * {@code answer_right_ending - 1}. One JSONL file per language ({@code <lang>_eval.jsonl}).
 */
public final class XStoryCloze {

    /** The task's name in {@code EvalRequest.task} and in the worker's {@code --eval-data} option. */
    public static final String TASK = "xstorycloze";

    private XStoryCloze() {
    }

    /** The data file of a language: {@code <dir>/<lang>_eval.jsonl}. */
    public static Path file(Path dir, String lang) {
        return dir.resolve(lang + "_eval.jsonl");
    }

    /**
     * The first {@code limit} stories of a language (all when {@code limit} is 0), as the {@code eval} command and
     * the worker's eval requests both score them.
     *
     * @throws IOException naming the file when the language has none in {@code dir} or a line is malformed
     */
    public static List<Question> read(Path dir, String lang, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0 = all), got " + limit);
        }
        Path jsonl = file(dir, lang);
        if (!Files.isRegularFile(jsonl)) {
            throw new IOException("no " + TASK + " data for language '" + lang + "': " + jsonl + " does not exist");
        }
        List<Question> all = read(jsonl);
        return limit > 0 && all.size() > limit ? all.subList(0, limit) : all;
    }

    public static List<Question> read(Path jsonl) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Utf8Lines.read(jsonl);
        List<Question> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = jsonl + " line " + (i + 1);
            JsonNode r;
            try {
                r = json.readTree(lines.get(i));
            } catch (IOException e) {
                throw new IOException(where + ": not valid JSON: " + e.getMessage(), e);
            }
            List<String> story = new ArrayList<>();
            for (int s = 1; s <= 4; s++) {
                story.add(text(r, "input_sentence_" + s, where));
            }
            int answer = r.path("answer_right_ending").asInt(0);
            if (answer != 1 && answer != 2) {
                throw new IOException(where + ": answer_right_ending must be 1 or 2, got " + r.get("answer_right_ending"));
            }
            out.add(new Question(String.join(" ", story),
                    List.of(text(r, "sentence_quiz1", where), text(r, "sentence_quiz2", where)), answer - 1));
        }
        return out;
    }

    private static String text(JsonNode r, String field, String where) throws IOException {
        JsonNode v = r.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException(where + ": missing text field '" + field + "'");
        }
        return v.asText();
    }
}
