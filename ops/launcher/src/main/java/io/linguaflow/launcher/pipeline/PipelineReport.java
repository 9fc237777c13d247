package io.linguaflow.launcher.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.producers.corpus.CorpusResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One checkpoint's entry of the pipeline report, built only from what the REST API serves: {@code metrics} in the
 * shape of {@code linguaflow analyze}'s JSON ({@code AnalysisJson}: snake_case names, per-layer arrays) and
 * {@code key_regions} {lang: flat neuron ids}.
 */
public final class PipelineReport {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** REST (Avro) field → analysis JSON name, for the pair-class means. */
    private static final Map<String, String> MEANS = Map.of(
            "meanSameLangDiffMeaning", "mean_same_lang_diff_meaning",
            "meanDiffLangSameMeaning", "mean_diff_lang_same_meaning",
            "meanDiffLangDiffMeaning", "mean_diff_lang_diff_meaning");

    private PipelineReport() {
    }

    /**
     * Publishes the corpus, lands every checkpoint in the given order (each final before the next) and returns
     * {@code {"corpus", "checkpoints": [entry...]}}; progress lines go to {@code log}.
     */
    public static ObjectNode run(Pipeline pipeline, Path corpus, List<Path> checkpoints, double threshold, PrintWriter log)
            throws Exception {
        CorpusResult c = pipeline.produceCorpus(corpus);
        log.printf("pipeline: corpus '%s': %d sentences in %s%n", c.corpus(), c.sentences().size(), c.languages());
        log.flush();
        ObjectNode report = JSON.createObjectNode();
        report.put("corpus", c.corpus());
        ArrayNode entries = report.putArray("checkpoints");
        for (Path dir : checkpoints) {
            long t0 = System.nanoTime();
            Pipeline.Landed landed = pipeline.land(dir, c.corpus(), threshold);
            log.printf("pipeline: %s %s after %.1f s%n", landed.event().getCheckpointId(), landed.stage(), (System.nanoTime() - t0) / 1e9);
            log.flush();
            entries.add(entry(pipeline, landed));
        }
        return report;
    }

    /** {@code {path, step, checkpoint_id, model, status, metrics, key_regions}} of a landed checkpoint. */
    public static ObjectNode entry(Pipeline pipeline, Pipeline.Landed landed) throws IOException, InterruptedException {
        ObjectNode e = JSON.createObjectNode();
        e.put("path", landed.event().getPath());
        if (landed.event().getStep() == null) {
            e.putNull("step");
        } else {
            e.put("step", landed.event().getStep());
        }
        String id = landed.event().getCheckpointId();
        e.put("checkpoint_id", id);
        e.put("model", landed.event().getModel());
        e.put("status", landed.stage().name());
        if (landed.message() != null) {
            e.put("message", landed.message());
        }
        if (landed.stage() != io.linguaflow.schemas.avro.Stage.COMPLETE) {
            return e;
        }
        JsonNode m = pipeline.get("/checkpoints/" + Pipeline.enc(id) + "/metrics");
        ObjectNode regions = JSON.createObjectNode();
        ObjectNode perLayerCounts = JSON.createObjectNode();
        for (JsonNode lang : m.get("languages")) {
            JsonNode r = pipeline.get("/checkpoints/" + Pipeline.enc(id) + "/key-regions/" + Pipeline.enc(lang.asText()));
            regions.set(lang.asText(), r.get("neurons"));
            perLayerCounts.set(lang.asText(), r.get("perLayerCounts"));
        }
        e.set("metrics", metrics(m, perLayerCounts));
        e.set("key_regions", regions);
        return e;
    }

    /** The REST metrics (Avro field names) in the analysis JSON shape. */
    static ObjectNode metrics(JsonNode m, JsonNode keyNeuronsPerLayer) {
        ObjectNode o = JSON.createObjectNode();
        o.put("mode", m.path("lfCompat").asBoolean(false) ? "lf-compat" : "corrected");
        o.set("languages", m.get("languages"));
        o.set("n_samples", m.get("samplesSeen"));
        o.set("layers", m.get("layers"));
        o.set("neurons_per_layer", m.get("neuronsPerLayer"));
        o.set("lrds", m.get("lrds"));
        o.set("sads", m.get("sads"));
        ObjectNode overall = o.putObject("overall");
        overall.set("lrds", m.get("lrds"));
        overall.set("sads", m.get("sads"));
        MEANS.forEach((rest, name) -> overall.set(name, m.get(rest)));

        ObjectNode perLayer = o.putObject("per_layer");
        for (String f : new String[] {"lrds", "sads"}) {
            ArrayNode a = perLayer.putArray(f);
            m.get("perLayer").forEach(l -> a.add(l.get(f)));
        }
        MEANS.forEach((rest, name) -> {
            ArrayNode a = perLayer.putArray(name);
            m.get("perLayer").forEach(l -> a.add(l.get(rest)));
        });
        o.set("threshold", m.get("threshold"));
        o.set("threshold_reachable", m.get("thresholdReachable"));
        o.set("key_neuron_counts", m.get("keyNeuronCounts"));
        o.set("key_neurons_per_layer", keyNeuronsPerLayer);
        o.set("sklr", m.get("sklr"));
        ArrayNode sklrLayers = o.putArray("sklr_per_layer");
        m.get("perLayer").forEach(l -> sklrLayers.add(l.get("keyNeurons")));
        o.set("sklr_fraction", m.get("sklrFraction"));
        o.set("warnings", m.get("warnings"));
        return o;
    }
}
