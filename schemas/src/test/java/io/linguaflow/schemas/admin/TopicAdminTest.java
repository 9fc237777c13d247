package io.linguaflow.schemas.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.deadletter.DeadLetters;
import io.linguaflow.schemas.testkit.TestKafka;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicAdminTest {

    @Test
    void createsEveryTopicOnceWithCompaction() throws Exception {
        Topics topics = new Topics("ta-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        try (Admin admin = TestKafka.shared().admin()) {
            List<TopicAdmin.TopicState> first = TopicAdmin.ensureTopics(admin, topics, 3, (short) 1);
            assertEquals(Topic.values().length, first.size());
            assertTrue(first.stream().allMatch(s -> s.created() && s.partitions() == 3), first.toString());

            List<TopicAdmin.TopicState> again = TopicAdmin.ensureTopics(admin, topics, 5, (short) 1);
            assertTrue(again.stream().noneMatch(TopicAdmin.TopicState::created), again.toString());
            assertTrue(again.stream().allMatch(s -> s.partitions() == 3), "existing topics are left as they are");

            for (Topic t : Topic.values()) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topics.name(t));
                Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(resource)).all().get();
                String policy = configs.get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
                assertEquals(t.compacted() ? "compact" : "delete", policy, topics.name(t));
            }
            assertFalse(admin.listTopics().names().get().contains(topics.name(Topic.SENTENCES) + "x"));
        }
    }

    @Test
    void topicsAreCreatedWithExplicitRetentionAndExistingOnesAreReportedNotAltered() throws Exception {
        Topics topics = new Topics("tr-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        TopicRetention retention = TopicRetention.parse(Map.of("results", "P90D", "dead-letters", "forever"));
        try (Admin admin = TestKafka.shared().admin()) {
            // an activations topic someone created before, with the broker's retention overridden to one hour
            admin.createTopics(List.of(new NewTopic(topics.name(Topic.ACTIVATIONS), 1, (short) 1)
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "3600000")))).all().get();

            List<TopicAdmin.TopicState> states = TopicAdmin.ensureTopics(admin, topics, 2, (short) 1, retention);

            long day = 24L * 3600 * 1000;
            Map<Topic, Long> expected = new EnumMap<>(Topic.class);
            for (Topic t : Topic.values()) {
                expected.put(t, switch (t) {
                    case INFERENCE_REQUESTS, ABLATION_REQUESTS, EVAL_REQUESTS, GENERATION_REQUESTS -> 7 * day;
                    case ACTIVATIONS -> 3_600_000L; // existing: left as it was
                    case METRICS, KEY_REGIONS, NEURON_TYPES, PROGRESS, ABLATION_RESULTS, EVAL_RESULTS, GENERATION_RESULTS,
                         PROBE_RESULTS, EXPERT_NEURONS -> 90 * day;
                    case DEAD_LETTERS, SENTENCES, CHECKPOINTS, ABLATION_TABLES -> -1L;
                });
            }
            for (Topic t : Topic.values()) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topics.name(t));
                Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
                assertEquals(expected.get(t), Long.parseLong(config.get(TopicConfig.RETENTION_MS_CONFIG).value()), topics.name(t));
                assertEquals("-1", config.get(TopicConfig.RETENTION_BYTES_CONFIG).value(), topics.name(t));
                TopicAdmin.TopicState state = states.stream().filter(s -> s.name().equals(topics.name(t))).findFirst().orElseThrow();
                assertEquals(expected.get(t), state.retentionMs(), state.toString());
                if (t == Topic.ACTIVATIONS) {
                    assertFalse(state.created());
                    assertEquals("existing topic " + topics.name(t) + " has retention.ms=3600000 (linguaflow creates it with "
                            + 7 * day + "); left unchanged", state.warning());
                } else {
                    assertTrue(state.created() && state.warning() == null, state.toString());
                }
            }
            ConfigResource dl = new ConfigResource(ConfigResource.Type.TOPIC, topics.name(Topic.DEAD_LETTERS));
            assertEquals(Integer.toString(DeadLetters.MAX_RECORD_BYTES),
                    admin.describeConfigs(List.of(dl)).all().get().get(dl).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value());
        }
    }

    @Test
    void retentionOptionsAreChecked() {
        assertEquals(TopicRetention.DEFAULTS, TopicRetention.parse(Map.of()));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> TopicRetention.parse(Map.of("metrics", "P1D")));
        assertEquals("--retention: unknown topic class 'metrics' (known: [requests, activations, results, dead-letters])",
                unknown.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> TopicRetention.parse(Map.of("requests", "7 days")));
        assertEquals("--retention requests=7 days: not an ISO-8601 duration like P7D or PT12H, nor forever", bad.getMessage());
    }
}
