package io.linguaflow.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.worker.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model directory that is not there, and a tokenizer that is not the model's, fail at load with what is wrong. */
class ModelInputErrorsTest {

    @TempDir
    Path tmp;

    @Test
    void aMissingModelDirectoryIsSaidToBeMissing() throws Exception {
        Path none = tmp.resolve("no-such-model");
        CheckpointException e = assertThrows(CheckpointException.class, () -> LanguageModel.load(none, Device.cpu()).close());
        assertEquals(none + ": model directory does not exist", e.getMessage());
        Path file = Files.writeString(tmp.resolve("config.json"), "{}");
        CheckpointException notDir = assertThrows(CheckpointException.class, () -> LanguageModel.load(file, Device.cpu()).close());
        assertEquals(file + ": is not a directory (a model is a checkpoint directory)", notDir.getMessage());
    }

    @Test
    void aTokenizerWhoseIdsExceedTheVocabularyIsRefusedAtLoad() throws Exception {
        Path bloom = Fixtures.model("bloom-tiny");
        Path dir = Files.createDirectories(tmp.resolve("bloom-tiny-other-tokenizer"));
        try (var files = Files.list(bloom)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        // an added token beyond config.json's vocab_size (4000): its id would index past the embedding matrix
        ObjectMapper json = new ObjectMapper();
        ObjectNode tokenizer = (ObjectNode) json.readTree(dir.resolve("tokenizer.json").toFile());
        ((ArrayNode) tokenizer.get("added_tokens")).addObject().put("id", 4005).put("content", "<extra_5>").put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        json.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizer);

        CheckpointException e = assertThrows(CheckpointException.class, () -> LanguageModel.load(dir, Device.cpu()).close());
        assertEquals(dir.resolve("tokenizer.json") + ": token ids go up to 4005, but the model's vocabulary has 4000 entries "
                + "(vocab_size of " + dir.resolve("config.json") + "): this tokenizer does not belong to this model", e.getMessage());
    }
}
