package io.linguaflow.launcher.report;

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

/**
 * GETs on the REST API of a linguaflow streams instance. A 503 (stores rebalancing or restoring) is retried for up to
 * {@link #RETRY_FOR}, as the pipeline does; a server that does not answer at all is a {@link ReportException}.
 */
final class Rest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration RETRY_FOR = Duration.ofSeconds(30);
    /** Retry-After is in whole seconds; a rebalance of a small deployment is usually over sooner. */
    private static final long MAX_WAIT_MS = 1000;
    /** Long enough for a similarity map, which costs O(N² M D) per call. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    /** An answer other than 503; the caller judges 404 and 409. */
    record Answer(int status, String body) {

        /** The {@code error} text of a JSON error body, else the body itself. */
        String error() {
            try {
                return JSON.readTree(body).path("error").asText(body);
            } catch (IOException e) {
                return body;
            }
        }
    }

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Rest(URI base) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    URI base() {
        return base;
    }

    Answer get(String path) throws ReportException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT).GET().build();
        long deadline = System.nanoTime() + RETRY_FOR.toNanos();
        while (true) {
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new ReportException("no linguaflow REST API answers at " + base + " (GET " + path + ": " + e + ")", e);
            }
            if (response.statusCode() != 503) {
                return new Answer(response.statusCode(), response.body());
            }
            if (System.nanoTime() > deadline) {
                throw new ReportException("GET " + base + path + " still answers 503 after " + RETRY_FOR.toSeconds() + " s: " + response.body());
            }
            long retryAfterMs = response.headers().firstValueAsLong("Retry-After").orElse(0) * 1000;
            Thread.sleep(Math.max(200, Math.min(MAX_WAIT_MS, retryAfterMs)));
        }
    }

    /** The JSON of a 200 answer; any other status is a {@link ReportException} naming the call. */
    JsonNode json(String path) throws ReportException, InterruptedException {
        Answer a = get(path);
        if (a.status() != 200) {
            throw new ReportException("GET " + base + path + " answered " + a.status() + ": " + a.error());
        }
        try {
            return JSON.readTree(a.body());
        } catch (IOException e) {
            throw new ReportException("GET " + base + path + " did not answer JSON: " + e.getMessage(), e);
        }
    }

    /** One path segment, percent-encoded ({@code bloom@200} → {@code bloom%40200}). */
    static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
