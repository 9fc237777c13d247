package io.linguaflow.worker.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.CheckpointInspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The checkpoint's own {@code tokenizer.json} through the HuggingFace tokenizers library (DJL binding).
 * Both merge formats ({@code "a b"} strings and {@code ["a","b"]} pairs) are read by the library.
 * DJL truncates to 512 tokens by default; here truncation and padding are off: every text is encoded whole.
 */
public final class TextTokenizer implements AutoCloseable {

    public static final String FILE = CheckpointInspector.TOKENIZER;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    /** The largest id the tokenizer can produce (vocabulary and added tokens). */
    private final long maxId;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, Path file, long maxId) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.maxId = maxId;
    }

    /**
     * Fails unless every id the tokenizer can produce has an embedding row: an id at or beyond {@code vocabSize}
     * (config.json's {@code vocab_size}) would index past the embedding matrix at the first text that contains it.
     */
    public void checkIdsBelow(int vocabSize, Path config) throws CheckpointException {
        if (maxId >= vocabSize) {
            throw new CheckpointException(file, "token ids go up to " + maxId + ", but the model's vocabulary has " + vocabSize
                    + " entries (vocab_size of " + config + "): this tokenizer does not belong to this model");
        }
    }

    /** The largest id in {@code model.vocab} (a token-to-id map, or Unigram's list whose index is the id) and {@code added_tokens}. */
    private static long maxId(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        long max = -1;
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (JsonNode id : (Iterable<JsonNode>) vocab::elements) {
                max = Math.max(max, id.asLong());
            }
        } else if (vocab.isArray()) {
            max = vocab.size() - 1L;
        }
        for (JsonNode added : root.path("added_tokens")) {
            max = Math.max(max, added.path("id").asLong(-1));
        }
        return max;
    }

    /** Loads {@code dir/tokenizer.json}. */
    public static TextTokenizer load(Path dir) throws CheckpointException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "missing (the runtime reads the checkpoint's own tokenizer.json)");
        }
        try {
            long maxId = maxId(file);
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(file,
                    Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true")), file, maxId);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file, "cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    /**
     * Token ids of {@code text} as HF's {@code tokenizer(text)} gives them: special tokens exactly as the
     * tokenizer.json post-processor adds them (BLOOM: none; LLaMA: {@code <s>} first), no truncation.
     */
    public long[] encode(String text) {
        return ids(tokenizer.encode(text, true, false));
    }

    /** Token ids without special tokens ({@code add_special_tokens=False}, as lm-eval-harness encodes). */
    public long[] encodeWithoutSpecialTokens(String text) {
        return ids(tokenizer.encode(text, false, false));
    }

    /**
     * The text of token ids with special tokens left out, as HF's {@code tokenizer.decode(ids,
     * skip_special_tokens=True)} (the same Rust decoder: byte-level pieces that end inside a UTF-8 character become
     * U+FFFD). The fixture and BLOOM/LLaMA tokenizers set {@code clean_up_tokenization_spaces} false, so Python's
     * extra clean-up step does not apply.
     */
    public String decode(long[] ids) {
        return tokenizer.decode(ids, true);
    }

    /** Special tokens the post-processor puts before any text (LLaMA: 1, its {@code <s>}; BLOOM: 0). */
    public int leadingSpecialTokens() {
        long[] special = tokenizer.encode("a", true, false).getSpecialTokenMask();
        int n = 0;
        while (n < special.length && special[n] == 1) {
            n++;
        }
        return n;
    }

    private static long[] ids(Encoding e) {
        return e.getIds();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
