package io.linguaflow.streams.app;

import io.linguaflow.schemas.admin.TopicRetention;
import io.linguaflow.schemas.client.KafkaClientProperties;
import io.linguaflow.schemas.failure.Backoff;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.query.QueryService;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * One running instance of the streams application with its interactive-query service (docs/design.md §4): topics
 * ensured, {@link LinguaflowStreams} configured by {@link StreamsConfigs}, the {@link QueryService} serving before the
 * streams start (it answers 503 until they run). Used by {@code linguaflow streams} and the in-JVM pipeline.
 */
public final class StreamsInstance implements AutoCloseable {

    /**
     * Where the instance runs.
     *
     * @param http        host and port other instances reach this one's query service by ({@code application.server},
     *                    the advertised address); the service listens on that port on {@code queries.bindHost()}
     * @param partitions  partitions of the topics this instance creates
     * @param replication replication factor of the topics it creates, and of Kafka Streams' own
     * @param queries     the query service's bind address, internal secret, similarity-map cap and cache
     * @param streamsConfig        more Kafka Streams properties, over those of {@link StreamsConfigs#of} (e.g.
     *                             {@link BoundedRocksDbMemory#MEMORY_BYTES_CONFIG}, and the client properties of
     *                             {@code KafkaClientOptions}, which the admin client creating the topics gets too)
     * @param retention            retention of the topics this instance creates
     */
    public record Options(String applicationId, String bootstrapServers, Path stateDir, HostInfo http, int partitions,
                          short replication, QueryService.Options queries, Map<String, ?> streamsConfig, TopicRetention retention) {

        /** With the {@link TopicRetention#DEFAULTS}. */
        public Options(String applicationId, String bootstrapServers, Path stateDir, HostInfo http, int partitions,
                       short replication, QueryService.Options queries, Map<String, ?> streamsConfig) {
            this(applicationId, bootstrapServers, stateDir, http, partitions, replication, queries, streamsConfig,
                    TopicRetention.DEFAULTS);
        }
    }

    private final LinguaflowStreams streams;
    private final QueryService queries;

    private StreamsInstance(LinguaflowStreams streams, QueryService queries) {
        this.streams = streams;
        this.queries = queries;
    }

    /** Creates the missing topics, then starts the query service and the streams ({@link Backoff#DEFAULT} retries). */
    public static StreamsInstance start(StreamsSettings settings, Options options) throws ExecutionException, InterruptedException {
        return start(settings, options, Backoff.DEFAULT);
    }

    /** As {@link #start(StreamsSettings, Options)}; {@code retry} bounds the retries of transient failures. */
    public static StreamsInstance start(StreamsSettings settings, Options options, Backoff retry)
            throws ExecutionException, InterruptedException {
        Map<String, Object> adminConfig = KafkaClientProperties.only(options.streamsConfig(), AdminClientConfig.configNames());
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        try (Admin admin = Admin.create(adminConfig)) {
            LinguaflowStreams.ensureTopics(admin, settings, options.partitions(), options.replication(), options.retention());
        }
        HostInfo http = options.http();
        Properties props = StreamsConfigs.of(options.applicationId(), options.bootstrapServers(), options.stateDir(),
                http.host() + ":" + http.port(), settings.serdeConfig(), settings.topics().prefix());
        props.put("replication.factor", (int) options.replication());
        props.putAll(options.streamsConfig());
        LinguaflowStreams streams = new LinguaflowStreams(settings, props, retry);
        QueryService queries = null;
        try {
            queries = new QueryService(streams.kafkaStreams(), http, options.queries());
            queries.start();
            streams.start();
            return new StreamsInstance(streams, queries);
        } catch (RuntimeException | Error e) {
            if (queries != null) {
                queries.close();
            }
            streams.close();
            throw e;
        }
    }

    public LinguaflowStreams streams() {
        return streams;
    }

    /** See {@link LinguaflowStreams#fatal()}. */
    public CompletableFuture<String> fatal() {
        return streams.fatal();
    }

    public QueryService queries() {
        return queries;
    }

    /** Stops serving queries, then the streams (which leave the group, so their partitions move at once). */
    @Override
    public void close() {
        try {
            queries.close();
        } finally {
            streams.close();
        }
    }
}
