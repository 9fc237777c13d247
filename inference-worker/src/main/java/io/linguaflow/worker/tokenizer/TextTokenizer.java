package io.linguaflow.worker.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
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

    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Loads {@code dir/tokenizer.json}. */
    public static TextTokenizer load(Path dir) throws CheckpointException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "missing (the runtime reads the checkpoint's own tokenizer.json)");
        }
        try {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(file,
                    Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true")));
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
