package io.linguaflow.schemas.admin;

import io.linguaflow.schemas.KafkaEnvironment;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.client.KafkaClientOptions;
import io.linguaflow.schemas.client.KafkaClientProperties;
import io.linguaflow.schemas.deadletter.DeadLetters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the project's topics ({@link Topic}) and waits for a broker. Used by tests and, through {@link #main},
 * by {@code ops/local.sh}. Existing topics are left as they are (changing the partition count of a keyed topic
 * would move keys between partitions).
 */
public final class TopicAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(60);

    private TopicAdmin() {
    }

    /**
     * What {@link #ensureTopics} found or did for one topic.
     *
     * @param retentionMs the topic's {@code retention.ms} as the broker reports it
     * @param warning     why an existing topic's settings differ from what it would be created with (left as they are),
     *                    or null
     */
    public record TopicState(String name, boolean created, int partitions, boolean compacted, long retentionMs, String warning) {
    }

    /** {@link #ensureTopics(Admin, Topics, int, short, TopicRetention)} with the {@link TopicRetention#DEFAULTS}. */
    public static List<TopicState> ensureTopics(Admin admin, Topics topics, int partitions, short replication)
            throws ExecutionException, InterruptedException {
        return ensureTopics(admin, topics, partitions, replication, TopicRetention.DEFAULTS);
    }

    /**
     * Creates every topic of {@code topics} that does not exist yet, with {@code retention.ms} from {@code retention},
     * {@code retention.bytes=-1}, and {@code cleanup.policy=compact} for compacted ones. An existing topic whose
     * retention or cleanup policy differs is not altered (that is the operator's call: {@code kafka-configs --alter});
     * a warning is logged and returned in its {@link TopicState}.
     */
    public static List<TopicState> ensureTopics(Admin admin, Topics topics, int partitions, short replication,
                                                TopicRetention retention) throws ExecutionException, InterruptedException {
        if (partitions < 1 || replication < 1) {
            throw new IllegalArgumentException("partitions and replication must be >= 1, got " + partitions + " and " + replication);
        }
        Set<String> existing = admin.listTopics().names().get();
        Map<String, Boolean> created = new LinkedHashMap<>();
        List<NewTopic> missing = new ArrayList<>();
        for (Topic t : Topic.values()) {
            String name = topics.name(t);
            if (!existing.contains(name)) {
                missing.add(new NewTopic(name, partitions, replication).configs(configs(t, retention)));
            }
            created.put(name, false);
        }
        if (!missing.isEmpty()) {
            Map<String, ? extends org.apache.kafka.common.KafkaFuture<Void>> results = admin.createTopics(missing).values();
            for (Map.Entry<String, ? extends org.apache.kafka.common.KafkaFuture<Void>> r : results.entrySet()) {
                try {
                    r.getValue().get();
                    created.put(r.getKey(), true);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) { // created concurrently: fine
                        throw e;
                    }
                }
            }
        }
        Map<String, TopicDescription> described = awaitLeaders(admin, created.keySet(), LEADER_TIMEOUT);
        Map<String, Config> actual = describeConfigs(admin, created.keySet());
        List<TopicState> states = new ArrayList<>();
        for (Topic t : Topic.values()) {
            String name = topics.name(t);
            Config config = actual.get(name);
            List<String> differences = new ArrayList<>();
            configs(t, retention).forEach((key, wanted) -> {
                ConfigEntry entry = config.get(key);
                if (entry == null || !wanted.equals(entry.value())) {
                    differences.add(key + "=" + (entry == null ? "(unset)" : entry.value()) + " (linguaflow creates it with " + wanted + ")");
                }
            });
            String warning = null;
            if (!differences.isEmpty()) {
                warning = "existing topic " + name + " has " + String.join(", ", differences) + "; left unchanged";
                LOG.warn(warning);
            }
            states.add(new TopicState(name, created.get(name), described.get(name).partitions().size(), t.compacted(),
                    Long.parseLong(config.get(TopicConfig.RETENTION_MS_CONFIG).value()), warning));
        }
        return states;
    }

    /** The configs {@code topic} is created with. */
    static Map<String, String> configs(Topic topic, TopicRetention retention) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(TopicConfig.CLEANUP_POLICY_CONFIG, topic.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
        c.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.retentionMs(topic)));
        c.put(TopicConfig.RETENTION_BYTES_CONFIG, "-1");
        if (topic == Topic.DEAD_LETTERS) { // the original record is kept whole
            c.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(DeadLetters.MAX_RECORD_BYTES));
        }
        return c;
    }

    private static Map<String, Config> describeConfigs(Admin admin, Collection<String> names)
            throws ExecutionException, InterruptedException {
        List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<String, Config> out = new HashMap<>();
        admin.describeConfigs(resources).all().get().forEach((r, c) -> out.put(r.name(), c));
        return out;
    }

    /**
     * Describes {@code names} once the broker's metadata shows every partition with a leader. A topic is announced
     * before its partitions are: producing into it earlier gets NOT_LEADER_OR_FOLLOWER, and an idempotent producer's
     * retry of that first batch can then fail with OUT_OF_ORDER_SEQUENCE_NUMBER (seen on a loaded 2-core machine).
     */
    public static Map<String, TopicDescription> awaitLeaders(Admin admin, Collection<String> names, Duration timeout)
            throws ExecutionException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
                boolean led = described.values().stream()
                        .allMatch(d -> !d.partitions().isEmpty()
                                && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (led) {
                    return described;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + names + " have partitions without a leader after "
                        + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    /** Waits until the cluster answers a metadata request, up to {@code timeout}. */
    public static void awaitCluster(Admin admin, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                admin.describeCluster().nodes().get();
                return;
            } catch (ExecutionException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("Kafka not ready after " + timeout.toSeconds() + " s"
                + (last == null ? "" : ": " + last.getCause()), last);
    }

    private static final String USAGE = String.join("\n",
            "usage: TopicAdmin (wait|create) --bootstrap HOST:PORT [--partitions N] [--replication R] [--prefix P] [--timeout-s S]",
            "                  [--kafka-config-file FILE] [--kafka-config KEY=VALUE]... [--retention CLASS=DURATION]...",
            "  wait    wait until the cluster answers (default 60 s)",
            "  create  create the missing linguaflow topics (default 3 partitions, replication 1, prefix from LINGUAFLOW_TOPIC_PREFIX)",
            "  --kafka-config-file, --kafka-config  Kafka client properties (security), as every linguaflow command takes them",
            "  --retention  requests|activations|results|dead-letters = ISO-8601 duration or 'forever'",
            "               (default requests=P7D activations=P7D results=forever dead-letters=P30D)");

    /** Command line for ops scripts: {@code wait} or {@code create}. Exit status 0 on success, 1 on failure, 2 on bad usage. */
    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** {@link #main} without exiting: returns the exit status. */
    public static int run(String[] args, java.io.PrintStream out, java.io.PrintStream err) throws InterruptedException {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> kafkaConfig = new LinkedHashMap<>();
        Map<String, String> retention = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                err.println("bad argument '" + args[i] + "'\n" + USAGE);
                return 2;
            }
            String name = args[i].substring(2);
            if (name.equals("kafka-config") || name.equals("retention")) {
                int eq = args[i + 1].indexOf('=');
                if (eq < 1) {
                    err.println("--" + name + " wants KEY=VALUE, got '" + args[i + 1] + "'\n" + USAGE);
                    return 2;
                }
                (name.equals("retention") ? retention : kafkaConfig).put(args[i + 1].substring(0, eq), args[i + 1].substring(eq + 1));
            } else {
                options.put(name, args[i + 1]);
            }
        }
        String bootstrap = options.get("bootstrap");
        if (bootstrap == null || !(command.equals("wait") || command.equals("create"))) {
            err.println(USAGE);
            return 2;
        }
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        TopicRetention retentions;
        try {
            String file = options.getOrDefault("kafka-config-file", System.getenv(KafkaClientOptions.CONFIG_FILE_ENV));
            KafkaClientProperties.applyTo(props, KafkaClientProperties.load(file == null ? null : Path.of(file), kafkaConfig));
            retentions = TopicRetention.parse(retention);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        try (Admin admin = Admin.create(props)) {
            awaitCluster(admin, Duration.ofSeconds(Long.parseLong(options.getOrDefault("timeout-s", "60"))));
            if (command.equals("create")) {
                Topics topics = options.containsKey("prefix") ? new Topics(options.get("prefix")) : KafkaEnvironment.fromEnvironment().topics();
                for (TopicState s : ensureTopics(admin, topics, Integer.parseInt(options.getOrDefault("partitions", "3")),
                        Short.parseShort(options.getOrDefault("replication", "1")), retentions)) {
                    out.printf("%-28s %-8s partitions=%d%s retention.ms=%d%n", s.name(), s.created() ? "created" : "exists",
                            s.partitions(), s.compacted() ? " compacted" : "", s.retentionMs());
                    if (s.warning() != null) {
                        err.println("warning: " + s.warning());
                    }
                }
            }
        } catch (RuntimeException | ExecutionException e) {
            err.println("TopicAdmin " + command + " against " + bootstrap + " failed: " + DeadLetters.describe(e));
            return 1;
        }
        return 0;
    }
}
