package io.linguaflow.schemas.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.registry.SchemaRegistryClient;
import io.linguaflow.schemas.registry.SchemaRegistryException;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.IOException;
import java.time.Duration;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void kafkaRetriableAndTimeoutsAreTransientAlsoWhenWrapped() {
        assertTrue(Failures.isTransient(new TimeoutException("topic metadata")));
        assertTrue(Failures.isTransient(new IllegalStateException("outer", new NotLeaderOrFollowerException("x"))));
        assertTrue(Failures.isTransient(new java.util.concurrent.TimeoutException()));
        assertTrue(Failures.isTransient(new OutOfMemoryError("Java heap space")));
        // libtorch's text as DJL's EngineException carries it
        assertTrue(Failures.isTransient(new RuntimeException("CUDA out of memory. Tried to allocate 2.00 GiB")));
        assertTrue(Failures.isTransient(new RuntimeException("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: "
                + "can't allocate memory: you tried to allocate 8589934592 bytes")));
    }

    @Test
    void badInputIsPermanent() {
        assertFalse(Failures.isTransient(new SerializationException("record has magic byte 0x01")));
        assertFalse(Failures.isTransient(new IllegalArgumentException("sample id 'x' is malformed")));
        assertFalse(Failures.isTransient(new IOException("model.safetensors is truncated", new SchemaParseException("x"))));
    }

    /** The real client against a port nobody listens on (transient), and the real registry's 404 (permanent). */
    @Test
    void registryUnreachableIsTransientUnknownSchemaIsPermanent() throws IOException {
        SchemaRegistryClient nobody = new SchemaRegistryClient("http://127.0.0.1:" + TestRegistry.freePort(), 1,
                Duration.ofMillis(10), Duration.ofSeconds(2));
        SchemaRegistryException down = assertThrows(SchemaRegistryException.class, () -> nobody.schemaById(1));
        assertTrue(Failures.isTransient(new SerializationException("cannot resolve writer schema id 1", down)), down::getMessage);

        SchemaRegistryClient registry = new SchemaRegistryClient(TestRegistry.shared().url());
        SchemaRegistryException unknown = assertThrows(SchemaRegistryException.class, () -> registry.schemaById(987_654));
        assertEquals(404, unknown.status());
        assertFalse(Failures.isTransient(new SerializationException("cannot resolve writer schema id", unknown)));
    }

    @Test
    void backoffDoublesUpToItsCapAndParses() {
        Backoff b = Backoff.parse("PT0.5S, PT3S, 4");
        assertEquals(Duration.ofMillis(500), b.delay(1));
        assertEquals(Duration.ofMillis(1000), b.delay(2));
        assertEquals(Duration.ofMillis(2000), b.delay(3));
        assertEquals(Duration.ofMillis(3000), b.delay(4));
        assertEquals(Duration.ofMillis(3000), b.delay(40));
        assertTrue(b.allows(3));
        assertFalse(b.allows(4));
        assertEquals("PT0.5S,PT3S,4", b.toString());
        assertThrows(IllegalArgumentException.class, () -> Backoff.parse("PT1S,PT30S"));
        assertThrows(IllegalArgumentException.class, () -> Backoff.parse("PT5S,PT1S,3"));
    }
}
