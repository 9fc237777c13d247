package io.linguaflow.schemas.deadletter;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.serde.AvroSerializer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes what a component cannot process to the dead-letter topic and lets it move on. Every consumer loop polls
 * through {@link #poll}: a poison record (one its deserializer rejects) becomes a {@link DeadLetter} naming
 * topic/partition/offset, the consumer seeks past it, and the loop keeps running. A dead letter is acknowledged by
 * the broker before the handler moves on; when the dead-letter topic itself cannot be written the
 * {@link KafkaException} propagates, so nothing is dropped silently.
 */
public final class DeadLetterHandler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private final String component;
    private final String topic;
    private final Producer<byte[], DeadLetter> producer;

    /**
     * @param component who rejects the input (producer, planner, worker, aggregator, ...)
     * @param topic     full name of the dead-letter topic
     * @param producer  writes the dead letters; closed with this handler
     */
    public DeadLetterHandler(String component, String topic, Producer<byte[], DeadLetter> producer) {
        this.component = component;
        this.topic = topic;
        this.producer = producer;
    }

    /**
     * A handler with its own idempotent producer.
     *
     * @param clientConfig at least {@code bootstrap.servers} and {@code schema.registry.url}
     */
    public static DeadLetterHandler create(String component, Topics topics, Map<String, ?> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, component + "-dead-letters");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, DeadLetters.MAX_RECORD_BYTES);
        AvroSerializer<DeadLetter> values = new AvroSerializer<>();
        values.configure(config, false);
        return new DeadLetterHandler(component, topics.name(Topic.DEAD_LETTERS),
                new KafkaProducer<>(config, new ByteArraySerializer(), values));
    }

    public String component() {
        return component;
    }

    /**
     * {@code consumer.poll(timeout)}, except that a record the consumer cannot deserialize is sent to the dead-letter
     * topic, the consumer is positioned after it, and an empty batch is returned (call again; the records after it
     * follow on the next poll).
     */
    public <K, V> ConsumerRecords<K, V> poll(Consumer<K, V> consumer, Duration timeout) {
        try {
            return consumer.poll(timeout);
        } catch (RecordDeserializationException e) {
            handle(e);
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return ConsumerRecords.empty();
        }
    }

    /** Publishes the dead letter of a record that could not be deserialized (does not move any consumer). */
    public DeadLetter handle(RecordDeserializationException e) {
        DeadLetter letter = DeadLetters.fromDeserialization(component, e);
        publish(letter);
        return letter;
    }

    /** Sends {@code letter} (key = the original key bytes) and waits for the broker's acknowledgement. */
    public void publish(DeadLetter letter) {
        LOG.warn("dead letter from {}: {}", component, letter.getError());
        byte[] key = letter.getKey() == null ? null : toArray(letter.getKey());
        try {
            producer.send(new ProducerRecord<>(topic, key, letter)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while writing a dead letter to " + topic + ": " + letter.getError(), e);
        } catch (ExecutionException e) {
            throw new KafkaException("cannot write a dead letter to " + topic + " (" + letter.getError() + ")", e.getCause());
        } catch (KafkaException e) { // serializing it failed, e.g. registry unreachable
            throw new KafkaException("cannot write a dead letter to " + topic + " (" + letter.getError() + "): "
                    + e.getMessage(), e);
        }
    }

    private static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void close() {
        producer.close();
    }
}
