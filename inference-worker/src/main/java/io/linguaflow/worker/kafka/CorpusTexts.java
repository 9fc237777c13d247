package io.linguaflow.worker.kafka;

import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.failure.Failures;
import io.linguaflow.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import io.linguaflow.schemas.client.KafkaClientProperties;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows of one corpus as the {@code sentences} topic holds them now: the worker has no corpus store, and an
 * ablation request names its corpus only. Reads every partition from the beginning to the end offsets taken at the
 * start (read_committed, no consumer group), keeps the latest row per key ({@code <corpus>|<lang>|<meaningId>},
 * as compaction would) and returns the corpus' rows in index order.
 */
final class CorpusTexts {

    private static final Logger LOG = LoggerFactory.getLogger(CorpusTexts.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private CorpusTexts() {
    }

    static List<Sentence> read(String bootstrapServers, Map<String, String> overrides, String topic,
                               AvroDeserializer<Sentence> values, String corpus, Duration timeout) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaClientProperties.applyTo(config, overrides);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        Map<String, Sentence> latest = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    // retriable (Failures): the worker retries the request instead of dead-lettering it
                    throw new TimeoutException("reading corpus '" + corpus + "' from " + topic + " took more than "
                            + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    Sentence s;
                    try {
                        s = values.deserialize(r.topic(), r.value());
                    } catch (RuntimeException e) { // the producer's problem, already dead-lettered or never valid
                        if (Failures.isTransient(e)) {
                            throw e; // a registry outage: skipping would ablate on part of the corpus
                        }
                        LOG.warn("skipping unreadable sentence at {}-{} offset {}: {}", r.topic(), r.partition(),
                                r.offset(), e.getMessage());
                        continue;
                    }
                    if (s != null && s.getCorpus().equals(corpus)) {
                        latest.put(Keys.sentence(s.getCorpus(), s.getLang(), s.getMeaningId()), s);
                    }
                }
            }
        }
        List<Sentence> rows = new ArrayList<>(latest.values());
        rows.sort(Comparator.comparingInt(Sentence::getIndex));
        return rows;
    }
}
