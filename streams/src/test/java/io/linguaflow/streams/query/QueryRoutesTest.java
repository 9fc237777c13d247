package io.linguaflow.streams.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashSet;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** The route table against openapi.json, and the HTTP layer's error mapping on an instance that never starts. */
class QueryRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedPathRouted() throws Exception {
        JsonNode spec;
        try (InputStream in = QueryService.class.getResourceAsStream(QueryService.ASSETS + "/openapi.json")) {
            spec = JSON.readTree(in);
        }
        Set<String> documented = new TreeSet<>();
        spec.get("paths").fieldNames().forEachRemaining(documented::add);
        Set<String> routed = new TreeSet<>();
        for (QueryService.Route r : QueryService.ROUTES) {
            if (r.documented()) {
                routed.add(r.path());
            }
            spec.get("paths").path(r.path()).fieldNames().forEachRemaining(method -> assertEquals("get", method, r.path()));
        }
        routed.add("/openapi.json"); // a static asset
        assertEquals(documented, routed);
        Set<String> paths = new LinkedHashSet<>();
        QueryService.ROUTES.forEach(r -> assertTrue(paths.add(r.path()), "declared twice: " + r.path()));
    }

    @Test
    void errorsAreJsonWithTheirStatus() throws Exception {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "routes-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        StreamsBuilder b = new StreamsBuilder();
        b.stream("in").to("out");
        HostInfo host = new HostInfo("127.0.0.1", TestRegistry.freePort());
        try (KafkaStreams streams = new KafkaStreams(b.build(), p); QueryService q = new QueryService(streams, host)) {
            q.start();
            HttpResponse<String> notRunning = call(host, "GET", "/checkpoints/bloom-tiny%400/metrics");
            assertError(notRunning, 503, "the streams instance is CREATED");
            assertEquals("1", notRunning.headers().firstValue("Retry-After").orElse(null));
            assertError(call(host, "GET", "/nothing/here"), 404, "no such resource: /nothing/here");
            assertError(call(host, "POST", "/checkpoints"), 405, "only GET is supported");
            assertError(call(host, "DELETE", "/nothing/here"), 405, "only GET is supported");
            HttpResponse<String> spec = call(host, "GET", "/openapi.json");
            assertEquals(200, spec.statusCode());
            assertTrue(spec.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            assertTrue(JSON.readTree(spec.body()).get("paths").has(Api.METRICS));
            for (String page : new String[] {"/", "/dashboard"}) {
                HttpResponse<String> r = call(host, "GET", page);
                assertEquals(200, r.statusCode(), page);
                assertTrue(r.headers().firstValue("Content-Type").orElse("").replace(" ", "").equals("text/html;charset=utf-8"), page);
                assertTrue(r.body().contains("/similarity.json") && r.body().contains("data-panel=\"similarity\""), page);
            }
            HttpResponse<String> echarts = call(host, "GET", "/webjars/echarts/5.3.1/dist/echarts.min.js");
            assertEquals(200, echarts.statusCode(), "the dashboard's chart library, from the classpath");
            assertTrue(echarts.headers().firstValue("Content-Type").orElse("").contains("javascript"), echarts.headers().toString());
            assertTrue(echarts.body().length() > 500_000 && echarts.body().contains("echarts"));
            for (String panel : new String[] {"checkpoints", "similarity", "trend", "layers", "key-layers", "key-languages", "neuron-types"}) {
                assertTrue(call(host, "GET", "/").body().contains("data-panel=\"" + panel + "\""), panel);
            }
        }
    }

    @Test
    void pathsAreFilledInEncoded() {
        assertEquals("/checkpoints/bloom-tiny%400/layers/3/neurons/7", Api.path(Api.LAYER_NEURON, "bloom-tiny@0", 3, 7));
        assertEquals("/models/a%20b/trend", Api.path(Api.TREND, "a b"));
    }

    private static HttpResponse<String> call(HostInfo host, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> r, int status, String message) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(status, body.get("status").asInt());
        assertTrue(body.get("error").asText().contains(message), body.toString());
    }
}
