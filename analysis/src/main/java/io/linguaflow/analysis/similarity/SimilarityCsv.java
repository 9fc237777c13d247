package io.linguaflow.analysis.similarity;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SimilarityMap} as CSV (RFC 4180 quoting, LF line ends, UTF-8): a header row {@code sampleId,<id₀>,…,<id_N−1>},
 * then one row per sample {@code <idᵢ>,S_i0,…,S_i,N−1} in the same order. Values are written with
 * {@link Double#toString(double)}, the shortest text that reads back to the same double, so a map survives the round
 * trip bit for bit.
 */
public final class SimilarityCsv {

    /** The header's first cell. */
    public static final String CORNER = "sampleId";

    /** A map read from CSV with the sample ids of its rows (and columns). */
    public record Table(List<String> sampleIds, SimilarityMap map) {

        public Table {
            sampleIds = List.copyOf(sampleIds);
        }
    }

    private SimilarityCsv() {
    }

    /**
     * @param sampleIds one per row of {@code map}, in its order; no line breaks
     * @return the CSV text, UTF-8
     */
    public static byte[] write(SimilarityMap map, List<String> sampleIds) {
        int n = map.size();
        StringWriter out = new StringWriter((int) Math.min(1 << 26, 20L * n * (n + 1))); // ~20 characters a value
        try {
            write(map, sampleIds, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not throw
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The same text written row by row to {@code out} (e.g. an HTTP response), so no more than a row is held as text.
     * The ids are checked before the first character.
     */
    public static void write(SimilarityMap map, List<String> sampleIds, Writer out) throws IOException {
        int n = map.size();
        if (sampleIds.size() != n) {
            throw new IllegalArgumentException(sampleIds.size() + " sample ids for a " + n + "x" + n + " map");
        }
        StringBuilder row = new StringBuilder(CORNER);
        for (String id : sampleIds) {
            row.append(',').append(field(id));
        }
        out.append(row).append('\n');
        for (int i = 0; i < n; i++) {
            row.setLength(0);
            row.append(field(sampleIds.get(i)));
            for (int j = 0; j < n; j++) {
                row.append(',').append(map.get(i, j));
            }
            out.append(row).append('\n');
        }
    }

    private static String field(String s) {
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("sample id '" + s.replace("\n", "\\n").replace("\r", "\\r") + "' contains a line break");
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    /**
     * Reads what {@link #write} wrote; blank lines are skipped.
     *
     * @param source names the input in error messages (file or URL)
     * @throws IllegalArgumentException naming the source, line and column of the defect
     */
    public static Table read(BufferedReader in, String source) throws IOException {
        String header = in.readLine();
        if (header == null) {
            throw new IllegalArgumentException(source + ": empty, expected a header row '" + CORNER + ",<sample id>,...'");
        }
        List<String> columns = fields(header, source, 1);
        if (!columns.get(0).equals(CORNER) || columns.size() < 2) {
            throw new IllegalArgumentException(source + " line 1: the header must be '" + CORNER + "' and at least one sample id, got '"
                    + (header.length() > 80 ? header.substring(0, 80) + "..." : header) + "'");
        }
        List<String> ids = columns.subList(1, columns.size());
        int n = ids.size();
        double[][] s = new double[n][];
        int rows = 0;
        int lineNo = 1;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            List<String> f = fields(line, source, lineNo);
            if (rows == n) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": more rows than the " + n + " columns of the header");
            }
            if (f.size() != n + 1) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": " + f.size() + " fields, the header has " + (n + 1));
            }
            if (!f.get(0).equals(ids.get(rows))) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": row '" + f.get(0) + "' where column " + (rows + 1)
                        + " is '" + ids.get(rows) + "' (rows and columns must list the samples in the same order)");
            }
            double[] row = new double[n];
            for (int j = 0; j < n; j++) {
                try {
                    row[j] = Double.parseDouble(f.get(j + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(source + " line " + lineNo + ", column " + (j + 2) + " ('" + ids.get(j) + "'): '"
                            + f.get(j + 1) + "' is not a number");
                }
            }
            s[rows++] = row;
        }
        if (rows != n) {
            throw new IllegalArgumentException(source + ": " + rows + " rows for the " + n + " columns of the header");
        }
        return new Table(ids, SimilarityMap.of(s));
    }

    /** Splits one line into RFC 4180 fields (quoted fields may hold commas and doubled quotes, not line breaks). */
    private static List<String> fields(String line, String source, int lineNo) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        int i = 0;
        while (true) {
            if (i < line.length() && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new IllegalArgumentException(source + " line " + lineNo + ": unterminated quoted field " + (out.size() + 1));
                    }
                    char c = line.charAt(i++);
                    if (c == '"' && i < line.length() && line.charAt(i) == '"') {
                        f.append('"');
                        i++;
                    } else if (c == '"') {
                        break;
                    } else {
                        f.append(c);
                    }
                }
                if (i < line.length() && line.charAt(i) != ',') {
                    throw new IllegalArgumentException(source + " line " + lineNo + ": text after the closing quote of field " + (out.size() + 1));
                }
            } else {
                int comma = line.indexOf(',', i);
                f.append(line, i, comma < 0 ? line.length() : comma);
                i = comma < 0 ? line.length() : comma;
            }
            out.add(f.toString());
            f.setLength(0);
            if (i >= line.length()) {
                return out;
            }
            i++; // the comma
        }
    }
}
