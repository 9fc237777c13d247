package io.linguaflow.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.router.EndpointNotFound;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP layer of the interactive queries (docs/design.md §4), on every instance ({@code application.server} = this
 * service's host:port): a declared route table ({@link #ROUTES}) over the query classes per resource
 * ({@link CheckpointQueries}, {@link NeuronQueries}, {@link SimilarityQueries}, {@link TrendQueries}, {@link CorpusQueries}, {@link EvaluationQueries},
 * {@link ProbeQueries}, {@link ExpertQueries}),
 * which read this instance's stores in-process and reach other instances only through {@link Instances}. Answers are
 * pretty-printed JSON, except the similarity map (CSV streamed row by row, PNG, or compact JSON). Errors are JSON
 * {@code {"status", "error"}}: 404 unknown checkpoint, layer, language, corpus or route; 400 bad parameter (the message
 * names it and quotes its value, escaped and cut short); 403 an {@code /internal} call without the instances'
 * {@link InternalSecret}; 405 a method other than GET (with {@code Allow: GET}); 409 a map of a checkpoint that is not
 * complete yet; 413 a map of more samples than {@link Options#maxSimilaritySamples}; 503 with {@code Retry-After: 1}
 * while the instance is not RUNNING or its stores move (rebalance, restore); 500 for anything else, with an error id
 * whose stack trace is in the log (no exception text leaves the server). The assets under {@value #ASSETS} are served
 * as they are: {@code GET /openapi.json} describes the API, {@code GET /} is a dashboard page built on it
 * (dashboard.html, .js, .css), whose chart library is a WebJar served under {@code /webjars/}. Every answer carries
 * {@link #SECURITY_HEADERS}. The service listens on {@link Options#bindHost} only (127.0.0.1 by default).
 */
public final class QueryService implements AutoCloseable {

    /** Classpath folder of the static assets (openapi.json, dashboard.html). */
    static final String ASSETS = "/io/linguaflow/streams/query/web";
    private static final String DASHBOARD = "dashboard.html";
    /** 256 MiB: about 80 blocks or maps of 900 samples (3.2 MB each as upper triangles). */
    public static final long DEFAULT_SIMILARITY_CACHE_BYTES = 256L << 20;
    /** A map of N samples holds 12·N² bytes while served (N x N doubles and the cached upper triangle): 200 MB at 4096. */
    public static final int DEFAULT_MAX_SIMILARITY_SAMPLES = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);

    /**
     * On every answer. The dashboard loads only its own files (page, script, style sheet, the ECharts WebJar) and calls
     * only this origin; the one exception is style attributes, which ECharts writes into its tooltips' HTML (a coloured
     * dot per series): style attributes cannot run script, while inline scripts and style elements stay forbidden.
     */
    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
                    + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "Cross-Origin-Resource-Policy", "same-origin");

    /**
     * How the service runs.
     *
     * @param bindHost             the interface it listens on: 127.0.0.1 (default), an address, or 0.0.0.0 for all
     * @param internalSecret       the secret of the {@code /internal} calls, the same on every instance of the application
     * @param maxSimilaritySamples the most samples of a similarity map it serves (413 above)
     * @param similarityCacheBytes the most bytes of computed similarity-map blocks and maps kept in memory (0: none)
     */
    public record Options(String bindHost, InternalSecret internalSecret, int maxSimilaritySamples, long similarityCacheBytes) {

        public Options {
            if (maxSimilaritySamples < 1) {
                throw new IllegalArgumentException("the similarity-map cap must be >= 1 sample, got " + maxSimilaritySamples);
            }
        }

        /** Loopback only, a random secret (a single instance), the default cap and cache. */
        public static Options defaults() {
            return new Options("127.0.0.1", InternalSecret.random(), DEFAULT_MAX_SIMILARITY_SAMPLES, DEFAULT_SIMILARITY_CACHE_BYTES);
        }

        public Options withInternalSecret(InternalSecret secret) {
            return new Options(bindHost, secret, maxSimilaritySamples, similarityCacheBytes);
        }

        public Options withMaxSimilaritySamples(int samples) {
            return new Options(bindHost, internalSecret, samples, similarityCacheBytes);
        }
    }

    /**
     * One entry of the route table: a GET path (Javalin syntax, the same as openapi.json's) and its handler.
     *
     * @param documented listed in openapi.json (false: the dashboard page only)
     */
    record Route(String path, boolean documented, Endpoint endpoint) {
    }

    /** A route's handler, given the service it runs in. */
    @FunctionalInterface
    interface Endpoint {
        void handle(QueryService q, Context ctx) throws Exception;
    }

    /** The route table; {@code /openapi.json} is a static asset. */
    static final List<Route> ROUTES = List.of(
            page("/"),
            page("/dashboard"),
            api(Api.CHECKPOINTS, (q, ctx) -> json(ctx, "local".equals(ctx.queryParam("scope")) ? q.checkpoints.localList() : q.checkpoints.list())),
            api(Api.CHECKPOINT, (q, ctx) -> json(ctx, q.checkpoints.status(cp(ctx)))),
            api(Api.METRICS, (q, ctx) -> json(ctx, q.checkpoints.metrics(cp(ctx), forwarded(ctx)))),
            api(Api.LAYER, (q, ctx) -> json(ctx, q.checkpoints.layer(cp(ctx), integer(ctx, "layer"), forwarded(ctx)))),
            api(Api.KEY_REGION, (q, ctx) -> json(ctx, q.checkpoints.keyRegion(cp(ctx), text(ctx, "lang"), forwarded(ctx)))),
            api(Api.NEURON_TYPES, (q, ctx) -> json(ctx, q.checkpoints.neuronTypes(cp(ctx), forwarded(ctx)))),
            api(Api.NEURON_TYPE_CHANGES, (q, ctx) -> json(ctx, q.typeChanges.changes(cp(ctx), required(ctx, "from")))),
            api(Api.NEURON, (q, ctx) -> json(ctx, q.neurons.neuron(cp(ctx), integer(ctx, "neuron")))),
            api(Api.LAYER_NEURON, (q, ctx) -> json(ctx, q.neurons.layerNeuron(cp(ctx), integer(ctx, "layer"), integer(ctx, "neuron"),
                    forwarded(ctx)))),
            api(Api.SIMILARITY_CSV, (q, ctx) -> q.similarity.csv(cp(ctx), ctx.queryParam("layer"),
                    () -> ctx.contentType(SimilarityQueries.CSV).outputStream())),
            api(Api.SIMILARITY_PNG, (q, ctx) -> bytes(ctx, q.similarity.map(cp(ctx), SimilarityQueries.Format.PNG, ctx.queryParam("layer")))),
            api(Api.SIMILARITY_JSON, (q, ctx) -> bytes(ctx, q.similarity.map(cp(ctx), SimilarityQueries.Format.JSON, ctx.queryParam("layer")))),
            api(Api.SENTENCES, (q, ctx) -> json(ctx, q.corpora.sentences(text(ctx, "corpus"), forwarded(ctx)))),
            api(Api.SAMPLES, (q, ctx) -> json(ctx, q.similarity.samples(cp(ctx), integer(ctx, "layer"), forwarded(ctx)))),
            api(Api.SIMILARITY_BLOCK, (q, ctx) -> bytes(ctx, q.similarity.block(cp(ctx), integer(ctx, "layer"),
                    required(ctx, "normalisation"), ctx.queryParam("samples"), forwarded(ctx)))),
            api(Api.PROBES, (q, ctx) -> json(ctx, q.probes.probes(cp(ctx)))),
            api(Api.PROBE, (q, ctx) -> json(ctx, q.probes.layer(cp(ctx), integer(ctx, "layer"), forwarded(ctx)))),
            api(Api.EXPERTS, (q, ctx) -> json(ctx, q.experts.experts(cp(ctx), optional(ctx, "concept"), optional(ctx, "lang"),
                    forwarded(ctx)))),
            api(Api.ABLATION_TABLE, (q, ctx) -> bytes(ctx, q.evaluations.ablationTable(cp(ctx), ctx.queryParam("format"), forwarded(ctx)))),
            api(Api.EVALUATIONS, (q, ctx) -> json(ctx, "true".equals(ctx.queryParam("all")) ? q.evaluations.evaluationsOrEmpty(cp(ctx), forwarded(ctx))
                    : q.evaluations.evaluations(cp(ctx), forwarded(ctx)))),
            api(Api.TREND, (q, ctx) -> json(ctx, q.trends.trend(text(ctx, "model")))),
            api(Api.COMPARE, (q, ctx) -> json(ctx, q.trends.compare(required(ctx, "a"), required(ctx, "b")))));

    private final HostInfo self;
    private final InternalSecret secret;
    private final LocalStores stores;
    private final CheckpointQueries checkpoints;
    private final NeuronQueries neurons;
    private final NeuronTypeChangeQueries typeChanges;
    private final CorpusQueries corpora;
    private final SimilarityQueries similarity;
    private final TrendQueries trends;
    private final EvaluationQueries evaluations;
    private final ProbeQueries probes;
    private final ExpertQueries experts;
    private final SimilarityCache similarityCache;
    private final Javalin server;

    /** With {@link Options#defaults()}: loopback only, a single instance. */
    public QueryService(KafkaStreams streams, HostInfo self) {
        this(streams, self, Options.defaults());
    }

    /**
     * Serves on {@code self}'s port on {@code options.bindHost()}; {@code self} must equal the instance's
     * {@code application.server}, the address other instances reach this one by.
     */
    public QueryService(KafkaStreams streams, HostInfo self, Options options) {
        this(streams, self, options, ROUTES);
    }

    /** Serving {@code routes} (tests add routes to {@link #ROUTES}). */
    QueryService(KafkaStreams streams, HostInfo self, Options options, List<Route> routes) {
        this.self = self;
        this.secret = options.internalSecret();
        this.similarityCache = new SimilarityCache(options.similarityCacheBytes());
        Instances instances = new Instances(streams, self, secret);
        this.stores = new LocalStores(streams);
        this.checkpoints = new CheckpointQueries(stores, instances);
        this.neurons = new NeuronQueries(stores, instances, checkpoints);
        this.typeChanges = new NeuronTypeChangeQueries(checkpoints);
        this.corpora = new CorpusQueries(stores, instances);
        this.similarity = new SimilarityQueries(stores, instances, checkpoints, corpora, similarityCache, options.maxSimilaritySamples());
        this.evaluations = new EvaluationQueries(stores, instances);
        this.probes = new ProbeQueries(stores, instances);
        this.experts = new ExpertQueries(stores, instances);
        this.trends = new TrendQueries(checkpoints, evaluations, probes, experts);
        this.server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = options.bindHost();
            config.jetty.port = self.port();
            config.jetty.modifyServer(server -> server.setErrorHandler(new RejectedRequests()));
            config.staticFiles.add(ASSETS, Location.CLASSPATH);
            config.staticFiles.enableWebjars(); // the dashboard's chart library, /webjars/echarts/<version>/dist/echarts.min.js
            config.routes.before(ctx -> {
                SECURITY_HEADERS.forEach(ctx::header);
                if (ctx.method() != HandlerType.GET) {
                    ctx.header("Allow", "GET");
                    throw new QueryException(405, "method " + Api.quote(ctx.method().name()) + " is not allowed on "
                            + Api.quote(ctx.path()) + ": the API is read-only, only GET is supported");
                }
            });
            for (Route r : routes) {
                Handler h = ctx -> r.endpoint().handle(this, ctx);
                h = r.documented() ? running(h) : h;
                config.routes.get(r.path(), r.path().startsWith(Api.INTERNAL) ? internal(h) : h);
            }
            config.routes.exception(QueryException.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
            config.routes.exception(InvalidStateStoreException.class, (e, ctx) -> {
                LOG.debug("{} {}: stores not queryable", ctx.method(), ctx.path(), e);
                error(ctx, 503, "stores are being rebalanced or restored; retry");
            });
            config.routes.exception(EndpointNotFound.class,
                    (e, ctx) -> error(ctx, 404, "no such resource: " + Api.quote(ctx.path()) + " (see /openapi.json)"));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                String id = UUID.randomUUID().toString().substring(0, 8);
                LOG.error("internal error {} answering {} {}", id, ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal error " + id + " (the server log has the details under this id)");
            });
        });
    }

    public void start() {
        server.start();
    }

    public HostInfo host() {
        return self;
    }

    SimilarityCache similarityCache() {
        return similarityCache;
    }

    @Override
    public void close() {
        server.stop();
    }

    // ------------------------------------------------------------------ the route table's parts

    private static Route api(String path, Endpoint endpoint) {
        return new Route(path, true, endpoint);
    }

    /** The dashboard page, from the assets. */
    private static Route page(String path) {
        return new Route(path, false, (q, ctx) -> {
            InputStream in = QueryService.class.getResourceAsStream(ASSETS + "/" + DASHBOARD);
            if (in == null) {
                throw new IllegalStateException(DASHBOARD + " missing from the jar");
            }
            ctx.contentType("text/html; charset=utf-8").result(in);
        });
    }

    /** {@code /internal} calls only from other instances: 403 without their shared secret. */
    private Handler internal(Handler h) {
        return ctx -> {
            if (!secret.matches(ctx.header(InternalSecret.HEADER))) {
                throw new QueryException(403, "internal calls need the instances' shared secret (header " + InternalSecret.HEADER
                        + "); every instance of one application must be given the same --internal-secret");
            }
            h.handle(ctx);
        };
    }

    /** API calls (documented routes) need the instance RUNNING: before that, owners and stores are not known. */
    private Handler running(Handler h) {
        return ctx -> {
            stores.requireRunning();
            h.handle(ctx);
        };
    }

    private static String cp(Context ctx) {
        return text(ctx, "checkpointId");
    }

    private static String text(Context ctx, String name) {
        return Api.text(name, ctx.pathParam(name));
    }

    private static boolean forwarded(Context ctx) {
        return ctx.header(Instances.FORWARDED) != null;
    }

    private static int integer(Context ctx, String name) {
        return Api.integer(name, ctx.pathParam(name));
    }

    private static String required(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            throw QueryException.badRequest("query parameter '" + name + "' is required");
        }
        return Api.text(name, v);
    }

    /** An optional identifier query parameter, null when absent. */
    private static String optional(Context ctx, String name) {
        String v = ctx.queryParam(name);
        return v == null ? null : Api.text(name, v);
    }

    private static void json(Context ctx, JsonNode n) {
        ctx.contentType("application/json").result(Reply.bytes(n));
    }

    private static void bytes(Context ctx, Reply r) {
        ctx.contentType(r.contentType()).result(r.body());
    }

    private static void error(Context ctx, int status, String message) {
        if (status == 503) {
            ctx.header("Retry-After", "1");
        }
        ObjectNode e = Reply.JSON.createObjectNode();
        e.put("status", status);
        e.put("error", message);
        ctx.status(status).contentType("application/json").result(e.toString());
    }
}
