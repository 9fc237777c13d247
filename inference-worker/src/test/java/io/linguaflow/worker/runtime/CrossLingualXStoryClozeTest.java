package io.linguaflow.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.cli.EvalCommand;
import io.linguaflow.worker.eval.XStoryCloze;
import io.linguaflow.worker.runtime.MultipleChoice.Question;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Cross-lingual XStoryCloze (Zeng et al. Appendix B) equals lm-eval-harness' loglikelihood computed with HF
 * transformers on the fixture models (references: {@code xstorycloze-xlingual/reference.json} by
 * {@code src/test/python/make_generate_reference.py}): same context and continuation tokens, log-likelihoods within
 * 1e-4, plain and with a key region zeroed; the {@code eval} command's samples carry them; a story without an
 * English counterpart is an error naming file and line.
 */
class CrossLingualXStoryClozeTest {

    @TempDir
    Path tmp;

    private static JsonNode reference() throws IOException {
        try (InputStream in = CrossLingualXStoryClozeTest.class.getResourceAsStream("/xstorycloze-xlingual/reference.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static Path data() {
        return SharedData.require(SharedData.data().resolve("xstorycloze"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bloom-tiny", "llama-tiny"})
    void logLikelihoodsEqualTheHarnessOnHf(String name) throws Exception {
        JsonNode ref = reference().get("models").get(name);
        double max = 0;
        try (LanguageModel m = LanguageModel.load(Fixtures.model(name), Device.cpu())) {
            Ablation region = Ablation.ofFlatIds(GenerationReferenceTest.keyNeurons(name, ref.get("region").asText()),
                    m.config().numLayers(), m.config().intermediateSize());
            for (Iterator<Map.Entry<String, JsonNode>> it = ref.get("languages").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> lang = it.next();
                List<Question> qs = XStoryCloze.read(data(), lang.getKey(), lang.getValue().size(), true);
                double[][] plain = MultipleChoice.logLikelihoods(m, qs, Ablation.none());
                double[][] ablated = MultipleChoice.logLikelihoods(m, qs, region);
                for (int q = 0; q < qs.size(); q++) {
                    JsonNode want = lang.getValue().get(q);
                    Question got = qs.get(q);
                    assertEquals(want.get("story_id").asText(), got.id());
                    assertEquals(want.get("label").asInt(), got.gold());
                    assertTrue(got.context().endsWith(". " + XStoryCloze.CROSS_LINGUAL_CUE) || got.context().endsWith("。 "
                            + XStoryCloze.CROSS_LINGUAL_CUE), got.context());
                    for (int c = 0; c < 2; c++) {
                        MultipleChoice.Pair p = MultipleChoice.encodePair(m, got.context(), MultipleChoice.DELIMITER + got.choices().get(c));
                        assertEquals(want.get("context_tokens").asInt(), p.context().length);
                        assertArrayEquals(GenerationReferenceTest.longs(want.get("continuation_ids").get(c)), p.continuation());
                        max = Math.max(max, Math.abs(want.get("loglik").get(c).asDouble() - plain[q][c]));
                        max = Math.max(max, Math.abs(want.get("loglik_ablated").get(c).asDouble() - ablated[q][c]));
                    }
                }
            }
        }
        FixtureParityTest.report(name, "cross-lingual XStoryCloze log-likelihood vs HF harness formula, max |diff|", max);
        assertTrue(max <= 1e-4, "max diff " + max);
    }

    @Test
    void evalCommandWritesCrossLingualSamples() throws Exception {
        JsonNode ref = reference().get("models").get("bloom-tiny").get("languages");
        Path out = tmp.resolve("e.json");
        assertEquals(0, new CommandLine(new EvalCommand()).execute("--model", Fixtures.model("bloom-tiny").toString(),
                "--xstorycloze", data().toString(), "--langs", "es,zh", "--limit", "3", "--cross-lingual", "--samples",
                "--out", out.toString()));
        JsonNode got = new ObjectMapper().readTree(out.toFile());
        assertTrue(got.get("cross_lingual").asBoolean());
        for (String lang : List.of("es", "zh")) {
            JsonNode entry = got.get("baseline").get(lang);
            assertEquals(3, entry.get("n").asInt());
            int correct = 0;
            for (int q = 0; q < 3; q++) {
                JsonNode s = entry.get("samples").get(q);
                JsonNode want = ref.get(lang).get(q);
                assertEquals(want.get("story_id").asText(), s.get("story_id").asText());
                assertEquals(want.get("label").asInt(), s.get("label").asInt());
                for (int c = 0; c < 2; c++) {
                    assertEquals(want.get("loglik").get(c).asDouble(), s.get("loglik").get(c).asDouble(), 1e-4);
                }
                double[] ll = {s.get("loglik").get(0).asDouble(), s.get("loglik").get(1).asDouble()};
                correct += (ll[1] > ll[0] ? 1 : 0) == s.get("label").asInt() ? 1 : 0;
            }
            assertEquals(correct / 3.0, entry.get("acc").asDouble(), 1e-12, lang);
        }
        // without --samples the entries hold acc and n only
        assertEquals(0, new CommandLine(new EvalCommand()).execute("--model", Fixtures.model("bloom-tiny").toString(),
                "--xstorycloze", data().toString(), "--langs", "es", "--limit", "2", "--out", out.toString()));
        JsonNode plain = new ObjectMapper().readTree(out.toFile());
        assertFalse(plain.get("cross_lingual").asBoolean());
        assertFalse(plain.get("baseline").get("es").has("samples"));
    }

    @Test
    void aStoryWithoutAnEnglishCounterpartIsNamed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("xsc"));
        Files.writeString(dir.resolve("en_eval.jsonl"), story("s1", "I went out.", 1) + "\n" + story("s2", "It rained.", 2) + "\n");
        Files.writeString(dir.resolve("es_eval.jsonl"), story("s1", "Salí.", 1) + "\n" + story("s9", "Llovió.", 2) + "\n");
        Files.writeString(dir.resolve("fr_eval.jsonl"), story("s2", "Il a plu.", 1) + "\n");
        IOException missing = assertThrows(IOException.class, () -> XStoryCloze.read(dir, "es", 0, true));
        assertEquals(dir.resolve("es_eval.jsonl") + " line 2: story_id 's9' has no English counterpart in "
                + dir.resolve("en_eval.jsonl"), missing.getMessage());
        IOException answer = assertThrows(IOException.class, () -> XStoryCloze.read(dir, "fr", 0, true));
        assertEquals(dir.resolve("fr_eval.jsonl") + " line 1: story_id 's2' has answer_right_ending 1 but 2 in "
                + dir.resolve("en_eval.jsonl") + " line 2", answer.getMessage());
        // the limit keeps only the stories it scores: the first Spanish one has its English counterpart
        Question first = XStoryCloze.read(dir, "es", 1, true).get(0);
        assertEquals(new Question("s1", "Salí. Salí. Salí. Salí. The ending in English:",
                List.of("I went out. (1)", "I went out. (2)"), 0), first);
        // monolingual reading needs no English file
        assertEquals(List.of("Llovió. (1)", "Llovió. (2)"), XStoryCloze.read(dir, "es", 0, false).get(1).choices());

        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, new CommandLine(new EvalCommand()).execute("--model", Fixtures.model("bloom-tiny").toString(),
                    "--xstorycloze", dir.toString(), "--langs", "es", "--cross-lingual", "--out", tmp.resolve("x.json").toString()));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("story_id 's9' has no English counterpart"), err.toString());
    }

    /** A story line whose four sentences are {@code sentence} and whose endings are it with " (1)" and " (2)". */
    static String story(String id, String sentence, int answer) throws IOException {
        return new ObjectMapper().writeValueAsString(Map.of("story_id", id, "input_sentence_1", sentence,
                "input_sentence_2", sentence, "input_sentence_3", sentence, "input_sentence_4", sentence,
                "sentence_quiz1", sentence + " (1)", "sentence_quiz2", sentence + " (2)", "answer_right_ending", answer));
    }
}
