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
 * LRDS, SADS, pair-class means, SKLR - equal, doubles bit for bit: the aggregators' sums do not depend on the order
 * the activations arrive in (docs/math.md §10), so a fault that reorders or re-delivers them changes no bit.
 */
final class CleanRunComparison {

    private CleanRunComparison() {
    }

    /** Asserts the entries agree as described. */
    static void assertSameAsCleanRun(JsonNode fault, JsonNode clean) {
        assertEquals(clean.get("status").asText(), fault.get("status").asText(), "status");
        assertEquals(clean.get("key_regions"), fault.get("key_regions"), "key regions (neuron ids, in order)");
        List<String> differences = new ArrayList<>();
        compare("metrics", fault.get("metrics"), clean.get("metrics"), differences);
        assertEquals(List.of(), differences, "metrics differing from the clean run's");
    }

    private static void compare(String path, JsonNode got, JsonNode want, List<String> differences) {
        if (want.isFloatingPointNumber() && got.isNumber()) {
            if (Double.doubleToLongBits(want.asDouble()) != Double.doubleToLongBits(got.asDouble())) {
                differences.add(path + ": " + got.asDouble() + " vs clean " + want.asDouble());
            }
        } else if (want.isContainerNode() && got.getNodeType() == want.getNodeType() && got.size() == want.size()) {
            if (want.isArray()) {
                for (int i = 0; i < want.size(); i++) {
                    compare(path + "[" + i + "]", got.get(i), want.get(i), differences);
                }
            } else {
                for (Iterator<String> names = want.fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    assertTrue(got.has(name), path + "." + name + " missing");
                    compare(path + "." + name, got.get(name), want.get(name), differences);
                }
            }
        } else if (!got.equals(want)) {
            differences.add(path + ": " + got + " vs clean " + want);
        }
    }
}
