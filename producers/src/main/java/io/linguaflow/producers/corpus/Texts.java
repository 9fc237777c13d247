package io.linguaflow.producers.corpus;

import io.linguaflow.analysis.io.Utf8Lines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/** Text helpers shared by the corpus readers. */
public final class Texts {

    private static final Pattern SPACE_RUN = Pattern.compile("[\\s\\u00A0\\u2007\\u202F]+");

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
        return SPACE_RUN.matcher(strip(s)).replaceAll(" ");
    }

    /** The lines of a UTF-8 file ({@link Utf8Lines#read}: invalid UTF-8 is an error naming the file and the line). */
    public static List<String> readLines(Path file) throws IOException {
        return Utf8Lines.read(file);
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
