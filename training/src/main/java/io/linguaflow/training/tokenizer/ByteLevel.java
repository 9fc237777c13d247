package io.linguaflow.training.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HF's {@code ByteLevel} pre-tokenizer (GPT-2): the text is split by the GPT-2 regex, then every UTF-8 byte of a
 * piece becomes one printable character (GPT-2's {@code bytes_to_unicode}), so any text is covered by 256 base
 * symbols and no token is ever unknown.
 */
final class ByteLevel {

    /**
     * GPT-2's split: English contractions, letter runs, digit runs, other symbol runs (each with one optional leading
     * space), and whitespace. {@code (?U)} makes {@code \s} Unicode-aware, as in the Rust library.
     */
    static final Pattern SPLIT = Pattern.compile(
            "(?U)'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    /** Byte value → its character: printable Latin-1 bytes map to themselves, the other 68 to U+0100 onwards. */
    static final char[] BYTE_TO_CHAR = new char[256];

    static {
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + extra++);
        }
    }

    private ByteLevel() {
    }

    /** The pieces of {@code text}, each spelled in byte characters. */
    static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = SPLIT.matcher(text);
        while (m.find()) {
            out.add(bytes(m.group()));
        }
        return out;
    }

    private static String bytes(String piece) {
        byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
        char[] cs = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            cs[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
        }
        return new String(cs);
    }
}
