package io.linguaflow.streams.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.similarity.SimilarityCsv;
import io.linguaflow.analysis.similarity.SimilarityMap;
import io.linguaflow.analysis.similarity.SimilarityPng;
import io.linguaflow.analysis.stats.Normalisation;
import io.linguaflow.streams.aggregator.AggregatorTopology;
import io.linguaflow.streams.aggregator.LayerSamples;
import io.linguaflow.streams.aggregator.StoreKeys;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The similarity map of a complete checkpoint (docs/math.md §8, docs/design.md §4): the instance that gets the call
 * gathers one block per layer, each computed by the owner of the layer's stored vectors in
 * {@value AggregatorTopology#VECTORS_STORE} (in-process or over the internal calls {@link Api#SAMPLES} and
 * {@link Api#SIMILARITY_BLOCK}, upper triangle as little-endian float64), adds them and renders CSV or PNG with
 * {@code analysis.similarity}, or JSON with the sample texts for the dashboard. A map of more samples than the cap is
 * refused (413) before any block is computed; the CSV is written to the response row by row, never held as text.
 */
final class SimilarityQueries {

    enum Format { PNG, JSON }

    static final String CSV = "text/csv; charset=utf-8";

    private final LocalStores stores;
    private final Instances instances;
    private final CheckpointQueries checkpoints;
    private final CorpusQueries corpus;
    private final SimilarityCache cache;
    private final int maxSamples;

    SimilarityQueries(LocalStores stores, Instances instances, CheckpointQueries checkpoints, CorpusQueries corpus, SimilarityCache cache,
                      int maxSamples) {
        this.stores = stores;
        this.instances = instances;
        this.checkpoints = checkpoints;
        this.corpus = corpus;
        this.cache = cache;
        this.maxSamples = maxSamples;
    }

    /**
     * The map as CSV ({@link SimilarityCsv}), written row by row to {@code body} once computed: errors (404, 409, 413)
     * come before the first byte, so they keep their status.
     */
    void csv(String cp, String layerParameter, Supplier<OutputStream> body) throws IOException {
        Computed c = compute(cp, layerParameter);
        Writer out = new BufferedWriter(new OutputStreamWriter(body.get(), StandardCharsets.UTF_8), 1 << 16);
        SimilarityCsv.write(c.map(), c.ids(), out);
        out.flush();
    }

    /**
     * The whole-model map (the sum over layers of each layer's block in the whole-model normalisation) or, with
     * {@code layerParameter}, that layer's map (per-layer normalisation); samples in corpus order. 404 unknown checkpoint or maps
     * off, 400 bad layer, 409 not complete yet.
     */
    Reply map(String cp, Format format, String layerParameter) {
        Computed c = compute(cp, layerParameter);
        return switch (format) {
            case PNG -> new Reply("image/png", SimilarityPng.render(c.map(), LayerSamples.languagesOf(c.ids()),
                    "linguaflow similarity map of " + cp + ", "
                            + (c.layer() == null ? "whole model" : "layer " + c.layer() + " (per-layer normalisation)")));
            case JSON -> new Reply("application/json", json(cp, c));
        };
    }

    /** A map of one checkpoint: its samples in corpus order, its values and its layer (null: the whole model). */
    private record Computed(List<String> ids, SimilarityMap map, Integer layer) {
    }

    private Computed compute(String cp, String layerParameter) {
        stores.requireVectors();
        if (stores.plan(cp) == null) {
            throw QueryException.notFound("unknown checkpoint '" + cp + "'");
        }
        JsonNode metrics;
        try {
            metrics = checkpoints.metrics(cp, false);
        } catch (QueryException e) {
            if (e.status != 404) {
                throw e;
            }
            metrics = null;
        }
        if (metrics == null || !metrics.get("complete").asBoolean()) {
            int seen = metrics == null ? 0 : metrics.get("samplesSeen").asInt();
            throw new QueryException(409, "checkpoint '" + cp + "' is not complete yet (" + seen + " samples of "
                    + stores.plan(cp).getSamplesExpected() + " aggregated): its similarity map is served once every layer holds every "
                    + "sample; retry later");
        }
        int layers = metrics.get("layers").asInt();
        Integer layer = layerParameter == null ? null : Api.integer("layer", layerParameter);
        if (layer != null && layer >= layers) {
            throw QueryException.badRequest("layer " + layer + " outside [0, " + layers + ") of checkpoint '" + cp + "'");
        }
        int from = layer == null ? 0 : layer;
        int to = layer == null ? layers : layer + 1;
        String normalisation = normalisation(layer);
        JsonNode samples = samples(cp, from, false);
        List<String> ids = new ArrayList<>();
        samples.get("samples").forEach(n -> ids.add(n.asText()));
        if (ids.size() > maxSamples) {
            throw new QueryException(413, "the similarity map of checkpoint '" + cp + "' has N = " + ids.size() + " samples, more than this "
                    + "instance serves (--max-similarity-samples " + maxSamples + "; a map holds 12·N² bytes while served)");
        }
        String digest = samples.get("sha256").asText();
        // the sum is kept too: CSV, PNG and JSON of one map, and repeated calls, sum the owners' blocks once
        String key = "map|" + cp + "|" + (layer == null ? "all" : layer) + "|" + digest;
        SimilarityMap map = SimilarityMap.fromUpperTriangle(cache.get(key, () -> {
            SimilarityMap sum = null;
            for (int m = from; m < to; m++) {
                Reply r = block(cp, m, normalisation, digest, false);
                SimilarityMap block = SimilarityMap.fromUpperTriangle(r.body(), "block of layer " + m + " of checkpoint '" + cp + "'");
                sum = sum == null ? block : sum.plus(block);
            }
            return sum.upperTriangle();
        }), "similarity map of checkpoint '" + cp + "'");
        return new Computed(ids, map, layer);
    }

    private static String normalisation(Integer layer) {
        return layer == null ? "model" : "layer";
    }

    /**
     * The dashboard's form of a map: sample ids and their texts (from the checkpoint's corpus) and the upper triangle
     * row by row (S_00, S_01, …, S_0,N−1, S_11, …), rounded to 4 decimals: a quarter of the CSV's size, and more than a
     * colour shows.
     */
    private byte[] json(String cp, Computed c) {
        Map<String, String> texts = new HashMap<>();
        corpus.sentences(stores.plan(cp).getCorpus(), false).get("sentences")
                .forEach(s -> texts.put(s.get("sampleId").asText(), s.get("text").asText()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = Reply.JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("checkpointId", cp);
            if (c.layer() == null) {
                g.writeNullField("layer");
            } else {
                g.writeNumberField("layer", c.layer());
            }
            g.writeStringField("normalisation", normalisation(c.layer()));
            g.writeArrayFieldStart("samples");
            for (String id : c.ids()) {
                g.writeString(id);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("texts");
            for (String id : c.ids()) {
                g.writeString(texts.get(id));
            }
            g.writeEndArray();
            g.writeArrayFieldStart("values");
            int n = c.map().size();
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    double v = c.map().get(i, j);
                    if (Double.isFinite(v)) {
                        g.writeNumber(Math.round(v * 1e4) / 1e4);
                    } else {
                        g.writeNull();
                    }
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The sample ids of one layer's stored vectors in corpus order, and their digest (internal, for the map's gatherer). */
    JsonNode samples(String cp, int layer, boolean forwarded) {
        stores.requireVectors();
        return instances.owned(AggregatorTopology.VECTORS_STORE, StoreKeys.layer(cp, layer), Api.path(Api.SAMPLES, cp, layer), forwarded,
                () -> {
                    LayerSamples samples = layerSamples(cp, layer);
                    ObjectNode out = Reply.JSON.createObjectNode();
                    out.put("checkpointId", cp);
                    out.put("layer", layer);
                    out.put("sha256", samples.digest());
                    ArrayNode ids = out.putArray("samples");
                    samples.sampleIds().forEach(ids::add);
                    return out;
                });
    }

    /**
     * One layer's block of the map, upper triangle as little-endian float64 (internal). {@code normalisation=model|layer};
     * {@code digest}, when given, must be the digest of this layer's samples (409 otherwise: blocks of different samples
     * cannot be added).
     */
    Reply block(String cp, int layer, String normalisation, String digest, boolean forwarded) {
        stores.requireVectors();
        if (!normalisation.equals("model") && !normalisation.equals("layer")) {
            throw QueryException.badRequest("normalisation must be 'model' or 'layer', got '" + normalisation + "'");
        }
        String path = Api.path(Api.SIMILARITY_BLOCK, cp, layer) + "?normalisation=" + normalisation
                + (digest == null ? "" : "&samples=" + Api.encode(digest));
        return instances.ownedBytes(AggregatorTopology.VECTORS_STORE, StoreKeys.layer(cp, layer), path, forwarded, () -> {
            Supplier<byte[]> compute = () -> {
                LayerSamples samples = layerSamples(cp, layer);
                if (digest != null && !digest.equals(samples.digest())) {
                    throw new QueryException(409, "layer " + layer + " of checkpoint '" + cp + "' holds other samples (" + samples.size()
                            + ") than the layer whose sample list the map is built on; retry when the checkpoint is complete");
                }
                return samples.block(normalisation.equals("model") ? Normalisation.MODEL : Normalisation.LAYER).upperTriangle();
            };
            // keyed by the samples' digest: the block of a given sample set never changes
            byte[] triangle = digest == null ? compute.get()
                    : cache.get("block|" + cp + "|" + layer + "|" + normalisation + "|" + digest, compute);
            return new Reply("application/octet-stream", triangle);
        });
    }

    private LayerSamples layerSamples(String cp, int layer) {
        LayerSamples samples = LayerSamples.read(stores.<byte[]>store(AggregatorTopology.VECTORS_STORE), cp, layer);
        if (samples.size() == 0) {
            throw QueryException.notFound("no stored vectors of layer " + layer + " of checkpoint '" + cp + "' (unknown checkpoint or "
                    + "layer, or analysed while the " + AggregatorTopology.VECTORS_STORE + " store was off)");
        }
        return samples;
    }
}
