package io.linguaflow.worker.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.io.Utf8Lines;
import io.linguaflow.worker.runtime.MultipleChoice.Question;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * XStoryCloze (Lin et al. 2022), one JSONL file per language ({@code <lang>_eval.jsonl}), read in two ways:
 * <ul>
 *   <li>monolingual, as the upstream lm-eval-harness task: context = the four story sentences joined by spaces,
 *       choices = {@code sentence_quiz1}, {@code sentence_quiz2}, gold = {@code answer_right_ending - 1};</li>
 *   <li>cross-lingual, as Zeng et al. Appendix B (their vendored task's
 *       {@code doc_to_text: [s1, s2, s3, s4, "The ending in English:"]|join(" ")}): the story's four sentences in the
 *       language, then {@link #CROSS_LINGUAL_CUE}, joined by single spaces; the choices are the English endings of the
 *       same {@code story_id} (from {@code en_eval.jsonl}); gold as above, which must agree with the English file's.</li>
 * </ul>
 * Every item's id is its {@code story_id}.
 */
public final class XStoryCloze {

    /** The task's name in {@code EvalRequest.task} and in the worker's {@code --eval-data} option. */
    public static final String TASK = "xstorycloze";

    /** What follows the story in the cross-lingual prompt (Zeng et al. Appendix B). */
    public static final String CROSS_LINGUAL_CUE = "The ending in English:";

    /** The language whose endings the cross-lingual task offers. */
    public static final String ENDINGS_LANGUAGE = "en";

    private XStoryCloze() {
    }

    /** One line of a data file; {@code where} is its file and line. */
    private record Story(String id, List<String> sentences, List<String> endings, int answer, String where) {
    }

    /** The data file of a language: {@code <dir>/<lang>_eval.jsonl}. */
    public static Path file(Path dir, String lang) {
        return dir.resolve(lang + "_eval.jsonl");
    }

    /**
     * The first {@code limit} stories of a language (all when {@code limit} is 0), as the {@code eval} command and
     * the worker's eval requests both score them.
     *
     * @param crossLingual Zeng et al.'s prompt with English endings instead of the upstream monolingual task
     * @throws IOException naming the file (and line) when the language has no file in {@code dir}, a line is
     *                     malformed, or (cross-lingual) a story has no English counterpart or a different answer there
     */
    public static List<Question> read(Path dir, String lang, int limit, boolean crossLingual) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0 = all), got " + limit);
        }
        List<Story> stories = stories(existing(dir, lang));
        if (limit > 0 && stories.size() > limit) {
            stories = stories.subList(0, limit);
        }
        List<Question> out = new ArrayList<>(stories.size());
        if (!crossLingual) {
            for (Story s : stories) {
                out.add(new Question(s.id(), String.join(" ", s.sentences()), s.endings(), s.answer() - 1));
            }
            return out;
        }
        Path enFile = existing(dir, ENDINGS_LANGUAGE);
        Map<String, Story> english = new HashMap<>();
        for (Story s : stories(enFile)) {
            Story before = english.putIfAbsent(s.id(), s);
            if (before != null) {
                throw new IOException(s.where() + ": story_id '" + s.id() + "' repeats " + before.where());
            }
        }
        for (Story s : stories) {
            Story en = english.get(s.id());
            if (en == null) {
                throw new IOException(s.where() + ": story_id '" + s.id() + "' has no English counterpart in " + enFile);
            }
            if (en.answer() != s.answer()) {
                throw new IOException(s.where() + ": story_id '" + s.id() + "' has answer_right_ending " + s.answer()
                        + " but " + en.answer() + " in " + en.where());
            }
            List<String> prompt = new ArrayList<>(s.sentences());
            prompt.add(CROSS_LINGUAL_CUE);
            out.add(new Question(s.id(), String.join(" ", prompt), en.endings(), s.answer() - 1));
        }
        return out;
    }

    /** The monolingual items of a language, as {@link #read(Path, String, int, boolean)} without cross-lingual. */
    public static List<Question> read(Path dir, String lang, int limit) throws IOException {
        return read(dir, lang, limit, false);
    }

    /** Every monolingual item of one data file. */
    public static List<Question> read(Path jsonl) throws IOException {
        List<Question> out = new ArrayList<>();
        for (Story s : stories(jsonl)) {
            out.add(new Question(s.id(), String.join(" ", s.sentences()), s.endings(), s.answer() - 1));
        }
        return out;
    }

    private static Path existing(Path dir, String lang) throws IOException {
        Path jsonl = file(dir, lang);
        if (!Files.isRegularFile(jsonl)) {
            throw new IOException("no " + TASK + " data for language '" + lang + "': " + jsonl + " does not exist");
        }
        return jsonl;
    }

    private static List<Story> stories(Path jsonl) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Utf8Lines.read(jsonl);
        List<Story> out = new ArrayList<>();
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
            out.add(new Story(text(r, "story_id", where), story,
                    List.of(text(r, "sentence_quiz1", where), text(r, "sentence_quiz2", where)), answer, where));
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
