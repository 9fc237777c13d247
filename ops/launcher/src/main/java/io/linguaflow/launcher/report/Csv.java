package io.linguaflow.launcher.report;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The table behind a figure as CSV (RFC 4180 quoting, LF line ends, UTF-8). Doubles are written with
 * {@link Double#toString(double)}, which reads back to the very value the API served; NaN (null in the API) is an empty
 * cell.
 */
final class Csv {

    private Csv() {
    }

    static byte[] of(List<String> header, List<List<Object>> rows) {
        StringBuilder out = new StringBuilder();
        line(out, List.copyOf(header));
        rows.forEach(r -> line(out, r));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder out, List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            out.append(i == 0 ? "" : ",").append(cell(cells.get(i)));
        }
        out.append('\n');
    }

    private static String cell(Object v) {
        if (v == null || v instanceof Double d && d.isNaN()) {
            return "";
        }
        String s = v.toString();
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
