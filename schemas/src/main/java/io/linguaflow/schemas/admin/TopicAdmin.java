package io.linguaflow.schemas.admin;

import io.linguaflow.schemas.KafkaEnvironment;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the project's topics ({@link Topic}) and waits for a broker. Used by tests and, through {@link #main},
 * by {@code ops/local.sh}. Existing topics are left as they are (changing the partition count of a keyed topic
 * would move keys between partitions).
 */
public final class TopicAdmin {

    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(60);

    private TopicAdmin() {
    }

    /** What {@link #ensureTopics} found or did for one topic. */
    public record TopicState(String name, boolean created, int partitions, boolean compacted) {
    }

    /** Creates every topic of {@code topics} that does not exist yet; compacted ones with {@code cleanup.policy=compact}. */
    public static List<TopicState> ensureTopics(Admin admin, Topics topics, int partitions, short replication)
            throws ExecutionException, InterruptedException {
        if (partitions < 1 || replication < 1) {
            throw new IllegalArgumentException("partitions and replication must be >= 1, got " + partitions + " and " + replication);
        }
        Set<String> existing = admin.listTopics().names().get();
        Map<String, Boolean> created = new LinkedHashMap<>();
        List<NewTopic> missing = new ArrayList<>();
        for (Topic t : Topic.values()) {
            String name = topics.name(t);
            if (!existing.contains(name)) {
                NewTopic nt = new NewTopic(name, partitions, replication);
                if (t.compacted()) {
                    nt.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                }
                missing.add(nt);
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
        List<TopicState> states = new ArrayList<>();
        for (Topic t : Topic.values()) {
            String name = topics.name(t);
            states.add(new TopicState(name, created.get(name), described.get(name).partitions().size(), t.compacted()));
        }
        return states;
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
            "  wait    wait until the cluster answers (default 60 s)",
            "  create  create the missing linguaflow topics (default 3 partitions, replication 1, prefix from LINGUAFLOW_TOPIC_PREFIX)");

    /** Command line for ops scripts: {@code wait} or {@code create}. Exit status 0 on success, 1 on failure, 2 on bad usage. */
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        String command = args[0];
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("bad argument '" + args[i] + "'\n" + USAGE);
                System.exit(2);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        String bootstrap = options.get("bootstrap");
        if (bootstrap == null || !(command.equals("wait") || command.equals("create"))) {
            System.err.println(USAGE);
            System.exit(2);
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        try (Admin admin = Admin.create(props)) {
            awaitCluster(admin, Duration.ofSeconds(Long.parseLong(options.getOrDefault("timeout-s", "60"))));
            if (command.equals("create")) {
                Topics topics = options.containsKey("prefix") ? new Topics(options.get("prefix")) : KafkaEnvironment.fromEnvironment().topics();
                for (TopicState s : ensureTopics(admin, topics, Integer.parseInt(options.getOrDefault("partitions", "3")),
                        Short.parseShort(options.getOrDefault("replication", "1")))) {
                    System.out.printf("%-28s %-8s partitions=%d%s%n", s.name(), s.created() ? "created" : "exists",
                            s.partitions(), s.compacted() ? " compacted" : "");
                }
            }
        } catch (RuntimeException | ExecutionException e) {
            System.err.println("TopicAdmin " + command + " against " + bootstrap + " failed: " + e.getMessage());
            System.exit(1);
        }
    }
}
