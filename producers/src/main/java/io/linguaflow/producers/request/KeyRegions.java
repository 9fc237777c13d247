package io.linguaflow.producers.request;

import io.linguaflow.checkpoint.JsonErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Key linguistic regions: {@code {"<lang>": [flat neuron ids k = layer·D + neuron]}}, either as the whole JSON or as
 * the {@code key_neurons} object of {@code analyze}'s result JSON (whose {@code layers} and
 * {@code neurons_per_layer} then give the neuron count L·D the ids must lie below). Parsing checks that every id is
 * an integer in [0, 2^31) (and below L·D when known) and that no set repeats an id; {@link #checkRange} checks the
 * ids against a model. Errors name the input, the set and the position.
 *
 * @param input       where the regions came from (a file name), for messages
 * @param sets        set name → ids in the given order, sets in the given order
 * @param neuronCount L·D of the model the regions were computed on, or null when the input does not say
 */
public record KeyRegions(String input, Map<String, List<Integer>> sets, Integer neuronCount) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public KeyRegions {
        Map<String, List<Integer>> copy = new LinkedHashMap<>();
        sets.forEach((name, ids) -> copy.put(name, List.copyOf(ids)));
        sets = Collections.unmodifiableMap(copy);
    }

    /** Reads and validates a key-regions JSON file. */
    public static KeyRegions read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + JsonErrors.describe(e), e);
        }
        return of(root, file.toString());
    }

    /** Validates a key-regions JSON text; {@code input} names it in messages. */
    public static KeyRegions parse(String json, String input) {
        try {
            return of(JSON.readTree(json), input);
        } catch (IOException e) {
            throw new IllegalArgumentException(input + ": not valid JSON: " + JsonErrors.describe(e), e);
        }
    }

    private static KeyRegions of(JsonNode root, String input) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(input + ": expected a JSON object {\"<lang>\": [flat neuron ids]}");
        }
        Integer neuronCount = null;
        if (root.path("key_neurons").isObject()) { // analyze's result JSON
            JsonNode layers = root.path("layers");
            JsonNode width = root.path("neurons_per_layer");
            if (layers.isIntegralNumber() && width.isIntegralNumber()) {
                neuronCount = Math.multiplyExact(layers.asInt(), width.asInt());
            }
            root = root.get("key_neurons");
        }
        Map<String, List<Integer>> sets = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String where = input + ": set '" + e.getKey() + "'";
            if (e.getKey().isBlank()) {
                throw new IllegalArgumentException(input + ": a set has a blank name");
            }
            if (!e.getValue().isArray()) {
                throw new IllegalArgumentException(where + " is not an array of neuron ids: " + e.getValue());
            }
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < e.getValue().size(); i++) {
                JsonNode v = e.getValue().get(i);
                if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                    throw new IllegalArgumentException(where + ", position " + i + ": " + v
                            + " is not an integer neuron id below 2^31");
                }
                ids.add(v.asInt());
            }
            sets.put(e.getKey(), checkIds(ids, where));
        }
        KeyRegions regions = new KeyRegions(input, sets, neuronCount);
        if (neuronCount != null) {
            regions.checkRange(neuronCount);
        }
        return regions;
    }

    /**
     * Checks a list of flat neuron ids: non-negative, no repeats. Returns it; the message names {@code where},
     * the position and the id.
     */
    public static List<Integer> checkIds(List<Integer> ids, String where) {
        Map<Integer, Integer> firstAt = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            if (id < 0) {
                throw new IllegalArgumentException(where + ", position " + i + ": negative neuron id " + id);
            }
            Integer first = firstAt.putIfAbsent(id, i);
            if (first != null) {
                throw new IllegalArgumentException(where + ", position " + i + ": neuron id " + id
                        + " repeats position " + first);
            }
        }
        return ids;
    }

    /** Checks every id against a model with {@code modelNeurons} = L·D flat neurons. */
    public void checkRange(int modelNeurons) {
        sets.forEach((name, ids) -> {
            for (int i = 0; i < ids.size(); i++) {
                if (ids.get(i) >= modelNeurons) {
                    throw new IllegalArgumentException(input + ": set '" + name + "', position " + i + ": neuron id "
                            + ids.get(i) + " is out of range [0, " + modelNeurons + ")");
                }
            }
        });
    }

    /**
     * Checks that these regions fit the target checkpoint: the same L·D when both are known, every id in range
     * when the target's is known.
     */
    public void checkFits(RequestTarget target) {
        if (target.neuronCount() == null) {
            return;
        }
        if (neuronCount != null && !neuronCount.equals(target.neuronCount())) {
            throw new IllegalArgumentException(input + ": computed on a model with " + neuronCount
                    + " neurons (L·D), but checkpoint " + target.checkpointId() + " has " + target.neuronCount());
        }
        checkRange(target.neuronCount());
    }

    /** The named sets, in the given order; an unknown name is an error listing the available ones. */
    public KeyRegions select(Collection<String> names) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        for (String name : names) {
            List<Integer> ids = sets.get(name);
            if (ids == null) {
                throw new IllegalArgumentException(input + ": no set '" + name + "' (has " + sets.keySet() + ")");
            }
            out.put(name, ids);
        }
        return new KeyRegions(input, out, neuronCount);
    }

    /** All ids of all sets, each once, ascending (sets of different languages may share neurons). */
    public List<Integer> union() {
        TreeSet<Integer> all = new TreeSet<>();
        sets.values().forEach(all::addAll);
        return List.copyOf(all);
    }
}
