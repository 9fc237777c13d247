package io.linguaflow.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The end ids HF generate stops on: generation_config.json first, config.json when it is absent or silent. */
class GenerationConfigTest {

    @TempDir
    Path dir;

    @Test
    void generationConfigWinsOverConfigAndListsAreKept() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 2}");
        assertEquals(List.of(2), GenerationConfig.read(dir).eosTokenIds());
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [128001, 128009]}");
        assertEquals(List.of(128001, 128009), GenerationConfig.read(dir).eosTokenIds());
        Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\": 1}");
        assertEquals(List.of(2), GenerationConfig.read(dir).eosTokenIds(), "silent generation config: the model's");
        Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": null}");
        assertEquals(List.of(), GenerationConfig.read(dir).eosTokenIds(), "no end token: run to max_new_tokens");
    }

    @Test
    void aBadEndIdNamesTheFile() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"</s>\"}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> GenerationConfig.read(dir));
        assertEquals(dir.resolve("generation_config.json") + ": eos_token_id must be a token id or a list of them, got \"</s>\"",
                e.getMessage());
    }
}
