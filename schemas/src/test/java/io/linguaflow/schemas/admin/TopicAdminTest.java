package io.linguaflow.schemas.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.testkit.TestKafka;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
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
}
