package io.linguaflow.producers.kafka;

import io.linguaflow.producers.Rejection;
import io.linguaflow.producers.corpus.CorpusResult;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.AblationRequest;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.EvalRequest;
import io.linguaflow.schemas.avro.GenerationRequest;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.deadletter.DeadLetterHandler;
import io.linguaflow.schemas.serde.AvroSerializer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes what the producers read: sentences, checkpoint events and requests to their topics (Avro values in the
 * Confluent wire format, string keys), and every {@link Rejection} to {@code dead-letters}. Every send is awaited,
 * so a method returns only when the broker has the records (idempotent producer, acks=all): re-running a command
 * overwrites compacted keys and never loses a record silently.
 */
public final class RecordPublisher implements AutoCloseable {

    private final Topics topics;
    private final KafkaProducer<String, SpecificRecord> producer;
    private final DeadLetterHandler deadLetters;
    private final Clock clock;

    /**
     * @param clientConfig at least {@code bootstrap.servers} and {@code schema.registry.url}
     */
    public RecordPublisher(Topics topics, Map<String, ?> clientConfig, Clock clock) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "linguaflow-producer");
        AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
        values.configure(config, false);
        this.topics = topics;
        this.producer = new KafkaProducer<>(config, new StringSerializer(), values);
        this.deadLetters = DeadLetterHandler.create(Rejection.COMPONENT, topics, config);
        this.clock = clock;
    }

    /** What a publish call delivered. */
    public record Published(int records, int deadLetters) {
    }

    /** The corpus' sentences to {@code sentences} (key {@code <corpus>|<lang>|<meaningId>}), its rejected rows to dead letters. */
    public Published corpus(CorpusResult corpus) {
        List<Future<RecordMetadata>> sent = new ArrayList<>(corpus.sentences().size());
        for (Sentence s : corpus.sentences()) {
            Future<RecordMetadata> f = send(Topic.SENTENCES, Keys.sentence(s.getCorpus(), s.getLang(), s.getMeaningId()), s);
            sent.add(f);
            if (f.isDone()) {
                // a send that failed before reaching the accumulator (no metadata within max.block.ms: broker
                // unreachable) fails the whole corpus now, not after one such wait per sentence
                await(List.of(f), Topic.SENTENCES);
            }
        }
        await(sent, Topic.SENTENCES);
        return new Published(sent.size(), rejections(corpus.rejected()));
    }

    /** A landed checkpoint to {@code checkpoints} (key = checkpointId). */
    public void checkpoint(CheckpointEvent event) {
        await(List.of(send(Topic.CHECKPOINTS, event.getCheckpointId(), event)), Topic.CHECKPOINTS);
    }

    /** An ablation request to {@code ablation-requests} (key = requestId). */
    public void ablation(AblationRequest request) {
        await(List.of(send(Topic.ABLATION_REQUESTS, request.getRequestId(), request)), Topic.ABLATION_REQUESTS);
    }

    /** An evaluation request to {@code eval-requests} (key = requestId). */
    public void eval(EvalRequest request) {
        await(List.of(send(Topic.EVAL_REQUESTS, request.getRequestId(), request)), Topic.EVAL_REQUESTS);
    }

    /** A generation request to {@code generation-requests} (key = requestId). */
    public void generation(GenerationRequest request) {
        await(List.of(send(Topic.GENERATION_REQUESTS, request.getRequestId(), request)), Topic.GENERATION_REQUESTS);
    }

    /** Inputs that could not become records, to {@code dead-letters}; returns how many. */
    public int rejections(List<Rejection> rejected) {
        for (Rejection r : rejected) {
            deadLetters.publish(r.toDeadLetter(clock.instant()));
        }
        return rejected.size();
    }

    private Future<RecordMetadata> send(Topic topic, String key, SpecificRecord value) {
        return producer.send(new ProducerRecord<>(topics.name(topic), key, value));
    }

    private void await(List<Future<RecordMetadata>> sent, Topic topic) {
        try {
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while publishing to " + topics.name(topic), e);
        } catch (ExecutionException e) {
            throw new KafkaException("cannot publish to " + topics.name(topic) + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
        deadLetters.close();
    }
}
