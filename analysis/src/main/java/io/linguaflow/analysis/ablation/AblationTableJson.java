package io.linguaflow.analysis.ablation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two forms of an {@link AblationTable}, written by {@code linguaflow table1} and served by
 * {@code /checkpoints/{id}/ablation-table}: JSON ({@code T.json}: languages, key_neurons, key_neurons_pct,
 * total_neurons, baseline, ablated, random, increase_pct, random_increase_pct, random_seed, eval_corpus) and the
 * paper's layout as CSV (rows = evaluated language; columns = full model, random baseline, each deactivated language,
 * each as perplexity and % increase; bottom rows = key-neuron count and % of all neurons).
 */
public final class AblationTableJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AblationTableJson() {
    }

    public static ObjectNode toJson(AblationTable t) {
        ObjectNode o = MAPPER.createObjectNode();
        o.set("languages", MAPPER.valueToTree(t.languages()));
        o.set("key_neurons", MAPPER.valueToTree(t.keyNeurons()));
        o.set("key_neurons_pct", MAPPER.valueToTree(t.keyNeuronsPct()));
        o.put("total_neurons", t.totalNeurons());
        o.set("baseline", MAPPER.valueToTree(t.baseline()));
        o.set("ablated", MAPPER.valueToTree(t.ablated()));
        o.set("random", MAPPER.valueToTree(t.random()));
        o.set("increase_pct", MAPPER.valueToTree(t.increasePct()));
        o.set("random_increase_pct", MAPPER.valueToTree(t.randomIncreasePct()));
        if (t.randomSeed() == null) {
            o.putNull("random_seed");
        } else {
            o.put("random_seed", t.randomSeed());
        }
        o.put("eval_corpus", t.evalCorpus());
        return o;
    }

    /** Reads what {@link #toJson} wrote (the derived percentages are recomputed). */
    public static AblationTable fromJson(JsonNode o) {
        List<String> languages = new ArrayList<>();
        o.path("languages").forEach(l -> languages.add(l.asText()));
        Map<String, Integer> keys = new LinkedHashMap<>();
        o.path("key_neurons").properties().forEach(e -> keys.put(e.getKey(), e.getValue().asInt()));
        JsonNode seed = o.path("random_seed");
        return AblationTable.of(languages, o.path("total_neurons").asLong(), keys, doubles(o.path("baseline")), grid(o.path("ablated")),
                grid(o.path("random")), seed.isNumber() ? seed.asLong() : null, o.path("eval_corpus").asText(null));
    }

    private static Map<String, Double> doubles(JsonNode n) {
        Map<String, Double> out = new LinkedHashMap<>();
        n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asDouble()));
        return out;
    }

    private static Map<String, Map<String, Double>> grid(JsonNode n) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        n.properties().forEach(e -> out.put(e.getKey(), doubles(e.getValue())));
        return out;
    }

    public static void write(AblationTable t, Path out) throws IOException {
        MAPPER.writeValue(out.toFile(), toJson(t));
    }

    /**
     * The paper's layout. The random column of row X is the random set of X's region size evaluated on X (the full
     * random grid is in the JSON); a cell the table does not have is empty.
     */
    public static String toCsv(AblationTable t) {
        List<String> langs = t.languages();
        StringBuilder s = new StringBuilder("evaluated,full_ppl,random_ppl,random_increase_pct");
        for (String r : langs) {
            s.append(",without_").append(r).append("_ppl,without_").append(r).append("_increase_pct");
        }
        s.append('\n');
        boolean random = !t.random().isEmpty();
        for (String e : langs) {
            s.append(e).append(',').append(t.baseline().get(e)).append(',')
                    .append(random ? Double.toString(t.random().get(e).get(e)) : "").append(',')
                    .append(random ? Double.toString(t.randomIncreasePct(e, e)) : "");
            for (String r : langs) {
                s.append(',').append(t.ablated().get(r).get(e)).append(',').append(t.increasePct(r, e));
            }
            s.append('\n');
        }
        s.append("key_neurons,,,");
        langs.forEach(r -> s.append(',').append(t.keyNeurons().get(r)).append(','));
        s.append('\n').append("key_neurons_pct,,,");
        langs.forEach(r -> s.append(',').append(t.keyNeuronsPct(r)).append(','));
        return s.append('\n').toString();
    }

    public static void writeCsv(AblationTable t, Path out) throws IOException {
        Files.writeString(out, toCsv(t));
    }
}
