package io.linguaflow.streams.app;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.admin.TopicAdmin;
import io.linguaflow.schemas.admin.TopicRetention;
import io.linguaflow.schemas.failure.Backoff;
import io.linguaflow.streams.config.StreamsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One instance of the linguaflow streams application ({@link LinguaflowTopology}). Run as many as there are
 * machines: instances with the same {@code application.id} share the partitions, so the layers of one checkpoint
 * spread over them, and each answers interactive queries for what it owns.
 */
public final class LinguaflowStreams implements AutoCloseable {

    private final KafkaStreams streams;
    private final DeadLetterOnDeserializationError.Closer deadLetterProducers = new DeadLetterOnDeserializationError.Closer();
    private final StreamsFailureHandling failures;

    /** With {@link Backoff#DEFAULT} for transient failures. */
    public LinguaflowStreams(StreamsSettings settings, Properties props) {
        this(settings, props, Backoff.DEFAULT);
    }

    /**
     * @param props from {@link StreamsConfigs#of} (not changed: the dead-letter handler's closer goes into a copy)
     * @param retry how stream threads that died of a transient failure are replaced ({@link StreamsFailureHandling})
     */
    public LinguaflowStreams(StreamsSettings settings, Properties props, Backoff retry) {
        Properties withCloser = new Properties();
        withCloser.putAll(props);
        withCloser.put(DeadLetterOnDeserializationError.CLOSER_CONFIG, deadLetterProducers);
        this.streams = new KafkaStreams(LinguaflowTopology.build(settings), withCloser);
        this.failures = new StreamsFailureHandling(props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG), retry);
        failures.install(streams);
    }

    /**
     * Completes, with the reason, when the instance stopped on its own: a permanent failure or transient failures
     * past the back-off's attempts killed its threads. The process should then exit non-zero.
     */
    public CompletableFuture<String> fatal() {
        return failures.fatal();
    }

    /**
     * Creates the project topics and the topics between the topologies ({@code streams-plans}, compacted,
     * {@code streams-layer-partials} and {@code streams-expert-partials}) where missing; Kafka Streams creates its own repartition and changelog topics.
     */
    public static void ensureTopics(Admin admin, StreamsSettings settings, int partitions, short replication)
            throws ExecutionException, InterruptedException {
        ensureTopics(admin, settings, partitions, replication, TopicRetention.DEFAULTS);
    }

    /** As above, with the project topics' retention ({@link TopicAdmin#ensureTopics}); the partials keep the activations'. */
    public static void ensureTopics(Admin admin, StreamsSettings settings, int partitions, short replication,
                                    TopicRetention retention) throws ExecutionException, InterruptedException {
        TopicAdmin.ensureTopics(admin, settings.topics(), partitions, replication, retention);
        Set<String> existing = admin.listTopics().names().get();
        List<NewTopic> missing = new ArrayList<>();
        if (!existing.contains(settings.plansTopic())) {
            missing.add(new NewTopic(settings.plansTopic(), partitions, replication)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        }
        for (String partialsTopic : List.of(settings.layerPartialsTopic(), settings.expertPartialsTopic())) {
            if (!existing.contains(partialsTopic)) {
                missing.add(new NewTopic(partialsTopic, partitions, replication)
                        .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(StreamsConfigs.MAX_RECORD_BYTES),
                                TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.retentionMs(Topic.ACTIVATIONS)),
                                TopicConfig.RETENTION_BYTES_CONFIG, "-1")));
            }
        }
        try {
            admin.createTopics(missing).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) { // another instance created it meanwhile: fine
                throw e;
            }
        }
        // the global store needs the new topics' partitions at start
        TopicAdmin.awaitLeaders(admin, List.of(settings.plansTopic(), settings.layerPartialsTopic(), settings.expertPartialsTopic()),
                Duration.ofSeconds(30));
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams kafkaStreams() {
        return streams;
    }

    /** Stops and leaves the group, so the partitions move to the other instances at once, not after the session timeout. */
    @Override
    public void close() {
        failures.closing();
        try {
            streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true));
        } finally {
            deadLetterProducers.close();
        }
    }
}
