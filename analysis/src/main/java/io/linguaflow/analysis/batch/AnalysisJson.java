package io.linguaflow.analysis.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.keyregions.KeyRegions;
import io.linguaflow.analysis.metrics.PairClassSums;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The analysis JSON ({@code analysis.json}, {@code R.json}); the batch command, the inference worker's
 * extract command and the streams outputs all write this shape. Pair counts are unordered pairs.
 */
public final class AnalysisJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AnalysisJson() {
    }

    public static void write(AnalysisResult r, Path out) throws IOException {
        MAPPER.writeValue(out.toFile(), toJson(r));
    }

    public static ObjectNode toJson(AnalysisResult r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("mode", r.lfCompat() ? "lf-compat" : "corrected");
        o.set("languages", MAPPER.valueToTree(r.languages()));
        o.put("n_samples", r.samples());
        o.put("n_meanings", r.meanings());
        o.put("layers", r.layers());
        o.put("neurons_per_layer", r.neuronsPerLayer());
        o.put("lrds", r.lrds());
        o.put("sads", r.sads());
        o.set("overall", classes(r.overall()));

        ObjectNode perLayer = o.putObject("per_layer");
        perLayer.set("lrds", doubles(r.perLayerLrds()));
        perLayer.set("sads", doubles(r.perLayerSads()));
        perLayer.set("mean_same_lang_diff_meaning", column(r.perLayer(), PairClassSums::meanSameLanguage));
        perLayer.set("mean_diff_lang_same_meaning", column(r.perLayer(), PairClassSums::meanSameMeaning));
        perLayer.set("mean_diff_lang_diff_meaning", column(r.perLayer(), PairClassSums::meanDifferent));

        KeyRegions k = r.keyRegions();
        o.put("threshold", k.threshold());
        o.put("threshold_reachable", k.thresholdReachable());
        ObjectNode neurons = o.putObject("key_neurons");
        ObjectNode counts = o.putObject("key_neuron_counts");
        ObjectNode countsPerLayer = o.putObject("key_neurons_per_layer");
        for (String lang : k.languages()) {
            ArrayNode ids = neurons.putArray(lang);
            for (long id : k.neurons().get(lang)) {
                ids.add(id);
            }
            counts.put(lang, k.count(lang));
            ArrayNode pl = countsPerLayer.putArray(lang);
            for (int c : k.countsPerLayer().get(lang)) {
                pl.add(c);
            }
        }
        o.put("sklr", k.sklr());
        ArrayNode sklrLayers = o.putArray("sklr_per_layer");
        for (long c : k.sklrPerLayer()) {
            sklrLayers.add(c);
        }
        o.put("sklr_fraction", k.sklrFraction());
        o.put("neuron_score", r.lfCompat()
                ? "authors' find_max_average_neurons: a = x/||x|| + 1e-5, sum_{i<j} a_i(k) a_j(k) / P^2"
                : "C_l(k) = [(sum_i a_i(k))^2 - sum_i a_i(k)^2] / (n_l (n_l - 1)), mean over ordered pairs");
        o.set("warnings", MAPPER.valueToTree(r.warnings()));
        if (r.compat() != null) {
            o.set("lf_compat", compat(r.compat()));
        }
        return o;
    }

    private static ObjectNode classes(PairClassSums p) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("lrds", p.lrds());
        o.put("sads", p.sads());
        o.put("mean_same_lang_diff_meaning", p.meanSameLanguage());
        o.put("mean_diff_lang_same_meaning", p.meanSameMeaning());
        o.put("mean_diff_lang_diff_meaning", p.meanDifferent());
        ObjectNode pairs = o.putObject("n_pairs");
        pairs.put("same_lang_diff_meaning", p.sameLanguagePairs() / 2);
        pairs.put("diff_lang_same_meaning", p.sameMeaningPairs() / 2);
        pairs.put("diff_lang_diff_meaning", p.differentPairs() / 2);
        return o;
    }

    private static ObjectNode compat(LfCompatResult c) {
        ObjectNode o = MAPPER.createObjectNode();
        o.set("language_order", MAPPER.valueToTree(c.languageOrder()));
        ObjectNode whole = o.putObject("whole_model");
        whole.set("lrds", block(c.lrds()));
        whole.set("sads_released_stride_S_plus_1", block(c.sadsReleased()));
        whole.set("sads_intended_stride_S", block(c.sadsIntended()));
        ArrayNode layers = o.putArray("per_layer");
        for (int m = 0; m < c.perLayer().size(); m++) {
            LfCompatResult.Layer l = c.perLayer().get(m);
            ObjectNode n = layers.addObject();
            n.put("layer", m);
            n.set("lrds", block(l.lrds()));
            n.set("sads_intended_stride_S", block(l.sadsIntended()));
            n.set("sads_released_stride_S_plus_1", block(l.sadsReleased()));
            n.set("sads_released_main_call_default_sample_num_100", block(l.sadsReleasedMainCall()));
        }
        return o;
    }

    private static ObjectNode block(BlockScore b) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("diagonal_mean", b.diagonalMean());
        o.put("off_diagonal_mean", b.offDiagonalMean());
        o.put("score", b.score());
        return o;
    }

    private static ArrayNode doubles(double[] values) {
        ArrayNode a = MAPPER.createArrayNode();
        for (double v : values) {
            a.add(v);
        }
        return a;
    }

    private static ArrayNode column(List<PairClassSums> layers, ToDoubleFunction<PairClassSums> f) {
        return doubles(layers.stream().mapToDouble(f).toArray());
    }
}
