package io.linguaflow.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** The demo's closing table: one row per analysed checkpoint (step, LRDS, SADS, SKLR, key neurons per language). */
final class SummaryTable {

    private SummaryTable() {
    }

    /** The table of {@code entries} ({@link io.linguaflow.launcher.pipeline.PipelineReport#entry} shape), in the given order. */
    static String render(List<ObjectNode> entries) {
        List<String> langs = new ArrayList<>();
        for (ObjectNode e : entries) {
            e.path("metrics").path("languages").forEach(l -> {
                if (!langs.contains(l.asText())) {
                    langs.add(l.asText());
                }
            });
        }
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("step", "checkpoint", "LRDS", "SADS", "SKLR"));
        langs.forEach(l -> header.add("key:" + l));
        rows.add(header.toArray(String[]::new));
        for (ObjectNode e : entries) {
            JsonNode m = e.path("metrics");
            List<String> row = new ArrayList<>(List.of(e.path("step").isNull() ? "-" : e.path("step").asText(),
                    e.path("checkpoint_id").asText(), number(m.path("lrds")), number(m.path("sads")),
                    m.path("sklr").isMissingNode() ? "-" : m.path("sklr").asText()));
            langs.forEach(l -> row.add(m.path("key_neuron_counts").path(l).isMissingNode() ? "-"
                    : m.path("key_neuron_counts").path(l).asText()));
            rows.add(row.toArray(String[]::new));
        }
        int[] width = new int[header.size()];
        rows.forEach(r -> {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        });
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            for (int i = 0; i < row.length; i++) {
                // text columns left-aligned, numbers right-aligned
                out.append(i == 1 ? String.format("%-" + width[i] + "s", row[i]) : String.format("%" + width[i] + "s", row[i]));
                out.append(i + 1 < row.length ? "  " : "\n");
            }
            if (r == 0) {
                out.append("-".repeat(java.util.Arrays.stream(width).sum() + 2 * (width.length - 1))).append('\n');
            }
        }
        return out.toString();
    }

    /** A metric with 4 decimals; "-" when absent or NaN (served as null). */
    static String number(JsonNode v) {
        return v == null || !v.isNumber() ? "-" : String.format("%.4f", v.asDouble());
    }
}
