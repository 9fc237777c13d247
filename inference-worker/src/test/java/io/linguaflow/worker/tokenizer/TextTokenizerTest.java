package io.linguaflow.worker.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.worker.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {

    @TempDir
    Path tmp;

    private static long[] ids(JsonNode arr) {
        long[] out = new long[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).asLong();
        }
        return out;
    }

    @Test
    void bothMergeFormatsGiveTheReferenceIds() throws Exception {
        Path fixture = Fixtures.model("llama-tiny");
        ObjectMapper json = new ObjectMapper();
        ObjectNode tok = (ObjectNode) json.readTree(fixture.resolve(TextTokenizer.FILE).toFile());
        ArrayNode merges = (ArrayNode) tok.get("model").get("merges");
        assertTrue(merges.get(0).isArray(), "fixture uses the newer list-of-pairs format");
        ArrayNode legacy = json.createArrayNode();
        merges.forEach(pair -> legacy.add(pair.get(0).asText() + " " + pair.get(1).asText()));
        ((ObjectNode) tok.get("model")).set("merges", legacy);
        Path dir = Files.createDirectories(tmp.resolve("legacy"));
        json.writeValue(dir.resolve(TextTokenizer.FILE).toFile(), tok);

        JsonNode samples = Fixtures.json(Fixtures.reference("llama-tiny").resolve("reference.json")).get("samples");
        List<String> texts = Fixtures.texts(Fixtures.corpus());
        try (TextTokenizer pairs = TextTokenizer.load(fixture); TextTokenizer strings = TextTokenizer.load(dir)) {
            for (int i = 0; i < texts.size(); i++) {
                long[] want = ids(samples.get(i).get("input_ids"));
                assertArrayEquals(want, pairs.encode(texts.get(i)), "pairs format, sample " + i);
                assertArrayEquals(want, strings.encode(texts.get(i)), "string format, sample " + i);
            }
        }
    }

    @Test
    void bosExactlyAsThePostProcessorSays() throws Exception {
        try (TextTokenizer bloom = TextTokenizer.load(Fixtures.model("bloom-tiny"));
             TextTokenizer llama = TextTokenizer.load(Fixtures.model("llama-tiny"))) {
            // the oracle README's quick-look values
            assertArrayEquals(new long[] {384, 3969, 420, 2438, 1534, 17}, bloom.encode("The weather is nice today."));
            assertArrayEquals(new long[] {1, 384, 3969, 420, 2438, 1534, 17}, llama.encode("The weather is nice today."));
            assertArrayEquals(new long[] {384, 3969, 420, 2438, 1534, 17},
                    llama.encodeWithoutSpecialTokens("The weather is nice today."));
        }
    }

    @Test
    void longTextsAreNotTruncated() throws Exception {
        String text = String.join(" ", Fixtures.texts(Fixtures.corpus()).subList(0, 200));
        try (TextTokenizer llama = TextTokenizer.load(Fixtures.model("llama-tiny"))) {
            long[] ids = llama.encode(text);
            assertTrue(ids.length > 1024, "got " + ids.length);
            int sum = 0;
            for (String t : Fixtures.texts(Fixtures.corpus()).subList(0, 200)) {
                sum += llama.encodeWithoutSpecialTokens(t).length;
            }
            assertEquals(1, ids[0]);
            assertTrue(Math.abs(ids.length - 1 - sum) <= 200, "whole text " + ids.length + " vs parts " + sum);
        }
    }
}
