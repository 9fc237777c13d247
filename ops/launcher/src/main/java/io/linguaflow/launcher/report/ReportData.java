package io.linguaflow.launcher.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.linguaflow.analysis.similarity.SimilarityCsv;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the figures draw, as plain records, and the fetcher that reads them from the REST API. Metrics the API serves
 * as null (NaN) are {@link Double#NaN} here: the figures draw them as gaps.
 */
public final class ReportData {

    /** A checkpoint as {@code /checkpoints} lists it; {@code model} and {@code step} may be null. */
    public record Listed(String id, String model, Long step, String status, int samplesSeen, int samplesExpected) {

        boolean complete() {
            return "COMPLETE".equals(status);
        }
    }

    /**
     * One complete checkpoint: per-layer LRDS and SADS, key-neuron counts per language (whole model and per layer, in
     * the metrics' language order), and, when the API serves them, the neuron types and the whole-model similarity map.
     */
    public record Checkpoint(String id, String model, Long step, List<String> languages, double[] lrds, double[] sads,
                             Map<String, Integer> keyNeuronCounts, Map<String, int[]> keyNeuronsPerLayer,
                             NeuronTypes neuronTypes, SimilarityCsv.Table similarity) {
    }

    /** Zhang et al.'s neuron types, counted per layer. */
    public record NeuronTypes(String method, int[] specific, int[] related, int[] general) {
    }

    /** One complete checkpoint of a model's trend. */
    public record TrendPoint(String checkpointId, Long step, double lrds, double sads, int sklr, double sklrFraction) {
    }

    public record Trend(String model, List<TrendPoint> points) {
    }

    private final Rest rest;
    private final PrintWriter log;

    /** @param log gets a note for each thing the API does not serve and the report leaves out */
    ReportData(Rest rest, PrintWriter log) {
        this.rest = rest;
        this.log = log;
    }

    List<Listed> checkpoints() throws ReportException, InterruptedException {
        List<Listed> out = new ArrayList<>();
        for (JsonNode c : rest.json("/checkpoints")) {
            out.add(new Listed(c.get("checkpointId").asText(), text(c.get("model")), c.path("step").isNumber() ? c.get("step").asLong() : null,
                    c.path("status").asText(), c.path("samplesSeen").asInt(), c.path("samplesExpected").asInt()));
        }
        return out;
    }

    Checkpoint checkpoint(Listed c) throws ReportException, InterruptedException {
        String path = "/checkpoints/" + Rest.enc(c.id());
        JsonNode m = rest.json(path + "/metrics");
        List<String> languages = new ArrayList<>();
        m.get("languages").forEach(l -> languages.add(l.asText()));
        JsonNode perLayer = m.get("perLayer");
        double[] lrds = new double[perLayer.size()];
        double[] sads = new double[perLayer.size()];
        for (int l = 0; l < perLayer.size(); l++) {
            lrds[l] = number(perLayer.get(l).get("lrds"));
            sads[l] = number(perLayer.get(l).get("sads"));
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, int[]> perLayerCounts = new LinkedHashMap<>();
        for (String lang : languages) {
            counts.put(lang, m.path("keyNeuronCounts").path(lang).asInt());
            perLayerCounts.put(lang, ints(rest.json(path + "/key-regions/" + Rest.enc(lang)).get("perLayerCounts")));
        }
        return new Checkpoint(c.id(), c.model(), c.step(), languages, lrds, sads, counts, perLayerCounts, neuronTypes(c.id()), similarity(c.id()));
    }

    private NeuronTypes neuronTypes(String id) throws ReportException, InterruptedException {
        Rest.Answer a = rest.get("/checkpoints/" + Rest.enc(id) + "/neuron-types");
        if (a.status() != 200) {
            note(id + ": no neuron types (" + a.status() + ": " + a.error() + "), figure left out");
            return null;
        }
        JsonNode t = parse(a);
        return new NeuronTypes(t.path("method").asText(), ints(t.get("specificPerLayer")), ints(t.get("relatedPerLayer")),
                ints(t.get("generalPerLayer")));
    }

    private SimilarityCsv.Table similarity(String id) throws ReportException, InterruptedException {
        String path = "/checkpoints/" + Rest.enc(id) + "/similarity.csv";
        Rest.Answer a = rest.get(path);
        if (a.status() != 200) {
            // 404: this deployment keeps no vectors (streams --no-similarity-map); 409: its layers disagree on the samples
            note(id + ": no similarity map (" + a.status() + ": " + a.error() + "), figure left out");
            return null;
        }
        try {
            return SimilarityCsv.read(new BufferedReader(new StringReader(a.body())), rest.base() + path);
        } catch (IOException | IllegalArgumentException e) {
            throw new ReportException("the similarity map of " + id + " is not readable: " + e.getMessage(), e);
        }
    }

    /** The model's complete checkpoints by training step, as {@code /models/{model}/trend} serves them. */
    Trend trend(String model) throws ReportException, InterruptedException {
        List<TrendPoint> points = new ArrayList<>();
        for (JsonNode p : rest.json("/models/" + Rest.enc(model) + "/trend").get("checkpoints")) {
            if (!p.path("complete").asBoolean()) {
                note(model + " trend: " + p.get("checkpointId").asText() + " is not complete yet, left out");
                continue;
            }
            points.add(new TrendPoint(p.get("checkpointId").asText(), p.path("step").isNumber() ? p.get("step").asLong() : null,
                    number(p.get("lrds")), number(p.get("sads")), p.path("sklr").asInt(), number(p.get("sklrFraction"))));
        }
        return new Trend(model, points);
    }

    private void note(String s) {
        log.println("note: " + s);
        log.flush();
    }

    private static JsonNode parse(Rest.Answer a) throws ReportException {
        try {
            return Rest.JSON.readTree(a.body());
        } catch (IOException e) {
            throw new ReportException("an answer of the REST API is not JSON: " + e.getMessage(), e);
        }
    }

    /** The API writes NaN as null. */
    private static double number(JsonNode n) {
        return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
