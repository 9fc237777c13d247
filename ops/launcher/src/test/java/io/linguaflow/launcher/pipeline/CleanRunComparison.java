package io.linguaflow.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A fault run's report entry ({@link PipelineReport#entry}) against an undisturbed run's of the same checkpoint and
 * corpus: the key regions identical, and every number of the metrics - each double of the whole-model and per-layer
 * LRDS, SADS, pair-class means, SKLR - equal, doubles within a tolerance.
 */
final class CleanRunComparison {

    private CleanRunComparison() {
    }

    /** Asserts the entries agree as described; returns the largest difference between two doubles. */
    static double assertSameAsCleanRun(JsonNode fault, JsonNode clean, double tolerance) {
        assertEquals(clean.get("status").asText(), fault.get("status").asText(), "status");
        assertEquals(clean.get("key_regions"), fault.get("key_regions"), "key regions (neuron ids, in order)");
        List<String> differences = new ArrayList<>();
        double worst = compare("metrics", fault.get("metrics"), clean.get("metrics"), tolerance, differences);
        assertEquals(List.of(), differences, "metrics differing from the clean run's");
        return worst;
    }

    private static double compare(String path, JsonNode got, JsonNode want, double tolerance, List<String> differences) {
        if (want.isFloatingPointNumber() && got.isNumber()) {
            // Bit equality needs the aggregators' sums independent of the order the activations arrive in.
            double diff = Math.abs(want.asDouble() - got.asDouble());
            if (!(diff <= tolerance) && Double.compare(want.asDouble(), got.asDouble()) != 0) {
                differences.add(path + ": " + got.asDouble() + " vs clean " + want.asDouble());
            }
            return Double.isNaN(diff) ? 0 : diff;
        }
        if (want.isContainerNode() && got.getNodeType() == want.getNodeType() && got.size() == want.size()) {
            double worst = 0;
            if (want.isArray()) {
                for (int i = 0; i < want.size(); i++) {
                    worst = Math.max(worst, compare(path + "[" + i + "]", got.get(i), want.get(i), tolerance, differences));
                }
                return worst;
            }
            for (Iterator<String> names = want.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                assertTrue(got.has(name), path + "." + name + " missing");
                worst = Math.max(worst, compare(path + "." + name, got.get(name), want.get(name), tolerance, differences));
            }
            return worst;
        }
        if (!got.equals(want)) {
            differences.add(path + ": " + got + " vs clean " + want);
        }
        return 0;
    }
}
