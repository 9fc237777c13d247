package io.linguaflow.bench.streams;

import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.serde.SerdeConfig;
import io.linguaflow.streams.app.LinguaflowStreams;
import io.linguaflow.streams.app.StreamsConfigs;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.common.Plans;
import io.linguaflow.streams.config.StreamsSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * One streams instance of the bench in a JVM of its own ({@link StreamsJvm} starts it with the bench's classpath), so
 * its heap is its own. The bench drives it by lines on stdin, each answered by one line on stdout:
 * <ul>
 *   <li>{@code running}: waits until the instance is RUNNING, answers {@code running};</li>
 *   <li>{@code plan CHECKPOINT}: waits until the global plans store holds the checkpoint's plan, answers {@code plan};</li>
 *   <li>{@code pause}, {@code resume}: {@link KafkaStreams#pause()} and {@link KafkaStreams#resume()}, answers
 *       {@code paused} and {@code resumed} (the bench's {@code --preload});</li>
 *   <li>{@code stop}, or the end of stdin (the bench died): a full GC, then the instance is closed (leaving the group),
 *       answers {@code stopped LIVE} (used heap after that GC, bytes) and exits 0.</li>
 * </ul>
 * Exits 1 when the instance stops on its own (the reason on stderr) or a wait runs past 2 minutes.
 */
public final class StreamsInstanceMain {

    static final String USAGE = "StreamsInstanceMain --bootstrap B --registry URL --topic-prefix P --state-dir DIR [--no-similarity-map]"
            + " [--stream-threads N]";
    private static final Duration WAIT = Duration.ofMinutes(2);

    private StreamsInstanceMain() {
    }

    /** The bench's streams settings: the defaults on the run's topics, with or without the similarity vectors. */
    static StreamsSettings settings(String topicPrefix, String registryUrl, boolean similarityMap) {
        return StreamsSettings.defaults(new Topics(topicPrefix), Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, registryUrl))
                .withSimilarityVectors(similarityMap);
    }

    static String applicationId(String topicPrefix) {
        return topicPrefix + "streams";
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = null;
        String registry = null;
        String prefix = null;
        Path state = null;
        boolean similarityMap = true;
        int streamThreads = StreamsConfigs.defaultStreamThreads();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--no-similarity-map" -> similarityMap = false;
                case "--stream-threads" -> streamThreads = Integer.parseInt(args[++i]);
                case "--bootstrap" -> bootstrap = args[++i];
                case "--registry" -> registry = args[++i];
                case "--topic-prefix" -> prefix = args[++i];
                case "--state-dir" -> state = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\nusage: " + USAGE);
            }
        }
        if (bootstrap == null || registry == null || prefix == null || state == null) {
            throw new IllegalArgumentException("usage: " + USAGE);
        }
        StreamsSettings settings = settings(prefix, registry, similarityMap);
        Properties props = StreamsConfigs.of(applicationId(prefix), bootstrap, state, null, settings.serdeConfig(), prefix);
        props.put("replication.factor", 1);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        LinguaflowStreams app = new LinguaflowStreams(settings, props);
        app.fatal().thenAccept(reason -> {
            System.err.println("streams instance stopped on its own: " + reason);
            System.exit(1);
        });
        app.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
            if (line.equals("running")) {
                awaitRunning(app.kafkaStreams());
                System.out.println("running");
            } else if (line.startsWith("plan ")) {
                awaitPlan(app.kafkaStreams(), line.substring("plan ".length()));
                System.out.println("plan");
            } else if (line.equals("pause")) {
                app.kafkaStreams().pause();
                System.out.println("paused");
            } else if (line.equals("resume")) {
                app.kafkaStreams().resume();
                System.out.println("resumed");
            } else {
                System.err.println("unknown command: " + line);
                System.exit(1);
            }
        }
        // the live heap at the end, before the close releases the stores' caches
        System.gc();
        long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        app.close();
        System.out.println("stopped " + live);
        System.exit(0);
    }

    private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            failAfter(deadline, "not RUNNING: " + streams.state());
            Thread.sleep(50);
        }
    }

    /** The plan, once the instance serves queries (the other instance's start may still rebalance this one). */
    private static void awaitPlan(KafkaStreams streams, String checkpoint) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                ReadOnlyKeyValueStore<String, CheckpointPlan> plans = streams.store(
                        StoreQueryParameters.fromNameAndType(Plans.STORE, QueryableStoreTypes.keyValueStore()));
                if (plans.get(checkpoint) != null) {
                    return;
                }
            } catch (InvalidStateStoreException rebalancing) {
                // retried below
            }
            failAfter(deadline, "no plan for " + checkpoint);
            Thread.sleep(20);
        }
    }

    private static void failAfter(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            System.err.println(what + " after " + WAIT.toMinutes() + " minutes");
            System.exit(1);
        }
    }
}
