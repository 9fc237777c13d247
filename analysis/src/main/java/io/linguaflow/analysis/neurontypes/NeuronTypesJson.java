package io.linguaflow.analysis.neurontypes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * JSON form of a {@link NeuronTypesResult}. Field names follow the NJUNLP fixture's {@code summary.json} and
 * {@code mask.json} ({@code mask: {lang: [[ids of layer 0], ...]}}); floats are written as the exact double
 * (tau widened from float32, plus its float32 bits; λ plus its hex form).
 */
public final class NeuronTypesJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private NeuronTypesJson() {
    }

    public static ObjectNode toJson(NeuronTypesResult r) {
        ObjectNode o = MAPPER.createObjectNode();
        List<String> langs = r.languages();
        o.put("method", r.method().id());
        ArrayNode l = o.putArray("languages");
        langs.forEach(l::add);
        o.put("K", langs.size());
        o.put("layers", r.layers());
        o.put("neurons_per_layer", r.neuronsPerLayer());
        o.put("top_rate", r.topRate());
        o.put("activation_bar_ratio", r.activationBarRatio());
        o.put("k", r.k());
        if (r.lambda().isPresent()) {
            double lambda = r.lambda().getAsDouble();
            o.put("lambda", lambda);
            o.put("lambda_hex", Double.toHexString(lambda));
            o.put("norm_max", ZhangClassifier.normMax(langs.size()));
        } else {
            o.putNull("lambda");
        }
        r.sweep().ifPresent(s -> o.set("autosweep", sweep(s)));
        o.put("tau", (double) r.tau());
        o.put("tau_float32_bits", Float.floatToRawIntBits(r.tau()));
        o.put("tau_rank_1indexed", r.tauRank());
        o.put("kth_selected_score", (double) r.kthScore());
        o.put("next_unselected_score", (double) r.nextScore());
        o.put("selected_count", r.k());
        o.put("selected_with_N0_dropped", r.selectedWithoutLanguage());
        ints(o.putArray("appear"), r.appear());
        perLanguage(o.putObject("sizes"), langs, r.sizes());
        perLanguage(o.putObject("specific_per_language"), langs, r.specificPerLanguage());
        ObjectNode perLayer = o.putObject("per_layer");
        ints(perLayer.putArray("specific"), r.specificPerLayer());
        ints(perLayer.putArray("related"), r.relatedPerLayer());
        ints(perLayer.putArray("general"), r.generalPerLayer());
        ObjectNode totals = o.putObject("totals");
        totals.put("specific", r.specificTotal());
        totals.put("related", r.relatedTotal());
        totals.put("general", r.generalTotal());
        ints(o.putArray("N_histogram_all_neurons"), r.languageCountHistogram());
        ObjectNode mask = o.putObject("mask");
        for (int k = 0; k < langs.size(); k++) {
            ArrayNode layers = mask.putArray(langs.get(k));
            for (int layer = 0; layer < r.layers(); layer++) {
                ints(layers.addArray(), r.mask(k, layer));
            }
        }
        ArrayNode general = o.putArray("general");
        for (int layer = 0; layer < r.layers(); layer++) {
            ints(general.addArray(), r.general(layer));
        }
        ints(o.putArray("selected"), r.selected());
        return o;
    }

    public static void write(NeuronTypesResult r, Path file) throws IOException {
        MAPPER.writeValue(file.toFile(), toJson(r));
    }

    private static ObjectNode sweep(LambdaSweep.Result s) {
        ObjectNode a = MAPPER.createObjectNode();
        a.put("lo", s.settings().lo());
        a.put("hi", s.settings().hi());
        a.put("eps", s.settings().eps());
        a.put("max_iters", s.settings().maxIterations());
        a.put("ok", "appear[K] == 0");
        if (s.best().isPresent()) {
            a.put("best_lambda", s.best().getAsDouble());
        } else {
            a.putNull("best_lambda");
        }
        a.put("iterations", s.iterations());
        ArrayNode t = a.putArray("trajectory");
        for (LambdaSweep.Step step : s.trajectory()) {
            ObjectNode e = t.addObject();
            if (step.label().chars().allMatch(Character::isDigit)) {
                e.put("step", Integer.parseInt(step.label())); // iteration number, as the fixture's summary.json
            } else {
                e.put("step", step.label());
            }
            e.put("lambda", step.lambda());
            e.put("lambda_hex", Double.toHexString(step.lambda()));
            ints(e.putArray("appear"), step.appear());
            e.put("ok", step.ok());
            e.put("kth_score", (double) step.kthScore());
            e.put("next_score", (double) step.nextScore());
        }
        return a;
    }

    private static void perLanguage(ObjectNode o, List<String> langs, int[] v) {
        for (int k = 0; k < langs.size(); k++) {
            o.put(langs.get(k), v[k]);
        }
    }

    private static void ints(ArrayNode a, int[] v) {
        for (int x : v) {
            a.add(x);
        }
    }
}
