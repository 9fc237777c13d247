package io.linguaflow.schemas.testkit;

import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.admin.TopicAdmin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node KRaft cluster (combined broker + controller) in this JVM, from Kafka's
 * {@code KafkaClusterTestKit}. {@link #shared()} gives one cluster per test JVM (started on first use, stopped when the
 * test run ends, see {@link SharedServicesShutdown}); {@link #start()} a private one to close yourself. Internal topics use replication factor 1.
 * Other modules need the test dependency {@code org.apache.kafka:kafka-test-common-runtime} next to the schemas
 * test-jar.
 */
public final class TestKafka implements AutoCloseable {

    private static TestKafka shared;

    private final KafkaClusterTestKit cluster;

    private TestKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** The JVM-wide cluster. */
    public static synchronized TestKafka shared() {
        if (shared == null) {
            shared = start();
            // normally closed earlier, when the test run ends (SharedServicesShutdown); this is the fallback
            Runtime.getRuntime().addShutdownHook(new Thread(TestKafka::closeShared, "test-kafka-shutdown"));
        }
        return shared;
    }

    /** Stops the shared cluster if one was started; a later {@link #shared()} starts a new one. */
    static synchronized void closeShared() {
        if (shared != null) {
            TestKafka cluster = shared;
            shared = null;
            cluster.close();
        }
    }

    /** A new cluster, ready for clients. */
    public static TestKafka start() {
        return start(SecurityProtocol.PLAINTEXT);
    }

    /**
     * A new cluster whose broker listener takes only SASL/PLAIN ({@code SASL_PLAINTEXT}); its users are
     * {@value #SASL_USER} / {@value #SASL_PASSWORD} (and the kit's admin). Clients need {@link #saslClientProperties}.
     */
    public static TestKafka startSasl() {
        return start(SecurityProtocol.SASL_PLAINTEXT);
    }

    /** A user of {@link #startSasl()}'s broker (Kafka's test kit defines it). */
    public static final String SASL_USER = "plain-user1";
    public static final String SASL_PASSWORD = "plain-user1-secret";

    /** The client properties that log in to {@link #startSasl()}'s broker as {@code user}. */
    public static Map<String, String> saslClientProperties(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    /** Writes {@code properties} as a Java properties file (what {@code --kafka-config-file} reads); returns {@code file}. */
    public static Path writeProperties(Map<String, String> properties, Path file) throws IOException {
        StringBuilder text = new StringBuilder();
        properties.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        return Files.writeString(file, text);
    }

    private static TestKafka start(SecurityProtocol protocol) {
        try {
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBrokerSecurityProtocol(protocol)
                    .setControllerSecurityProtocol(protocol)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "1")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    // with SASL the kit turns the authorizer on: authenticated users may do anything (no ACLs here)
                    .setConfigProp("allow.everyone.if.no.acl.found", "true")
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new TestKafka(cluster);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the in-JVM KRaft cluster: " + e, e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** {@code bootstrap.servers} and nothing else. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return config;
    }

    /**
     * Idempotent producer, acks=all, one request in flight: a batch refused while a fresh partition's leadership settles
     * (NOT_LEADER_OR_FOLLOWER on a loaded machine) is then retried before any later batch is sent. With several in
     * flight, the later ones could land first and the retry fall outside the broker's window of recent sequences,
     * refused as OUT_OF_ORDER_SEQUENCE_NUMBER forever (seen with five builds sharing two cores).
     */
    public Map<String, Object> producerConfig() {
        Map<String, Object> config = clientConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return config;
    }

    /** A consumer in a fresh group reading from the earliest offset, read_committed. */
    public Map<String, Object> consumerConfig() {
        Map<String, Object> config = clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return config;
    }

    public Admin admin() {
        Properties props = new Properties();
        props.putAll(clientConfig());
        return Admin.create(props);
    }

    /** Creates all project topics (under {@code topics}' prefix) with {@code partitions} partitions. */
    public void createProjectTopics(Topics topics, int partitions) {
        try (Admin admin = admin()) {
            TopicAdmin.ensureTopics(admin, topics, partitions, (short) 1);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the project topics with prefix '" + topics.prefix() + "': " + e, e);
        }
    }

    /** Creates plain topics with replication factor 1. */
    public void createTopics(int partitions, String... names) {
        try (Admin admin = admin()) {
            admin.createTopics(java.util.Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList())
                    .all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics " + List.of(names) + ": " + e, e);
        }
    }

    /**
     * Stops the broker and starts it again on the same log directories and listener port (the kit binds each listener
     * to a fixed port chosen at build time); the KRaft controller of the combined node stays up. Waits until the broker
     * is ready for clients again, with {@code downFor} between stop and start.
     */
    public void restartBroker(java.time.Duration downFor) {
        try {
            for (kafka.server.BrokerServer broker : cluster.brokers().values()) {
                broker.shutdown();
                broker.awaitShutdown();
            }
            for (String address : bootstrapServers().split(",")) { // really down: its listener refuses connections
                int colon = address.lastIndexOf(':');
                try (java.net.Socket socket = new java.net.Socket()) {
                    socket.connect(new java.net.InetSocketAddress(address.substring(0, colon),
                            Integer.parseInt(address.substring(colon + 1))), 1000);
                    throw new IllegalStateException("the stopped broker still accepts connections on " + address);
                } catch (IOException expected) {
                    // refused: the listener is closed
                }
            }
            Thread.sleep(downFor.toMillis());
            for (kafka.server.BrokerServer broker : cluster.brokers().values()) {
                broker.startup();
            }
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            throw new IllegalStateException("cannot restart the in-JVM broker: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the in-JVM KRaft cluster: " + e, e);
        }
    }
}
