package io.linguaflow.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The client against a real registry server, and its retry bound against a server that fails on purpose. */
class SchemaRegistryClientTest {

    private static final Schema V1 = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"t\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
    private static final Schema V2 = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"t\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},"
                    + "{\"name\":\"b\",\"type\":[\"null\",\"int\"],\"default\":null}]}");
    private static final Schema BREAKING = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"t\",\"fields\":[{\"name\":\"c\",\"type\":\"int\"}]}");

    private static String subject() {
        return "client-" + UUID.randomUUID() + "-value";
    }

    @Test
    void registerLookupLatestAndById() {
        SchemaRegistryClient client = new SchemaRegistryClient(TestRegistry.shared().url());
        String subject = subject();
        int v1 = client.register(subject, V1);
        assertEquals(v1, client.register(subject, V1));
        assertEquals(v1, new SchemaRegistryClient(client.baseUrl()).register(subject, V1), "re-registering returns the same id");
        int v2 = client.register(subject, V2);
        assertNotEquals(v1, v2);

        assertEquals(new RegisteredSchema(subject, 2, v2, V2), client.latest(subject));
        assertEquals(new RegisteredSchema(subject, 1, v1, V1), client.lookup(subject, V1));
        SchemaRegistryClient fresh = new SchemaRegistryClient(client.baseUrl());
        assertEquals(V1, fresh.schemaById(v1));
        assertEquals(V2, fresh.schemaById(v2));
        assertTrue(client.subjects().contains(subject));
        // generated schemas with logical types, enums, defaults survive the registry unchanged
        assertEquals(CheckpointEvent.getClassSchema(), fresh.schemaById(client.register(subject(), CheckpointEvent.getClassSchema())));
        assertEquals(Progress.getClassSchema(), fresh.schemaById(client.register(subject(), Progress.getClassSchema())));
    }

    @Test
    void incompatibleSchemaIsRefusedNamingTheSubject() {
        SchemaRegistryClient client = new SchemaRegistryClient(TestRegistry.shared().url());
        String subject = subject();
        client.register(subject, V1);
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.register(subject, BREAKING));
        assertEquals(409, e.status());
        assertEquals(40901, e.errorCode());
        assertTrue(e.getMessage().contains("'" + subject + "'"), e.getMessage());
    }

    @Test
    void unknownIdAndSubjectAreNamed() {
        SchemaRegistryClient client = new SchemaRegistryClient(TestRegistry.shared().url());
        SchemaRegistryException id = assertThrows(SchemaRegistryException.class, () -> client.schemaById(424_242));
        assertEquals(404, id.status());
        assertEquals(40403, id.errorCode());
        assertTrue(id.getMessage().contains("schema id 424242") && id.getMessage().contains(client.baseUrl() + "/schemas/ids/424242"),
                id.getMessage());
        String subject = subject();
        SchemaRegistryException sub = assertThrows(SchemaRegistryException.class, () -> client.latest(subject));
        assertEquals(40401, sub.errorCode());
        assertTrue(sub.getMessage().contains(subject), sub.getMessage());
        SchemaRegistryException notThere = assertThrows(SchemaRegistryException.class, () -> client.lookup(subject, V1));
        assertEquals(404, notThere.status());
    }

    @Test
    void cacheServesKnownIdsWhenTheRegistryIsGoneAndUnknownOnesFailBounded() {
        String url;
        int id;
        SchemaRegistryClient client;
        try (TestRegistry own = TestRegistry.start()) {
            url = own.url();
            client = new SchemaRegistryClient(url, 3, Duration.ofMillis(50), Duration.ofSeconds(2));
            id = client.register("gone-value", V1);
        }
        assertEquals(V1, client.schemaById(id));
        assertEquals(id, client.register("gone-value", V1));
        long start = System.nanoTime();
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(id + 1));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(SchemaRegistryException.NO_RESPONSE, e.status());
        assertTrue(e.getMessage().contains(url + "/schemas/ids/" + (id + 1)) && e.getMessage().contains("failed 3 time(s)")
                && e.getMessage().contains("unreachable"), e.getMessage());
        assertTrue(millis >= 150 && millis < 10_000, "3 attempts with 50+100 ms back-off took " + millis + " ms");
    }

    @Test
    void serverErrorsAreRetriedUpToTheBound() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        HttpServer flaky = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        flaky.createContext("/schemas/ids/1", exchange -> {
            boolean fail = calls.incrementAndGet() <= 2;
            byte[] body = (fail ? "{\"error_code\":50001,\"message\":\"store down\"}"
                    : "{\"schema\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(V1.toString()) + "}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(fail ? 503 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        flaky.start();
        try {
            String url = "http://127.0.0.1:" + flaky.getAddress().getPort();
            assertEquals(V1, new SchemaRegistryClient(url, 3, Duration.ofMillis(10), Duration.ofSeconds(2)).schemaById(1));
            assertEquals(3, calls.get());

            calls.set(0);
            SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                    () -> new SchemaRegistryClient(url, 2, Duration.ofMillis(10), Duration.ofSeconds(2)).schemaById(1));
            assertEquals(2, calls.get());
            assertEquals(503, e.status());
            assertTrue(e.getMessage().contains("failed 2 time(s)") && e.getMessage().contains("store down"), e.getMessage());
        } finally {
            flaky.stop(0);
        }
    }

    @Test
    void badUrlIsRejectedUpFront() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SchemaRegistryClient("localhost:8081"));
        assertTrue(e.getMessage().contains("'localhost:8081'"), e.getMessage());
    }
}
