package io.linguaflow.streams.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
        HostInfo host = new HostInfo("127.0.0.1", TestRegistry.freePort());
        try (KafkaStreams streams = new KafkaStreams(topology(), props()); QueryService q = new QueryService(streams, host)) {
            q.start();
            HttpResponse<String> notRunning = call(host, "GET", "/checkpoints/bloom-tiny%400/metrics");
            assertError(notRunning, 503, "the streams instance is CREATED");
            assertEquals("1", notRunning.headers().firstValue("Retry-After").orElse(null));
            assertError(call(host, "GET", "/nothing/here"), 404, "no such resource: '/nothing/here'");
            for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
                HttpResponse<String> r = call(host, method, "/checkpoints/bloom-tiny%400/metrics");
                assertError(r, 405, "method '" + method + "' is not allowed on '/checkpoints/bloom-tiny%400/metrics': the API is read-only");
                assertEquals("GET", r.headers().firstValue("Allow").orElse(null), method);
            }
            assertError(call(host, "DELETE", "/nothing/here"), 405, "only GET is supported");
            HttpResponse<String> spec = call(host, "GET", "/openapi.json");
            assertEquals(200, spec.statusCode());
            assertTrue(spec.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            assertTrue(JSON.readTree(spec.body()).get("paths").has(Api.METRICS));
            for (String page : new String[] {"/", "/dashboard"}) {
                HttpResponse<String> r = call(host, "GET", page);
                assertEquals(200, r.statusCode(), page);
                assertTrue(r.headers().firstValue("Content-Type").orElse("").replace(" ", "").equals("text/html;charset=utf-8"), page);
                assertTrue(r.body().contains("<script src=\"/dashboard.js\"></script>") && r.body().contains("data-panel=\"similarity\""), page);
                assertFalse(r.body().contains("<script>") || r.body().contains("<style") || r.body().contains(" style="),
                        "no inline script or style: the Content-Security-Policy forbids them");
            }
            HttpResponse<String> script = call(host, "GET", "/dashboard.js");
            assertEquals(200, script.statusCode());
            assertTrue(script.headers().firstValue("Content-Type").orElse("").contains("javascript"), script.headers().toString());
            assertTrue(script.body().contains("/similarity.json") && script.body().contains("get(\"/checkpoints\")"), "the page reads the API");
            HttpResponse<String> css = call(host, "GET", "/dashboard.css");
            assertEquals(200, css.statusCode());
            assertTrue(css.headers().firstValue("Content-Type").orElse("").startsWith("text/css"), css.headers().toString());
            HttpResponse<String> echarts = call(host, "GET", "/webjars/echarts/5.3.1/dist/echarts.min.js");
            assertEquals(200, echarts.statusCode(), "the dashboard's chart library, from the classpath");
            assertTrue(echarts.headers().firstValue("Content-Type").orElse("").contains("javascript"), echarts.headers().toString());
            assertTrue(echarts.body().length() > 500_000 && echarts.body().contains("echarts"));
            for (String panel : new String[] {"checkpoints", "similarity", "trend", "layers", "key-layers", "key-languages", "neuron-types"}) {
                assertTrue(call(host, "GET", "/").body().contains("data-panel=\"" + panel + "\""), panel);
            }
        }
    }

    /**
     * Every answer (page, script, WebJar, API error, unknown route, rejected method) carries the security headers, and a
     * 500 says only its error id: the exception's class and message stay in the log.
     */
    @Test
    void securityHeadersEverywhereAndNoExceptionTextInErrors() throws Exception {
        HostInfo host = new HostInfo("127.0.0.1", TestRegistry.freePort());
        String secretText = "cannot open /var/lib/secret-path: token=abc123";
        List<QueryService.Route> routes = new ArrayList<>(QueryService.ROUTES);
        routes.add(new QueryService.Route("/fails", false, (q, ctx) -> {
            throw new IllegalStateException(secretText);
        }));
        PrintStream stderr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (KafkaStreams streams = new KafkaStreams(topology(), props());
             QueryService q = new QueryService(streams, host, QueryService.Options.defaults(), routes)) {
            q.start();
            for (String path : new String[] {"/", "/dashboard.js", "/dashboard.css", "/openapi.json",
                "/webjars/echarts/5.3.1/dist/echarts.min.js", "/checkpoints", "/nothing/here"}) {
                assertSecurityHeaders(call(host, "GET", path), path);
            }
            assertSecurityHeaders(call(host, "POST", "/checkpoints"), "POST /checkpoints");
            HttpResponse<String> refused = call(host, "GET", "/checkpoints/a%00b/metrics"); // Jetty's refusal, before any route
            assertError(refused, 400, "malformed request: the server refuses this URI");
            assertSecurityHeaders(refused, "a URI Jetty refuses");
            assertFalse(refused.body().contains("Exception") || refused.body().contains("<html"), refused.body());
            String csp = call(host, "GET", "/").headers().firstValue("Content-Security-Policy").orElseThrow();
            assertTrue(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'") && !csp.contains("script-src 'unsafe"), csp);

            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            HttpResponse<String> failed;
            try {
                failed = call(host, "GET", "/fails");
            } finally {
                System.setErr(stderr);
            }
            assertError(failed, 500, "internal error ");
            assertSecurityHeaders(failed, "a 500");
            for (String leak : new String[] {"IllegalStateException", "java.", "secret-path", "token", "abc123", "\tat "}) {
                assertFalse(failed.body().contains(leak), "the 500 body shows '" + leak + "': " + failed.body());
            }
            String id = JSON.readTree(failed.body()).get("error").asText().split(" ")[2];
            assertTrue(id.matches("[0-9a-f]{8}"), failed.body());
            String logged = log.toString(StandardCharsets.UTF_8);
            assertTrue(logged.contains("internal error " + id + " answering GET /fails") && logged.contains(secretText)
                    && logged.contains("at io.linguaflow.streams.query.QueryRoutesTest"), "the log has the id and the stack trace:\n" + logged);
        }
    }

    /** The service listens on the bind address alone: 127.0.0.1 by default, so not on this machine's other addresses. */
    @Test
    void listensOnLoopbackByDefault() throws Exception {
        HostInfo host = new HostInfo("127.0.0.1", TestRegistry.freePort());
        try (KafkaStreams streams = new KafkaStreams(topology(), props()); QueryService q = new QueryService(streams, host)) {
            q.start();
            assertEquals(200, call(host, "GET", "/openapi.json").statusCode());
            java.net.InetAddress other = otherAddress();
            org.junit.jupiter.api.Assumptions.assumeTrue(other != null, "SKIPPED: this machine has no address besides loopback");
            try (java.net.Socket s = new java.net.Socket()) {
                assertThrows(java.io.IOException.class, () -> s.connect(new java.net.InetSocketAddress(other, host.port()), 2000),
                        "nothing may listen on " + other.getHostAddress() + ":" + host.port());
            }
        }
    }

    @Test
    void internalCallsNeedTheSharedSecret() throws Exception {
        HostInfo host = new HostInfo("127.0.0.1", TestRegistry.freePort());
        InternalSecret secret = InternalSecret.of("0123456789abcdef-shared");
        String block = "/internal/checkpoints/bloom-tiny%400/layers/0/similarity-block?normalisation=model";
        try (KafkaStreams streams = new KafkaStreams(topology(), props());
             QueryService q = new QueryService(streams, host, QueryService.Options.defaults().withInternalSecret(secret))) {
            q.start();
            assertError(call(host, "GET", block), 403, "internal calls need the instances' shared secret");
            assertError(call(host, "GET", block, InternalSecret.HEADER, "0123456789abcdef-sharee"), 403, "shared secret");
            // with the secret the call reaches the route: this instance is not running yet
            assertError(call(host, "GET", block, InternalSecret.HEADER, "0123456789abcdef-shared"), 503, "the streams instance is CREATED");
        }
        IllegalArgumentException shortSecret = assertThrows(IllegalArgumentException.class, () -> InternalSecret.of("too-short"));
        assertFalse(shortSecret.getMessage().contains("too-short"), "the value is never shown");
        assertFalse(secret.toString().contains("shared"), secret.toString());
    }

    @Test
    void badParametersAreNamedQuotedAndCutShort() {
        assertEquals("layer must be an integer >= 0 in decimal digits, got '-1'", badRequest(() -> Api.integer("layer", "-1")));
        assertEquals("layer must be an integer >= 0 in decimal digits, got '+1'", badRequest(() -> Api.integer("layer", "+1")));
        assertEquals("neuron must be at most 2147483647, got '2147483648'", badRequest(() -> Api.integer("neuron", "2147483648")));
        assertEquals("neuron must be an integer >= 0 in decimal digits, got '99999999999999999999'",
                badRequest(() -> Api.integer("neuron", "99999999999999999999")));
        assertEquals("layer must be an integer >= 0 in decimal digits, got '\\u0000'", badRequest(() -> Api.integer("layer", "\0")));
        assertEquals(2147483647, Api.integer("neuron", "2147483647"));
        assertEquals(7, Api.integer("layer", "007"));
        assertEquals("checkpointId must not contain control characters, got 'a\\u0000b\\u000ac'",
                badRequest(() -> Api.text("checkpointId", "a\0b\nc")));
        assertEquals("checkpointId must be 1 to 256 characters, got 300: '" + "x".repeat(64) + "'... (300 characters)",
                badRequest(() -> Api.text("checkpointId", "x".repeat(300))));
        assertEquals("model must be 1 to 256 characters, got 0: ''", badRequest(() -> Api.text("model", "")));
        assertEquals("'it\\'s \\\\ fine'", Api.quote("it's \\ fine"));
        assertEquals("bloom-tiny@0", Api.text("checkpointId", "bloom-tiny@0"));
    }

    @Test
    void pathsAreFilledInEncoded() {
        assertEquals("/checkpoints/bloom-tiny%400/layers/3/neurons/7", Api.path(Api.LAYER_NEURON, "bloom-tiny@0", 3, 7));
        assertEquals("/models/a%20b/trend", Api.path(Api.TREND, "a b"));
    }

    private static HttpResponse<String> call(HostInfo host, String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertSecurityHeaders(HttpResponse<String> r, String what) {
        QueryService.SECURITY_HEADERS.forEach((name, value) -> assertEquals(value, r.headers().firstValue(name).orElse(null), what + ": " + name));
    }

    private static String badRequest(org.junit.jupiter.api.function.Executable call) {
        QueryException e = assertThrows(QueryException.class, call);
        assertEquals(400, e.status);
        return e.getMessage();
    }

    private static org.apache.kafka.streams.Topology topology() {
        StreamsBuilder b = new StreamsBuilder();
        b.stream("in").to("out");
        return b.build();
    }

    private static Properties props() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "routes-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        return p;
    }

    /** A non-loopback address of this machine, or null. */
    private static java.net.InetAddress otherAddress() throws java.net.SocketException {
        for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (java.net.InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                if (!a.isLoopbackAddress() && a instanceof java.net.Inet4Address) {
                    return a;
                }
            }
        }
        return null;
    }

    private static void assertError(HttpResponse<String> r, int status, String message) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(status, body.get("status").asInt());
        assertTrue(body.get("error").asText().contains(message), body.toString());
    }
}
