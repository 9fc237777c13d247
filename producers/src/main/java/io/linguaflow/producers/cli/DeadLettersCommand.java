package io.linguaflow.producers.cli;

import io.linguaflow.producers.kafka.TopicReader;
import io.linguaflow.schemas.KafkaEnvironment;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.serde.AvroDeserializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dead-letters}: prints the {@code dead-letters} topic, one tab-separated line per letter: when, component,
 * where it came from (topic/partition@offset or the input's name), the original key, the error class and the message.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = {"Print the dead-letters topic, one line per letter: failedAt, component, source (topic/partition@offset",
            "or file:line / checkpoint dir), original key, error class, message. Reads from the start to the current end."})
public final class DeadLettersCommand extends ProducerCommand {

    @Option(names = "--component", paramLabel = "NAME",
            description = "only letters of this component: worker, planner, streams, aggregator, producer, ...")
    String component;

    @Option(names = "--timeout", defaultValue = "PT60S", description = "how long to read (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    int run() {
        KafkaEnvironment kafka = kafka();
        String topic = kafka.topics().name(Topic.DEAD_LETTERS);
        AvroDeserializer<DeadLetter> values = new AvroDeserializer<>(DeadLetter.class);
        values.configure(clientConfig(kafka), false);
        int[] printed = {0};
        TopicReader.readToEnd(clientConfig(kafka), topic, timeout, r -> {
            DeadLetter d = values.deserialize(r.topic(), r.value());
            if (d == null || component != null && !component.equals(d.getComponent())) {
                return;
            }
            String source = d.getSourceTopic() != null
                    ? d.getSourceTopic() + "/" + d.getSourcePartition() + "@" + d.getSourceOffset() : d.getInput();
            String key = d.getKey() == null ? "-" : StandardCharsets.UTF_8.decode(d.getKey().duplicate()).toString();
            out().println(String.join("\t", d.getFailedAt().toString(), d.getComponent(), String.valueOf(source), key,
                    d.getErrorClass(), d.getError().replace('\n', ' ')));
            printed[0]++;
        });
        out().flush();
        err().println(printed[0] + " dead letter(s) on " + topic);
        err().flush();
        return 0;
    }
}
