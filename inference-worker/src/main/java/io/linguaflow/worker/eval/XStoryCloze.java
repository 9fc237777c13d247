package io.linguaflow.worker.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    private XStoryCloze() {
    }

    public static List<Question> read(Path jsonl) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(jsonl);
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
