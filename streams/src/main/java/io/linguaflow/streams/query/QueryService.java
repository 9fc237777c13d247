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
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The HTTP layer of the interactive queries (docs/design.md §4), on every instance ({@code application.server} = this
 * service's host:port): a declared route table ({@link #ROUTES}) over the query classes per resource
 * ({@link CheckpointQueries}, {@link NeuronQueries}, {@link SimilarityQueries}, {@link TrendQueries}, {@link CorpusQueries}, {@link EvaluationQueries}),
 * which read this instance's stores in-process and reach other instances only through {@link Instances}. Answers are
 * pretty-printed JSON, except the similarity map (CSV, PNG, or compact JSON). Errors are JSON {@code {"status", "error"}}:
 * 404 unknown checkpoint, layer, language, corpus or route; 400 bad parameter; 405 a method other than GET; 409 a map
 * of a checkpoint that is not complete yet; 503 with {@code Retry-After: 1} while the instance is not RUNNING or its
 * stores move (rebalance, restore); 500 for anything else. The assets under {@value #ASSETS} are served as they are: {@code GET /openapi.json} describes the API,
 * {@code GET /} is a dashboard page built on it, whose chart library is a WebJar served under {@code /webjars/}.
 */
public final class QueryService implements AutoCloseable {

    /** Classpath folder of the static assets (openapi.json, dashboard.html). */
    static final String ASSETS = "/io/linguaflow/streams/query/web";
    private static final String DASHBOARD = "dashboard.html";
    /** 256 MiB: about 80 blocks or maps of 900 samples (3.2 MB each as upper triangles). */
    public static final long DEFAULT_SIMILARITY_CACHE_BYTES = 256L << 20;

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
            api(Api.METRICS, (q, ctx) -> json(ctx, q.checkpoints.metrics(cp(ctx), forwarded(ctx)))),
            api(Api.LAYER, (q, ctx) -> json(ctx, q.checkpoints.layer(cp(ctx), integer(ctx, "layer"), forwarded(ctx)))),
            api(Api.KEY_REGION, (q, ctx) -> json(ctx, q.checkpoints.keyRegion(cp(ctx), ctx.pathParam("lang"), forwarded(ctx)))),
            api(Api.NEURON_TYPES, (q, ctx) -> json(ctx, q.checkpoints.neuronTypes(cp(ctx), forwarded(ctx)))),
            api(Api.NEURON, (q, ctx) -> json(ctx, q.neurons.neuron(cp(ctx), integer(ctx, "neuron")))),
            api(Api.LAYER_NEURON, (q, ctx) -> json(ctx, q.neurons.layerNeuron(cp(ctx), integer(ctx, "layer"), integer(ctx, "neuron"),
                    forwarded(ctx)))),
            api(Api.SIMILARITY_CSV, (q, ctx) -> bytes(ctx, q.similarity.map(cp(ctx), SimilarityQueries.Format.CSV, ctx.queryParam("layer")))),
            api(Api.SIMILARITY_PNG, (q, ctx) -> bytes(ctx, q.similarity.map(cp(ctx), SimilarityQueries.Format.PNG, ctx.queryParam("layer")))),
            api(Api.SIMILARITY_JSON, (q, ctx) -> bytes(ctx, q.similarity.map(cp(ctx), SimilarityQueries.Format.JSON, ctx.queryParam("layer")))),
            api(Api.SENTENCES, (q, ctx) -> json(ctx, q.corpora.sentences(ctx.pathParam("corpus"), forwarded(ctx)))),
            api(Api.SAMPLES, (q, ctx) -> json(ctx, q.similarity.samples(cp(ctx), integer(ctx, "layer"), forwarded(ctx)))),
            api(Api.SIMILARITY_BLOCK, (q, ctx) -> bytes(ctx, q.similarity.block(cp(ctx), integer(ctx, "layer"),
                    required(ctx, "normalisation"), ctx.queryParam("samples"), forwarded(ctx)))),
            api(Api.ABLATION_TABLE, (q, ctx) -> bytes(ctx, q.evaluations.ablationTable(cp(ctx), ctx.queryParam("format"), forwarded(ctx)))),
            api(Api.EVALUATIONS, (q, ctx) -> json(ctx, "true".equals(ctx.queryParam("all")) ? q.evaluations.evaluationsOrEmpty(cp(ctx), forwarded(ctx))
                    : q.evaluations.evaluations(cp(ctx), forwarded(ctx)))),
            api(Api.TREND, (q, ctx) -> json(ctx, q.trends.trend(ctx.pathParam("model")))),
            api(Api.COMPARE, (q, ctx) -> json(ctx, q.trends.compare(required(ctx, "a"), required(ctx, "b")))));

    private final HostInfo self;
    private final LocalStores stores;
    private final CheckpointQueries checkpoints;
    private final NeuronQueries neurons;
    private final CorpusQueries corpora;
    private final SimilarityQueries similarity;
    private final TrendQueries trends;
    private final EvaluationQueries evaluations;
    private final SimilarityCache similarityCache;
    private final Javalin server;

    /** With the default similarity-map cache ({@value #DEFAULT_SIMILARITY_CACHE_BYTES} bytes). */
    public QueryService(KafkaStreams streams, HostInfo self) {
        this(streams, self, DEFAULT_SIMILARITY_CACHE_BYTES);
    }

    /**
     * Serves on {@code self}'s port on all interfaces; {@code self} must equal the instance's {@code application.server}.
     *
     * @param similarityCacheBytes the most bytes of computed similarity-map blocks and maps kept in memory (0: none)
     */
    public QueryService(KafkaStreams streams, HostInfo self, long similarityCacheBytes) {
        this.self = self;
        this.similarityCache = new SimilarityCache(similarityCacheBytes);
        Instances instances = new Instances(streams, self);
        this.stores = new LocalStores(streams);
        this.checkpoints = new CheckpointQueries(stores, instances);
        this.neurons = new NeuronQueries(stores, instances, checkpoints);
        this.corpora = new CorpusQueries(stores, instances);
        this.similarity = new SimilarityQueries(stores, instances, checkpoints, corpora, similarityCache);
        this.evaluations = new EvaluationQueries(stores, instances);
        this.trends = new TrendQueries(checkpoints, evaluations);
        this.server = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.port = self.port();
            config.staticFiles.add(ASSETS, Location.CLASSPATH);
            config.staticFiles.enableWebjars(); // the dashboard's chart library, /webjars/echarts/<version>/dist/echarts.min.js
            config.routes.before(ctx -> {
                if (ctx.method() != HandlerType.GET) {
                    throw new QueryException(405, "only GET is supported");
                }
            });
            for (Route r : ROUTES) {
                Handler h = ctx -> r.endpoint().handle(this, ctx);
                config.routes.get(r.path(), r.documented() ? running(h) : h);
            }
            config.routes.exception(QueryException.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
            config.routes.exception(InvalidStateStoreException.class,
                    (e, ctx) -> error(ctx, 503, "stores are being rebalanced or restored, retry: " + e.getMessage()));
            config.routes.exception(EndpointNotFound.class,
                    (e, ctx) -> error(ctx, 404, "no such resource: " + ctx.path() + " (see /openapi.json)"));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> error(ctx, 500, e.toString()));
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

    /** API calls (documented routes) need the instance RUNNING: before that, owners and stores are not known. */
    private Handler running(Handler h) {
        return ctx -> {
            stores.requireRunning();
            h.handle(ctx);
        };
    }

    private static String cp(Context ctx) {
        return ctx.pathParam("checkpointId");
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
        return v;
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
