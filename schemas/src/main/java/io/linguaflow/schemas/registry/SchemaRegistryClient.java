package io.linguaflow.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Client for the Confluent schema-registry REST API (v1): register, look up, latest version of a subject,
 * schema by id. Works with any server of that API (Confluent, Karapace, Apicurio's ccompat, the Hortonworks
 * server's {@code /api/v1/confluent}). Ids and registrations are cached (schemas under an id never change);
 * latest-version answers are not. I/O failures, HTTP 5xx and 429 are retried a bounded number of times
 * with doubling back-off; everything else fails at once with a {@link SchemaRegistryException}.
 * Thread-safe.
 */
public final class SchemaRegistryClient {

    /** Content type of the Confluent API. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration requestTimeout;
    private final HttpClient http;
    /** {@code Authorization} header of every request, or null. */
    private final String authorization;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();

    /** With 3 attempts, 200 ms initial back-off and a 10 s request timeout. */
    public SchemaRegistryClient(String baseUrl) {
        this(baseUrl, 3, Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    /**
     * @param baseUrl        e.g. {@code http://127.0.0.1:8081} (Confluent) or {@code http://127.0.0.1:8081/api/v1/confluent}
     * @param maxAttempts    attempts per call (>= 1) before an unreachable or failing registry is reported
     * @param initialBackoff wait before the second attempt; doubled before each further one
     * @param requestTimeout connect and response timeout of one attempt
     */
    public SchemaRegistryClient(String baseUrl, int maxAttempts, Duration initialBackoff, Duration requestTimeout) {
        this(baseUrl, maxAttempts, initialBackoff, requestTimeout, RegistryAccess.NONE);
    }

    /** As above, authenticating and trusting certificates as {@code access} says. */
    public SchemaRegistryClient(String baseUrl, int maxAttempts, Duration initialBackoff, Duration requestTimeout,
                                RegistryAccess access) {
        if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
            throw new IllegalArgumentException("schema registry URL must start with http:// or https://, got '" + baseUrl + "'");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.requestTimeout = requestTimeout;
        this.authorization = access.authorization();
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(requestTimeout);
        if (access.sslContext() != null) {
            http.sslContext(access.sslContext());
        }
        this.http = http.build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Registers {@code schema} under {@code subject} (or finds it already there) and returns its id. Cached. */
    public int register(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                "register a schema under subject '" + subject + "'");
        int id = requiredInt(answer, "id", "register under subject '" + subject + "'");
        ids.put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** The registered version of exactly this schema under {@code subject}; fails when it is not registered. */
    public RegisteredSchema lookup(String subject, Schema schema) {
        JsonNode answer = call("POST", "/subjects/" + encode(subject), schemaBody(schema),
                "look up a schema under subject '" + subject + "'");
        RegisteredSchema found = registered(answer, subject);
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, found.id());
        return found;
    }

    /** The latest version of {@code subject} (asked every time: it changes when a new version is registered). */
    public RegisteredSchema latest(String subject) {
        JsonNode answer = call("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
                "get the latest version of subject '" + subject + "'");
        return registered(answer, subject);
    }

    /** The schema registered under {@code id}. Cached. */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("GET", "/schemas/ids/" + id, null, "get schema id " + id);
        Schema schema = parse(answer.path("schema").asText(null), "schema id " + id);
        schemasById.put(id, schema);
        return schema;
    }

    /** All subjects. */
    public List<String> subjects() {
        JsonNode answer = call("GET", "/subjects", null, "list subjects");
        List<String> subjects = new ArrayList<>();
        answer.forEach(n -> subjects.add(n.asText()));
        return subjects;
    }

    private RegisteredSchema registered(JsonNode answer, String subject) {
        String what = "subject '" + subject + "'";
        int id = requiredInt(answer, "id", what);
        Schema schema = parse(answer.path("schema").asText(null), what + " (schema id " + id + ")");
        schemasById.putIfAbsent(id, schema);
        return new RegisteredSchema(subject, requiredInt(answer, "version", what), id, schema);
    }

    private Schema parse(String text, String what) {
        if (text == null) {
            throw new SchemaRegistryException("schema registry " + baseUrl + " returned no schema text for " + what,
                    baseUrl, 200, 0, null);
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("schema registry " + baseUrl + " returned an unparsable schema for " + what
                    + ": " + e.getMessage(), baseUrl, 200, 0, e);
        }
    }

    private int requiredInt(JsonNode answer, String field, String what) {
        JsonNode n = answer.get(field);
        if (n == null || !n.canConvertToInt()) {
            throw new SchemaRegistryException("schema registry " + baseUrl + " answered without '" + field + "' for "
                    + what + ": " + answer, baseUrl, 200, 0, null);
        }
        return n.intValue();
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** One REST call with bounded retries; returns the JSON body of a 200 answer. */
    private JsonNode call(String method, String path, String body, String what) {
        String url = baseUrl + path;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(requestTimeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        Duration backoff = initialBackoff;
        String lastFailure = null;
        Throwable lastCause = null;
        int lastStatus = SchemaRegistryException.NO_RESPONSE;
        int lastErrorCode = 0;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt > 1) {
                sleep(backoff, url, what);
                backoff = backoff.multipliedBy(2);
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                lastFailure = "unreachable (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
                lastCause = e;
                lastStatus = SchemaRegistryException.NO_RESPONSE;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while trying to " + what + " at " + url, url,
                        SchemaRegistryException.NO_RESPONSE, 0, e);
            }
            int status = response.statusCode();
            JsonNode json = readJson(response.body());
            if (status == 200) {
                if (json == null) {
                    throw new SchemaRegistryException("schema registry answered " + method + " " + url
                            + " with a body that is not JSON: " + abbreviate(response.body()), url, status, 0, null);
                }
                return json;
            }
            int errorCode = json == null ? 0 : json.path("error_code").asInt(0);
            String message = json == null ? abbreviate(response.body())
                    : json.path("message").asText(json.path("responseMessage").asText(abbreviate(response.body())));
            lastFailure = "HTTP " + status + (errorCode != 0 ? " error_code " + errorCode : "") + ": " + message;
            lastStatus = status;
            lastErrorCode = errorCode;
            lastCause = null;
            if (status < 500 && status != 429) {
                throw new SchemaRegistryException("schema registry refused to " + what + ": " + method + " " + url
                        + " -> " + lastFailure, url, status, errorCode, null);
            }
        }
        throw new SchemaRegistryException("could not " + what + ": " + method + " " + url + " failed " + maxAttempts
                + " time(s), last: " + lastFailure, url, lastStatus, lastErrorCode, lastCause);
    }

    private static JsonNode readJson(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static void sleep(Duration d, String url, String what) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while waiting to retry: " + what + " at " + url, url,
                    SchemaRegistryException.NO_RESPONSE, 0, e);
        }
    }
}
