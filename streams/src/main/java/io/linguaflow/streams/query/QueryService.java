package io.linguaflow.streams.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.linguaflow.analysis.keyregions.ContributionScores;
import io.linguaflow.analysis.keyregions.ZScores;
import io.linguaflow.analysis.similarity.SimilarityCsv;
import io.linguaflow.analysis.similarity.SimilarityMap;
import io.linguaflow.analysis.similarity.SimilarityPng;
import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.analysis.stats.Normalisation;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.schemas.avro.LayerMetrics;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.streams.aggregator.AggregatorTopology;
import io.linguaflow.streams.aggregator.LayerSamples;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.avro.LayerPartial;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.metrics.CheckpointResults;
import io.linguaflow.streams.metrics.MetricsTopology;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.UnknownStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries over the application's stores, on every instance ({@code application.server} = this service's
 * host:port). A call about one checkpoint is answered by the instance that owns its partition
 * ({@link KafkaStreams#queryMetadataForKey}), forwarded there when that is another instance; list calls gather the
 * local answers of all instances. Answers are JSON, except the similarity map (CSV or PNG, rendered by
 * {@code analysis.similarity}; each layer's block is computed by the layer's owner and shipped as float64 bytes over the
 * internal {@code /internal/...} calls). Errors are JSON {@code {"status", "error"}}: 404 unknown checkpoint, layer or
 * language; 400 bad parameter; 409 a map of a checkpoint that is not complete yet; 503 with {@code Retry-After} while
 * the stores move (rebalance, restore). The API is described in {@code GET /openapi.json}; {@code GET /} is a dashboard
 * page built on these calls.
 */
public final class QueryService implements AutoCloseable {

    static final String FORWARDED = "X-Linguaflow-Forwarded";
    private static final String SIMILARITY_CSV = "similarity.csv";
    private static final String SIMILARITY_PNG = "similarity.png";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(20);
    /** A layer block costs O(N²·D) on its owner: 900 samples x 16384 neurons is seconds, not milliseconds. */
    private static final Duration BLOCK_TIMEOUT = Duration.ofMinutes(10);

    private final KafkaStreams streams;
    private final HostInfo self;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Binds {@code self}'s port on all interfaces; {@code self} must equal the instance's {@code application.server}. */
    public QueryService(KafkaStreams streams, HostInfo self) throws IOException {
        this.streams = streams;
        this.self = self;
        this.server = HttpServer.create(new InetSocketAddress(self.port()), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    public void start() {
        server.start();
    }

    public HostInfo host() {
        return self;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------ routing

    private void handle(HttpExchange exchange) throws IOException {
        int status = 200;
        String contentType = "application/json";
        byte[] body;
        try {
            if (!exchange.getRequestMethod().equals("GET")) {
                throw new QueryException(405, "only GET is supported");
            }
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/") || path.equals("/dashboard")) {
                contentType = "text/html; charset=utf-8";
                body = resource("dashboard.html");
            } else {
                boolean forwarded = exchange.getRequestHeaders().containsKey(FORWARDED);
                Reply reply = route(exchange.getRequestURI(), forwarded);
                contentType = reply.contentType();
                body = reply.body();
            }
        } catch (QueryException e) {
            status = e.status;
            body = error(status, e.getMessage());
            if (status == 503) {
                exchange.getResponseHeaders().add("Retry-After", "1");
            }
        } catch (InvalidStateStoreException e) {
            status = 503;
            body = error(status, "stores are being rebalanced or restored, retry: " + e.getMessage());
            exchange.getResponseHeaders().add("Retry-After", "1");
        } catch (RuntimeException e) {
            status = 500;
            body = error(status, e.toString());
        }
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] error(int status, String message) throws IOException {
        ObjectNode e = JSON.createObjectNode();
        e.put("status", status);
        e.put("error", message);
        return JSON.writeValueAsBytes(e);
    }

    /** A 200 answer: its content type and body. */
    private record Reply(String contentType, byte[] body) {

        static Reply json(JsonNode n) {
            try {
                return new Reply("application/json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Reply route(URI uri, boolean forwarded) {
        String[] p = segments(uri.getRawPath());
        Map<String, String> query = query(uri.getRawQuery());
        if (p.length == 3 && p[0].equals("checkpoints") && (p[2].equals(SIMILARITY_CSV) || p[2].equals(SIMILARITY_PNG))) {
            requireRunning();
            return similarityMap(p[1], p[2], query);
        }
        if (p.length == 6 && p[0].equals("internal") && p[1].equals("checkpoints") && p[3].equals("layers")
                && (p[5].equals("samples") || p[5].equals("similarity-block"))) {
            requireRunning();
            requireVectors();
            String cp = p[2];
            int layer = integer("layer", p[4]);
            return ownedReply(AggregatorTopology.VECTORS_STORE, Keys.activation(cp, layer), pathAndQuery(uri), forwarded,
                    () -> p[5].equals("samples") ? Reply.json(layerSamplesJson(cp, layer)) : similarityBlock(cp, layer, query));
        }
        return Reply.json(routeJson(p, query, uri, forwarded));
    }

    private JsonNode routeJson(String[] p, Map<String, String> query, URI uri, boolean forwarded) {
        if (p.length == 1 && p[0].equals("openapi.json")) {
            return openApi();
        }
        requireRunning();
        if (p.length == 1 && p[0].equals("checkpoints")) {
            return "local".equals(query.get("scope")) ? localCheckpoints() : checkpoints();
        }
        if (p.length >= 3 && p[0].equals("checkpoints")) {
            String cp = p[1];
            if (p.length == 3 && p[2].equals("metrics")) {
                return owned(MetricsTopology.LAYERS_STORE, cp, uri, forwarded, () -> AvroJson.of(results(cp).metrics()));
            }
            if (p.length == 4 && p[2].equals("layers")) {
                int layer = integer("layer", p[3]);
                return owned(MetricsTopology.LAYERS_STORE, cp, uri, forwarded, () -> layerMetrics(cp, layer));
            }
            if (p.length == 4 && p[2].equals("key-regions")) {
                return owned(MetricsTopology.LAYERS_STORE, cp, uri, forwarded, () -> keyRegion(cp, p[3]));
            }
            if (p.length == 3 && p[2].equals("neuron-types")) {
                return owned(MetricsTopology.LAYERS_STORE, cp, uri, forwarded, () -> neuronTypes(cp));
            }
            if (p.length == 4 && p[2].equals("neurons")) {
                return neuron(cp, integer("neuron", p[3]));
            }
            if (p.length == 6 && p[2].equals("layers") && p[4].equals("neurons")) {
                int layer = integer("layer", p[3]);
                int d = integer("neuron", p[5]);
                return owned(AggregatorTopology.GROUPS_STORE, Keys.activation(cp, layer), uri, forwarded, () -> layerNeuron(cp, layer, d));
            }
        }
        if (p.length == 3 && p[0].equals("models") && p[2].equals("trend")) {
            return trend(p[1]);
        }
        if (p.length == 1 && p[0].equals("compare")) {
            return compare(required(query, "a"), required(query, "b"));
        }
        throw QueryException.notFound("no such resource: " + uri.getPath() + " (see /openapi.json)");
    }

    private void requireRunning() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw QueryException.unavailable("the streams instance is " + streams.state() + "; retry");
        }
    }

    // ------------------------------------------------------------------ owner lookup and forwarding

    private interface Local {
        JsonNode answer();
    }

    /**
     * The instance that owns {@code key} of {@code store}; 503 while none does, or when a call forwarded here finds that
     * the key moved (forwarding twice could loop during a rebalance).
     */
    private HostInfo owner(String store, String key, boolean forwarded) {
        KeyQueryMetadata owner = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw QueryException.unavailable("no instance owns '" + key + "' of " + store + " right now (rebalancing)");
        }
        if (forwarded && !owner.activeHost().equals(self)) {
            throw QueryException.unavailable("ownership of '" + key + "' moved while the call was forwarded");
        }
        return owner.activeHost();
    }

    /** Answers here when this instance owns {@code key} of {@code store}, else asks the owner. */
    private JsonNode owned(String store, String key, URI uri, boolean forwarded, Local local) {
        HostInfo owner = owner(store, key, forwarded);
        return owner.equals(self) ? local.answer() : get(owner, pathAndQuery(uri), true);
    }

    /** The same for byte answers: the owner's reply is passed on as it came (content type and body). */
    private Reply ownedReply(String store, String key, String pathAndQuery, boolean forwarded, Supplier<Reply> local) {
        HostInfo owner = owner(store, key, forwarded);
        if (owner.equals(self)) {
            return local.get();
        }
        HttpResponse<byte[]> r = fetch(owner, pathAndQuery, true, BLOCK_TIMEOUT);
        return new Reply(r.headers().firstValue("Content-Type").orElse("application/octet-stream"), r.body());
    }

    /** A call to this instance's own API (which routes it to the owner). */
    private JsonNode get(HostInfo host, String pathAndQuery) {
        return get(host, pathAndQuery, false);
    }

    /** @param forward marks the call as forwarded to the owner, which must then answer itself */
    private JsonNode get(HostInfo host, String pathAndQuery, boolean forward) {
        try {
            return JSON.readTree(fetch(host, pathAndQuery, forward, QUERY_TIMEOUT).body());
        } catch (IOException e) {
            throw new IllegalStateException("instance " + host.host() + ":" + host.port() + " answered " + pathAndQuery + " with bad JSON", e);
        }
    }

    /** GET on another instance (or this one); a status other than 200 becomes a {@link QueryException} with its error. */
    private HttpResponse<byte[]> fetch(HostInfo host, String pathAndQuery, boolean forward, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery))
                .timeout(timeout).GET();
        if (forward) {
            b.header(FORWARDED, self.host() + ":" + self.port());
        }
        HttpResponse<byte[]> response;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " cannot be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw QueryException.unavailable("interrupted while asking " + host);
        }
        if (response.statusCode() != 200) {
            String error = "instance " + host + " answered " + response.statusCode();
            try {
                error = JSON.readTree(response.body()).path("error").asText(error);
            } catch (IOException e) {
                // not our JSON error: keep the status line
            }
            throw new QueryException(response.statusCode(), error);
        }
        return response;
    }

    // ------------------------------------------------------------------ answers

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }

    private CheckpointPlan plan(String cp) {
        return this.<CheckpointPlan>store(Plans.STORE).get(cp);
    }

    /** The local partials of a checkpoint this instance owns; 404 when there are none. */
    private CheckpointResults results(String cp) {
        List<LayerPartial> partials = new ArrayList<>();
        try (KeyValueIterator<String, LayerPartial> it = this.<LayerPartial>store(MetricsTopology.LAYERS_STORE)
                .prefixScan(cp + "|", new StringSerializer())) {
            it.forEachRemaining(kv -> partials.add(kv.value));
        }
        if (partials.isEmpty()) {
            throw QueryException.notFound(plan(cp) == null ? "unknown checkpoint '" + cp + "'"
                    : "checkpoint '" + cp + "' is planned but has no aggregated activations yet");
        }
        partials.sort(Comparator.comparingInt(LayerPartial::getLayer));
        return new CheckpointResults(cp, plan(cp), partials);
    }

    private JsonNode layerMetrics(String cp, int layer) {
        Metrics m = results(cp).metrics();
        for (LayerMetrics l : m.getPerLayer()) {
            if (l.getLayer() == layer) {
                return AvroJson.of(l);
            }
        }
        throw QueryException.notFound("checkpoint '" + cp + "' has no layer " + layer + " (layers 0.." + (m.getLayers() - 1) + ")");
    }

    private JsonNode keyRegion(String cp, String lang) {
        for (KeyRegion r : results(cp).keyRegions()) {
            if (r.getLang().equals(lang)) {
                return AvroJson.of(r);
            }
        }
        throw QueryException.notFound("checkpoint '" + cp + "' has no language '" + lang + "'");
    }

    /** Neuron k = layer·D + d: its contribution C_l(k) and z_l(k) per language, and the key regions it is in. */
    private JsonNode neuron(String cp, int k) {
        JsonNode metrics = get(self, "/checkpoints/" + enc(cp) + "/metrics");
        int d = metrics.get("neuronsPerLayer").asInt();
        int layers = metrics.get("layers").asInt();
        if (k < 0 || k >= layers * d) {
            throw QueryException.badRequest("neuron " + k + " outside [0, " + layers * d + ") of checkpoint '" + cp + "'");
        }
        ObjectNode out = (ObjectNode) get(self, "/checkpoints/" + enc(cp) + "/layers/" + k / d + "/neurons/" + k % d);
        out.put("neuron", k);
        // Zhang et al.'s type among the selected neurons: in one language's mask = specific, in several = related
        JsonNode types = get(self, "/checkpoints/" + enc(cp) + "/neuron-types");
        ArrayNode masks = out.putArray("inNeuronTypeMasks");
        types.get("masks").properties().forEach(e -> e.getValue().forEach(id -> {
            if (id.asInt() == k) {
                masks.add(e.getKey());
            }
        }));
        out.put("neuronType", masks.isEmpty() ? "not selected" : masks.size() == 1 ? "language-specific" : "language-related");
        return out;
    }

    private JsonNode neuronTypes(String cp) {
        io.linguaflow.schemas.avro.NeuronTypes t = this.<io.linguaflow.schemas.avro.NeuronTypes>store(MetricsTopology.NEURON_TYPES_STORE).get(cp);
        if (t == null) {
            throw QueryException.notFound(plan(cp) == null ? "unknown checkpoint '" + cp + "'"
                    : "checkpoint '" + cp + "' has no neuron types (not complete yet, or its records carry no activation counts)");
        }
        return AvroJson.of(t);
    }

    private JsonNode layerNeuron(String cp, int layer, int d) {
        CheckpointPlan plan = plan(cp);
        if (plan == null) {
            throw QueryException.notFound("unknown checkpoint '" + cp + "'");
        }
        String prefix = Keys.activation(cp, layer) + "|L|";
        ReadOnlyKeyValueStore<String, byte[]> groups = store(AggregatorTopology.GROUPS_STORE);
        List<String> languages = new ArrayList<>();
        List<double[]> contributions = new ArrayList<>();
        for (String lang : plan.getLanguages()) {
            byte[] stored = groups.get(prefix + lang);
            if (stored == null) {
                continue;
            }
            GroupSums g = GroupSums.decode(stored);
            if (d < 0 || d >= g.dimension()) {
                throw QueryException.badRequest("neuron " + d + " outside [0, " + g.dimension() + ") of layer " + layer);
            }
            if (g.count() < 2) {
                continue;
            }
            double[] c = plan.getLfCompat() ? ContributionScores.lfCompat(g) : ContributionScores.meanOverPairs(g);
            languages.add(lang);
            contributions.add(new double[] {c[d]});
        }
        if (languages.isEmpty()) {
            throw QueryException.notFound("checkpoint '" + cp + "' has no aggregated samples in layer " + layer);
        }
        double[][] z = ZScores.of(contributions.toArray(new double[0][]));
        ObjectNode out = JSON.createObjectNode();
        out.put("checkpointId", cp);
        out.put("layer", layer);
        out.put("index", d);
        out.put("threshold", plan.getThreshold());
        ArrayNode langs = out.putArray("languages");
        for (int l = 0; l < languages.size(); l++) {
            ObjectNode n = langs.addObject();
            n.put("lang", languages.get(l));
            n.put("contribution", contributions.get(l)[0]);
            n.put("z", z[l][0]);
            n.put("key", z[l][0] > plan.getThreshold());
        }
        return out;
    }

    /** 404 unless the aggregators keep the per-sample vectors (StreamsSettings.similarityVectors; one topology for all instances). */
    private void requireVectors() {
        try {
            store(AggregatorTopology.VECTORS_STORE);
        } catch (UnknownStateStoreException e) {
            throw QueryException.notFound("similarity maps are off in this deployment: the streams application runs without the "
                    + AggregatorTopology.VECTORS_STORE + " store (streams --no-similarity-map)");
        }
    }

    /**
     * The similarity map of a complete checkpoint, whole model (the sum over layers of each layer's block in the whole-model
     * normalisation, each computed by the layer's owner) or {@code ?layer=m} (per-layer normalisation), as CSV or PNG.
     * Samples in corpus order. 404 unknown checkpoint or maps off, 400 bad layer, 409 not complete yet.
     */
    private Reply similarityMap(String cp, String file, Map<String, String> query) {
        requireVectors();
        if (plan(cp) == null) {
            throw QueryException.notFound("unknown checkpoint '" + cp + "'");
        }
        JsonNode metrics;
        try {
            metrics = get(self, "/checkpoints/" + enc(cp) + "/metrics");
        } catch (QueryException e) {
            if (e.status != 404) {
                throw e;
            }
            metrics = null;
        }
        if (metrics == null || !metrics.get("complete").asBoolean()) {
            int seen = metrics == null ? 0 : metrics.get("samplesSeen").asInt();
            throw new QueryException(409, "checkpoint '" + cp + "' is not complete yet (" + seen + " samples of "
                    + plan(cp).getSamplesExpected() + " aggregated): its similarity map is served once every layer holds every "
                    + "sample; retry later");
        }
        int layers = metrics.get("layers").asInt();
        Integer layer = null;
        if (query.containsKey("layer")) {
            layer = integer("layer", query.get("layer"));
            if (layer >= layers) {
                throw QueryException.badRequest("layer " + layer + " outside [0, " + layers + ") of checkpoint '" + cp + "'");
            }
        }
        int from = layer == null ? 0 : layer;
        int to = layer == null ? layers : layer + 1;
        String normalisation = layer == null ? "model" : "layer";
        JsonNode samples = get(self, internalPath(cp, from, "samples"));
        List<String> ids = new ArrayList<>();
        samples.get("samples").forEach(n -> ids.add(n.asText()));
        String digest = samples.get("sha256").asText();
        SimilarityMap map = null;
        for (int m = from; m < to; m++) {
            String path = internalPath(cp, m, "similarity-block") + "?normalisation=" + normalisation + "&samples=" + digest;
            int layerM = m;
            Reply r = ownedReply(AggregatorTopology.VECTORS_STORE, Keys.activation(cp, m), path, false,
                    () -> similarityBlock(cp, layerM, Map.of("normalisation", normalisation, "samples", digest)));
            SimilarityMap block = SimilarityMap.fromUpperTriangle(r.body(), "block of layer " + m + " of checkpoint '" + cp + "'");
            map = map == null ? block : map.plus(block);
        }
        if (file.equals(SIMILARITY_CSV)) {
            return new Reply("text/csv; charset=utf-8", SimilarityCsv.write(map, ids));
        }
        String title = "linguaflow similarity map of " + cp + ", "
                + (layer == null ? "whole model" : "layer " + layer + " (per-layer normalisation)");
        return new Reply("image/png", SimilarityPng.render(map, LayerSamples.languagesOf(ids), title));
    }

    private static String internalPath(String cp, int layer, String what) {
        return "/internal/checkpoints/" + enc(cp) + "/layers/" + layer + "/" + what;
    }

    /** The sample ids of one layer's stored vectors in corpus order, and their digest (internal, for the map's gatherer). */
    private JsonNode layerSamplesJson(String cp, int layer) {
        LayerSamples samples = layerSamples(cp, layer);
        ObjectNode out = JSON.createObjectNode();
        out.put("checkpointId", cp);
        out.put("layer", layer);
        out.put("sha256", samples.digest());
        ArrayNode ids = out.putArray("samples");
        samples.sampleIds().forEach(ids::add);
        return out;
    }

    /**
     * One layer's block of the map, upper triangle as little-endian float64 (internal). {@code normalisation=model|layer};
     * {@code samples}, when given, must be the digest of this layer's samples (409 otherwise: blocks of different samples
     * cannot be added).
     */
    private Reply similarityBlock(String cp, int layer, Map<String, String> query) {
        String normalisation = required(query, "normalisation");
        if (!normalisation.equals("model") && !normalisation.equals("layer")) {
            throw QueryException.badRequest("normalisation must be 'model' or 'layer', got '" + normalisation + "'");
        }
        LayerSamples samples = layerSamples(cp, layer);
        String expected = query.get("samples");
        if (expected != null && !expected.equals(samples.digest())) {
            throw new QueryException(409, "layer " + layer + " of checkpoint '" + cp + "' holds other samples (" + samples.size()
                    + ") than the layer whose sample list the map is built on; retry when the checkpoint is complete");
        }
        Normalisation n = normalisation.equals("model") ? Normalisation.MODEL : Normalisation.LAYER;
        return new Reply("application/octet-stream", samples.block(n).upperTriangle());
    }

    private LayerSamples layerSamples(String cp, int layer) {
        LayerSamples samples = LayerSamples.read(this.<byte[]>store(AggregatorTopology.VECTORS_STORE), cp, layer);
        if (samples.size() == 0) {
            throw QueryException.notFound("no stored vectors of layer " + layer + " of checkpoint '" + cp + "' (unknown checkpoint or "
                    + "layer, or analysed while the " + AggregatorTopology.VECTORS_STORE + " store was off)");
        }
        return samples;
    }

    /** Status of every checkpoint whose partials this instance holds. */
    private JsonNode localCheckpoints() {
        Map<String, List<LayerPartial>> byCheckpoint = new TreeMap<>();
        try (KeyValueIterator<String, LayerPartial> it = this.<LayerPartial>store(MetricsTopology.LAYERS_STORE).all()) {
            it.forEachRemaining(kv -> byCheckpoint.computeIfAbsent(kv.value.getCheckpointId(), x -> new ArrayList<>()).add(kv.value));
        }
        ArrayNode out = JSON.createArrayNode();
        byCheckpoint.forEach((cp, partials) -> {
            partials.sort(Comparator.comparingInt(LayerPartial::getLayer));
            CheckpointResults r = new CheckpointResults(cp, plan(cp), partials);
            out.add(status(cp, r.plan(), r.complete() ? "COMPLETE" : "AGGREGATING", r.samplesSeen(), partials.size(), r.layers()));
        });
        return out;
    }

    private static ObjectNode status(String cp, CheckpointPlan plan, String status, int samplesSeen, int layersReported, Integer layers) {
        ObjectNode n = JSON.createObjectNode();
        n.put("checkpointId", cp);
        n.put("model", plan == null ? null : plan.getModel());
        if (plan == null || plan.getStep() == null) {
            n.putNull("step");
        } else {
            n.put("step", plan.getStep());
        }
        n.put("corpus", plan == null ? null : plan.getCorpus());
        n.put("status", status);
        n.put("samplesExpected", plan == null ? 0 : plan.getSamplesExpected());
        n.put("samplesSeen", samplesSeen);
        n.put("layersReported", layersReported);
        if (layers == null) {
            n.putNull("layers");
        } else {
            n.put("layers", layers);
        }
        return n;
    }

    /** Every checkpoint: the local lists of all instances, plus planned ones without results yet (global plans store). */
    private JsonNode checkpoints() {
        Map<String, JsonNode> all = new TreeMap<>();
        for (StreamsMetadata instance : streams.metadataForAllStreamsClients()) {
            JsonNode local = instance.hostInfo().equals(self) ? localCheckpoints() : get(instance.hostInfo(), "/checkpoints?scope=local");
            local.forEach(n -> all.put(n.get("checkpointId").asText(), n));
        }
        try (KeyValueIterator<String, CheckpointPlan> it = this.<CheckpointPlan>store(Plans.STORE).all()) {
            it.forEachRemaining(kv -> all.computeIfAbsent(kv.key, cp -> status(cp, kv.value, "PLANNED", 0, 0, kv.value.getLayers())));
        }
        ArrayNode out = JSON.createArrayNode();
        all.values().forEach(out::add);
        return out;
    }

    /** Metrics of every checkpoint of a model, ordered by training step (checkpoints without a step last, by id). */
    private JsonNode trend(String model) {
        List<JsonNode> points = new ArrayList<>();
        for (JsonNode c : checkpoints()) {
            if (model.equals(c.path("model").asText(null)) && !c.get("status").asText().equals("PLANNED")) {
                JsonNode m = get(self, "/checkpoints/" + enc(c.get("checkpointId").asText()) + "/metrics");
                ObjectNode point = JSON.createObjectNode();
                for (String f : List.of("checkpointId", "step", "complete", "samplesSeen", "samplesExpected", "lrds", "sads",
                        "meanSameLangDiffMeaning", "meanDiffLangSameMeaning", "meanDiffLangDiffMeaning", "sklr", "sklrFraction",
                        "keyNeuronCounts")) {
                    point.set(f, m.get(f));
                }
                points.add(point);
            }
        }
        if (points.isEmpty()) {
            throw QueryException.notFound("no analysed checkpoint of model '" + model + "'");
        }
        points.sort(Comparator.comparing((JsonNode n) -> n.get("step").isNull() ? Long.MAX_VALUE : n.get("step").asLong())
                .thenComparing(n -> n.get("checkpointId").asText()));
        ObjectNode out = JSON.createObjectNode();
        out.put("model", model);
        ArrayNode a = out.putArray("checkpoints");
        points.forEach(a::add);
        return out;
    }

    /** Metrics side by side and, per language of both, the overlap of the key regions. */
    private JsonNode compare(String a, String b) {
        JsonNode ma = get(self, "/checkpoints/" + enc(a) + "/metrics");
        JsonNode mb = get(self, "/checkpoints/" + enc(b) + "/metrics");
        ObjectNode out = JSON.createObjectNode();
        out.set("a", ma);
        out.set("b", mb);
        for (String f : List.of("lrds", "sads", "sklr")) {
            out.put(f + "Difference", mb.get(f).asDouble() - ma.get(f).asDouble());
        }
        Set<String> langsB = new HashSet<>();
        mb.get("languages").forEach(l -> langsB.add(l.asText()));
        ObjectNode overlap = out.putObject("keyRegionOverlap");
        for (JsonNode l : ma.get("languages")) {
            String lang = l.asText();
            if (!langsB.contains(lang)) {
                continue;
            }
            Set<Integer> ra = ids(get(self, "/checkpoints/" + enc(a) + "/key-regions/" + enc(lang)));
            Set<Integer> rb = ids(get(self, "/checkpoints/" + enc(b) + "/key-regions/" + enc(lang)));
            Set<Integer> both = new HashSet<>(ra);
            both.retainAll(rb);
            int union = ra.size() + rb.size() - both.size();
            ObjectNode o = overlap.putObject(lang);
            o.put("a", ra.size());
            o.put("b", rb.size());
            o.put("both", both.size());
            o.put("jaccard", union == 0 ? 1.0 : (double) both.size() / union);
        }
        return out;
    }

    private static Set<Integer> ids(JsonNode region) {
        Set<Integer> out = new HashSet<>();
        region.get("neurons").forEach(n -> out.add(n.asInt()));
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private static JsonNode openApi() {
        try {
            return JSON.readTree(resource("openapi.json"));
        } catch (IOException e) {
            throw new IllegalStateException("openapi.json in the jar is not JSON", e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = QueryService.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name + " from the jar", e);
        }
    }

    private static String pathAndQuery(URI uri) {
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    private static String[] segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        return out.toArray(new String[0]);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private static String required(Map<String, String> query, String name) {
        String v = query.get(name);
        if (v == null || v.isBlank()) {
            throw QueryException.badRequest("query parameter '" + name + "' is required");
        }
        return v;
    }

    private static int integer(String name, String value) {
        try {
            int v = Integer.parseInt(value);
            if (v < 0) {
                throw QueryException.badRequest(name + " must be >= 0, got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw QueryException.badRequest(name + " must be an integer, got '" + value + "'");
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
