package io.linguaflow.streams.testkit;

import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.app.StreamsConfigs;
import io.linguaflow.streams.config.StreamsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** {@link TopologyTestDriver} plumbing: settings against the real test registry, typed topics, state copies. */
public final class Drivers {

    public static final Duration INTERIM = Duration.ofSeconds(10);

    private Drivers() {
    }

    /**
     * In-memory stores: the driver commits after every record, and a RocksDB commit flushes the memtables to a new SST
     * file (about 50 ms a record here). Restart tests use {@link #rocksDbSettings()}.
     */
    public static StreamsSettings settings() {
        return rocksDbSettings().withStoreKind(StreamsSettings.StoreKind.IN_MEMORY);
    }

    public static StreamsSettings rocksDbSettings() {
        return StreamsSettings.defaults(Topics.unprefixed(), TestRegistry.shared().serdeConfig()).withInterimInterval(INTERIM);
    }

    /** The application's own streams config (EOS v2 included), with the state in {@code stateDir}. */
    public static Properties props(Path stateDir) {
        Properties p = StreamsConfigs.of("linguaflow-test", "dummy:9092", stateDir, null, TestRegistry.shared().serdeConfig(), "");
        // its dead-letter producer needs a broker; the embedded-broker tests cover it
        p.remove(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG);
        return p;
    }

    public static <T extends SpecificRecord> TestInputTopic<String, T> input(TopologyTestDriver driver, String topic, Class<T> type) {
        return driver.createInputTopic(topic, Serdes.String().serializer(), settings().valueSerde(type).serializer());
    }

    public static <T extends SpecificRecord> TestOutputTopic<String, T> output(TopologyTestDriver driver, String topic, Class<T> type) {
        return driver.createOutputTopic(topic, Serdes.String().deserializer(), settings().valueSerde(type).deserializer());
    }

    public static TestOutputTopic<byte[], DeadLetter> deadLetters(TopologyTestDriver driver) {
        return driver.createOutputTopic(settings().topic(io.linguaflow.schemas.Topic.DEAD_LETTERS), Serdes.ByteArray().deserializer(),
                settings().valueSerde(DeadLetter.class).deserializer());
    }

    /**
     * Copies a live driver's state directory: {@link TopologyTestDriver#close()} deletes its state, so a "restarted"
     * driver is opened on a copy taken after the last record was processed (and committed, which flushes RocksDB).
     */
    public static void copy(Path from, Path to) {
        try {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(to.resolve(from.relativize(dir)));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (!file.getFileName().toString().endsWith(".lock")) {
                        Files.copy(file, to.resolve(from.relativize(file)));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
