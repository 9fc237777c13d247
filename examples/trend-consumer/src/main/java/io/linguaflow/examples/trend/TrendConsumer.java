package io.linguaflow.examples.trend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.AblationTable;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.serde.SerdeConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A downstream consumer of linguaflow, using nothing but the topics: reads {@code metrics} and {@code ablation-tables}
 * from the beginning to their current end (plain {@link KafkaConsumer}, no group, read_committed; values through the
 * project's {@link AvroDeserializer} and the schema registry) and prints each model's trend as JSON: per checkpoint by
 * training step its latest metrics (LRDS, SADS, SKLR, key-neuron counts) and, when its Table 1 is out, each language's
 * perplexity increase with its own key region deactivated and with a random set of the same size.
 *
 * <pre>java -cp ... io.linguaflow.examples.trend.TrendConsumer --bootstrap HOST:PORT --registry URL [--topic-prefix P]</pre>
 */
public final class TrendConsumer {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TrendConsumer() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** The command line: 0 with the trend on {@code out}, 2 with a usage error on {@code err}. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("--topic-prefix", ""));
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        if (args.length % 2 != 0 || !options.containsKey("--bootstrap") || !options.containsKey("--registry")) {
            err.println("usage: TrendConsumer --bootstrap HOST:PORT --registry URL [--topic-prefix P]");
            return 2;
        }
        ObjectNode trend = rebuild(options.get("--bootstrap"), options.get("--registry"), new Topics(options.get("--topic-prefix")));
        out.println(JSON.writeValueAsString(trend));
        return 0;
    }

    /** {@code {"models": {model: [point by step, ...]}}} from what the two topics hold now. */
    public static ObjectNode rebuild(String bootstrap, String registry, Topics topics) {
        Map<String, Metrics> metrics = new TreeMap<>();
        Map<String, AblationTable> tables = new TreeMap<>();
        Map<String, Object> serde = Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, registry);
        AvroDeserializer<Metrics> metricsValues = new AvroDeserializer<>(Metrics.class);
        metricsValues.configure(serde, false);
        AvroDeserializer<AblationTable> tableValues = new AvroDeserializer<>(AblationTable.class);
        tableValues.configure(serde, false);
        String metricsTopic = topics.name(Topic.METRICS);
        String tablesTopic = topics.name(Topic.ABLATION_TABLES);
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(metricsTopic, tablesTopic)) {
                consumer.partitionsFor(topic, TIMEOUT).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    if (r.topic().equals(metricsTopic)) {
                        Metrics m = metricsValues.deserialize(r.topic(), r.value());
                        metrics.put(m.getCheckpointId(), m); // interim records come first; the final one last (one key, one partition)
                    } else {
                        AblationTable t = tableValues.deserialize(r.topic(), r.value());
                        tables.put(t.getCheckpointId(), t);
                    }
                }
            }
        }
        return trend(metrics, tables);
    }

    private static ObjectNode trend(Map<String, Metrics> metrics, Map<String, AblationTable> tables) {
        Map<String, List<Metrics>> byModel = new TreeMap<>();
        metrics.values().forEach(m -> byModel.computeIfAbsent(m.getModel(), x -> new ArrayList<>()).add(m));
        ObjectNode out = JSON.createObjectNode();
        ObjectNode models = out.putObject("models");
        byModel.forEach((model, points) -> {
            points.sort(Comparator.comparing((Metrics m) -> m.getStep() == null ? Long.MAX_VALUE : m.getStep())
                    .thenComparing(Metrics::getCheckpointId));
            ArrayNode a = models.putArray(model);
            for (Metrics m : points) {
                ObjectNode p = a.addObject();
                p.put("checkpointId", m.getCheckpointId());
                if (m.getStep() == null) {
                    p.putNull("step");
                } else {
                    p.put("step", m.getStep());
                }
                p.put("complete", m.getComplete());
                p.put("lrds", m.getLrds());
                p.put("sads", m.getSads());
                p.put("sklr", m.getSklr());
                p.put("sklrFraction", m.getSklrFraction());
                p.set("keyNeuronCounts", JSON.valueToTree(m.getKeyNeuronCounts()));
                AblationTable t = tables.get(m.getCheckpointId());
                if (t != null) {
                    ObjectNode table = p.putObject("table1");
                    ObjectNode own = table.putObject("ownRegionIncreasePct");
                    ObjectNode random = table.putObject("randomIncreasePct");
                    for (String lang : t.getLanguages()) {
                        own.put(lang, t.getIncreasePct().get(lang).get(lang));
                        Map<String, Double> r = t.getRandomIncreasePct().get(lang);
                        if (r != null) {
                            random.put(lang, r.get(lang));
                        }
                    }
                    table.put("evalCorpus", t.getEvalCorpus());
                    table.put("randomSeed", t.getRandomSeed());
                }
            }
        });
        return out;
    }
}
