package io.linguaflow.worker.eval;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XStoryClozeFileTest {

    @TempDir
    Path tmp;

    @Test
    void invalidUtf8IsNamedWithFileAndLine() throws IOException {
        String story = "{\"story_id\": \"s\", \"input_sentence_1\": \"caf\u00e9\"}\n";
        Path f = Files.write(tmp.resolve("en_eval.jsonl"), ("\n" + story).getBytes(StandardCharsets.ISO_8859_1));
        IOException e = assertThrows(IOException.class, () -> XStoryCloze.read(f));
        assertTrue(e.getMessage().startsWith(f + ":2: not valid UTF-8"), e.getMessage());
    }
}
