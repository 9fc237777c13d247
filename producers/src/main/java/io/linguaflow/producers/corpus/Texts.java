package io.linguaflow.producers.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Text helpers shared by the corpus readers. */
public final class Texts {

    private Texts() {
    }

    /**
     * Removes leading and trailing white space, including no-break spaces (U+00A0, which FLORES has at line
     * ends): the same characters as Python's {@code str.strip()}, with which the reference corpora were written.
     */
    public static String strip(String s) {
        int begin = 0;
        int end = s.length();
        while (begin < end && isSpace(s.codePointAt(begin))) {
            begin += Character.charCount(s.codePointAt(begin));
        }
        while (end > begin && isSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(begin, end);
    }

    private static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    /** Collapses every run of white space to one space and strips the ends (XML text content). */
    public static String collapse(String s) {
        return strip(s).replaceAll("[\\s\\u00A0\\u2007\\u202F]+", " ");
    }

    /**
     * The lines of a UTF-8 file without their terminators ({@code \n} or {@code \r\n}); a leading byte-order
     * mark is dropped. Invalid UTF-8 is an error naming the file and the line.
     */
    public static List<String> readLines(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (lines.isEmpty() && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                lines.add(line);
            }
        } catch (CharacterCodingException e) {
            throw new IOException(file + ":" + (lines.size() + 1) + ": not valid UTF-8", e);
        }
        return lines;
    }

    /** {@code file:line} (1-based line). */
    public static String source(Path file, int line) {
        return file + ":" + line;
    }

    /** File name without its last extension: {@code corpus.tsv} → {@code corpus}. */
    public static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
