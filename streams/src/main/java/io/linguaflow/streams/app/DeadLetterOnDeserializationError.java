package io.linguaflow.streams.app;

import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.deadletter.DeadLetterHandler;
import io.linguaflow.schemas.deadletter.DeadLetters;
import io.linguaflow.schemas.client.KafkaClientProperties;
import io.linguaflow.schemas.failure.Failures;
import io.linguaflow.schemas.serde.SerdeConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record no serde can read (not Avro in the wire format, unknown schema id, ...) becomes a {@code DeadLetter} naming
 * its topic, partition and offset, and the application moves on. The dead letter is written by its own idempotent
 * producer and acknowledged before processing continues (outside the processing transaction: a crash right after
 * may write it twice, never lose it); when it cannot be written the application stops rather than drop the record.
 * The producer opens with the first unreadable record and is closed by {@link LinguaflowStreams#close}, which hands
 * its closer to this handler through {@link #CLOSER_CONFIG} (a handler has no close step of its own).
 *
 * <p>A transient failure ({@link Failures}: the registry unreachable or answering 5xx while the writer schema is
 * fetched) is not the record's fault: the handler answers FAIL, which kills the stream thread, and
 * {@link StreamsFailureHandling} replaces it after a back-off, so the same record is read again from the last commit
 * once the registry is back. CONTINUE would lose a valid record, and a dead letter would make it look bad.
 */
public final class DeadLetterOnDeserializationError implements DeserializationExceptionHandler {

    /** Streams config key carrying the topic prefix to this handler. */
    public static final String TOPIC_PREFIX_CONFIG = "linguaflow.topic.prefix";
    /** Streams config key carrying the {@link Closer} the handler registers its producer with. */
    static final String CLOSER_CONFIG = "linguaflow.dead-letters.closer";

    /** Closes the dead-letter producers that the handlers of one {@link LinguaflowStreams} opened. */
    static final class Closer implements AutoCloseable {

        private final List<DeadLetterHandler> opened = new ArrayList<>();

        synchronized void register(DeadLetterHandler handler) {
            opened.add(handler);
        }

        @Override
        public synchronized void close() {
            opened.forEach(DeadLetterHandler::close);
            opened.clear();
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterOnDeserializationError.class);

    private Map<String, Object> client;
    private Topics topics;
    private Closer closer;
    private DeadLetterHandler deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        // what the application's own producers get: the common client settings (bootstrap, security), the
        // producer-prefixed ones, and the registry's for the serde
        Map<String, Object> client = KafkaClientProperties.only(configs, ProducerConfig.configNames());
        configs.forEach((k, v) -> {
            String name = k.substring(k.startsWith(StreamsConfig.PRODUCER_PREFIX) ? StreamsConfig.PRODUCER_PREFIX.length() : 0);
            if (k.startsWith(StreamsConfig.PRODUCER_PREFIX) && ProducerConfig.configNames().contains(name)) {
                client.put(name, v);
            }
        });
        client.putAll(KafkaClientProperties.registryConfig(configs));
        client.put("client.id", configs.get(StreamsConfig.APPLICATION_ID_CONFIG) + "-dead-letters");
        Object prefix = configs.get(TOPIC_PREFIX_CONFIG);
        this.client = client;
        this.topics = new Topics(prefix == null ? "" : prefix.toString());
        this.closer = configs.get(CLOSER_CONFIG) instanceof Closer c ? c : null;
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (Failures.isTransient(exception)) {
            LOG.warn("transient failure deserialising topic {} partition {} offset {}: {}; not a dead letter: the thread "
                    + "fails and is replaced, the record is read again", record.topic(), record.partition(), record.offset(),
                    DeadLetters.describe(exception));
            return DeserializationHandlerResponse.FAIL;
        }
        try {
            deadLetters().publish(DeadLetters.forRecord("streams", record.topic(), record.partition(), record.offset(), record.key(),
                    record.value(), exception));
            return DeserializationHandlerResponse.CONTINUE;
        } catch (KafkaException e) {
            return DeserializationHandlerResponse.FAIL;
        }
    }

    private synchronized DeadLetterHandler deadLetters() {
        if (deadLetters == null) {
            deadLetters = DeadLetterHandler.create("streams", topics, client);
            if (closer != null) {
                closer.register(deadLetters);
            }
        }
        return deadLetters;
    }
}
