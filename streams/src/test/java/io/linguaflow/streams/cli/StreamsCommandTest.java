package io.linguaflow.streams.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.streams.query.QueryService;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Options of {@code linguaflow streams}: bind and advertised host, internal secret, map cap, stream threads. */
class StreamsCommandTest {

    private static final String[] REQUIRED = {"--bootstrap", "b:9092", "--registry", "http://r", "--state-dir", "/tmp/s"};

    private static StreamsCommand parse(String... args) {
        StreamsCommand c = new StreamsCommand();
        String[] all = new String[REQUIRED.length + args.length];
        System.arraycopy(REQUIRED, 0, all, 0, REQUIRED.length);
        System.arraycopy(args, 0, all, REQUIRED.length, args.length);
        new CommandLine(c).parseArgs(all);
        return c;
    }

    @Test
    void bindsLoopbackAndAdvertisesTheBindHostByDefault() {
        StreamsCommand c = parse();
        assertEquals("127.0.0.1", c.httpHost);
        assertEquals("127.0.0.1", c.advertisedHost());
        assertEquals(QueryService.DEFAULT_MAX_SIMILARITY_SAMPLES, c.maxSimilaritySamples);
        assertEquals("10.0.0.5", parse("--http-host", "10.0.0.5").advertisedHost());
        assertEquals("node-2", parse("--http-host", "0.0.0.0", "--advertised-host", "node-2").advertisedHost());
    }

    @Test
    void aWildcardBindNeedsAnAdvertisedHost() {
        for (String wildcard : new String[] {"0.0.0.0", "::"}) {
            CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                    () -> parse("--http-host", wildcard).advertisedHost());
            assertEquals("--http-host " + wildcard + " listens on every interface: give --advertised-host, the name other instances "
                    + "reach this one by", e.getMessage());
        }
    }

    @Test
    void theInternalSecretIsCheckedAndNeverShown() {
        assertTrue(parse("--internal-secret", "0123456789abcdef").internalSecret().configured());
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> parse("--internal-secret", "hunter2").internalSecret());
        assertTrue(e.getMessage().startsWith("--internal-secret (or LINGUAFLOW_INTERNAL_SECRET): the internal secret must be at least 16"),
                e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        if (System.getenv("LINGUAFLOW_INTERNAL_SECRET") == null) {
            assertFalse(parse().internalSecret().configured(), "none given: a random one, for a single instance");
        }
    }

    @Test
    void streamThreadsAreOnePerCoreUnlessGiven() {
        String threads = StreamsConfig.NUM_STREAM_THREADS_CONFIG;
        assertEquals(2, parse("--stream-threads", "2").streamsConfig(Map.of()).get(threads));
        assertEquals(Runtime.getRuntime().availableProcessors(), parse().streamsConfig(Map.of()).get(threads), "one per core");
        assertEquals("3", parse().streamsConfig(Map.of(threads, "3")).get(threads), "as --kafka-config gave it");
        assertEquals(2, parse("--stream-threads", "2").streamsConfig(Map.of(threads, "3")).get(threads), "the option wins");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--stream-threads", "0").streamsConfig(Map.of()));
        assertEquals("--stream-threads must be >= 1, got 0", e.getMessage());
    }
}
