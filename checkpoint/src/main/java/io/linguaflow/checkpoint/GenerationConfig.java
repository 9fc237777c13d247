package io.linguaflow.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What HF {@code generate} reads from a checkpoint directory to stop: the end-of-sequence token ids of
 * {@code generation_config.json} ({@code GenerationConfig.from_pretrained}), else of {@code config.json} (HF builds
 * the generation config from the model config when the file is absent). {@code eos_token_id} may be one id or a
 * list (LLaMA 3); none means generation runs to {@code max_new_tokens}.
 *
 * @param eosTokenIds the ids that end generation (the end token is kept in the output), possibly empty
 */
public record GenerationConfig(List<Integer> eosTokenIds) {

    public static final String FILE = "generation_config.json";

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Reads {@code dir/generation_config.json}, else the end token of {@code dir/config.json}. */
    public static GenerationConfig read(Path dir) throws CheckpointException {
        Path file = dir.resolve(FILE);
        if (Files.isRegularFile(file)) {
            JsonNode eos = JsonFiles.readObject(file).get("eos_token_id");
            if (eos != null && !eos.isNull()) {
                return new GenerationConfig(ids(file, eos));
            }
        }
        Path config = dir.resolve(HfConfig.FILE);
        JsonNode eos = JsonFiles.readObject(config).get("eos_token_id");
        return new GenerationConfig(eos == null || eos.isNull() ? List.of() : ids(config, eos));
    }

    private static List<Integer> ids(Path file, JsonNode eos) throws CheckpointException {
        List<Integer> out = new ArrayList<>();
        for (JsonNode id : eos.isArray() ? eos : List.of(eos)) {
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.asInt() < 0) {
                throw new CheckpointException(file, "eos_token_id must be a token id or a list of them, got " + eos);
            }
            out.add(id.asInt());
        }
        return out;
    }
}
