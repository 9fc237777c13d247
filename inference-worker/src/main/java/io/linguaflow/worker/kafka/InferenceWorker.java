package io.linguaflow.worker.kafka;

import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.AblationRequest;
import io.linguaflow.schemas.avro.AblationResult;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.EvalRequest;
import io.linguaflow.schemas.avro.EvalResult;
import io.linguaflow.schemas.avro.GenerationRequest;
import io.linguaflow.schemas.avro.GenerationResult;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.schemas.client.KafkaClientProperties;
import io.linguaflow.schemas.deadletter.DeadLetters;
import io.linguaflow.schemas.failure.Backoff;
import io.linguaflow.schemas.failure.Failures;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.serde.SerdeConfig;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.MultipleChoice.Question;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka inference worker: consumes {@code inference-requests}, runs each batch of samples through its checkpoint
 * and produces one {@link ActivationRecord} per (checkpoint, sample, layer) to {@code activations}, exactly once.
 *
 * <p>Transactions (consume–process–produce): every poll (at most {@link WorkerSettings#requestsPerTransaction}
 * requests) is one transaction holding all its activation records, its dead letters and the consumer offsets
 * ({@code sendOffsetsToTransaction} with the group metadata, so a zombie consumer cannot commit). The consumer reads
 * {@code read_committed} and never auto-commits; it is only polled between transactions, so a rebalance never
 * revokes a partition with work in flight. When anything fails before the commit, the transaction is aborted and
 * the consumer rewound to the first record of the poll: the batch is redone whole. A process that dies mid-batch
 * leaves an open transaction that its restarted instance (same {@code transactional.id}) aborts in
 * {@code initTransactions}, or the broker after {@code transaction.timeout.ms}. {@link #stop()} aborts the open
 * transaction: a clean shutdown commits nothing half-done.
 *
 * <p>The same loop serves {@code ablation-requests}: the request's corpus is read from the {@code sentences} topic
 * ({@link CorpusTexts}) and one {@link AblationResult} (key = requestId) goes to {@code ablation-results} in the
 * transaction ({@link Ablations}). And {@code eval-requests}: multiple-choice accuracy per language on the task data
 * configured with {@link WorkerSettings#evalData()}, one {@link EvalResult} (key = requestId) to {@code eval-results}
 * ({@link Evals}). And {@code generation-requests}: text generated from a prompt, one {@link GenerationResult} (key =
 * requestId) to {@code generation-results} ({@link Generations}). The worker keeps no history of requests: a request
 * record consumed twice (the same requestId produced twice) is answered twice, with equal values; readers keep the
 * latest result per key.
 *
 * <p>Within a poll, requests are processed grouped by checkpoint (first appearance order), so each model is
 * fetched from the {@link ModelCache} once per poll.
 *
 * <p>Transient failures ({@link Failures}: registry or broker unavailable, a timeout, out of memory) are not the
 * request's fault: the transaction is aborted, the consumer rewound, and the batch redone after the {@link Backoff}
 * delay; nothing is dead-lettered and no checkpoint is marked FAILED. After {@link Backoff#maxAttempts()} failed
 * attempts in a row the worker stops with an error (the process exits 1), leaving the batch uncommitted for a
 * restarted worker.
 *
 * <p>Bad input never stops the worker: a record that does not deserialize, a request with no samples, malformed
 * or duplicate sample ids, blank or over-long texts, a missing or broken checkpoint directory each become one
 * dead letter (original key and value bytes, topic/partition/offset, the reason) inside the same transaction, so
 * dead letters are exactly-once too. The shared {@code DeadLetterHandler} is not used for the poison records here
 * because its own idempotent producer would commit the dead letter outside this transaction.
 */
public final class InferenceWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceWorker.class);

    /** {@code DeadLetter.component} of this worker. */
    public static final String COMPONENT = "worker";

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration CLOSE = Duration.ofSeconds(10);
    private static final Duration CORPUS_TIMEOUT = Duration.ofSeconds(60);

    private final WorkerSettings settings;
    private final String requestTopic;
    private final String activationTopic;
    private final String ablationTopic;
    private final String ablationResultTopic;
    private final String evalTopic;
    private final String evalResultTopic;
    private final String generationTopic;
    private final String generationResultTopic;
    private final String sentenceTopic;
    private final String deadLetterTopic;
    private final String progressTopic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], SpecificRecord> producer;
    /** The request deserializer of each consumed topic. */
    private final Map<String, AvroDeserializer<? extends SpecificRecord>> requestTypes;
    private final AvroDeserializer<Sentence> sentences;
    private final ModelCache models;
    private final Backoff retry;
    /** Failed attempts in a row at the current batch (transient failures); reset by every commit. */
    private int failedAttempts;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean running = true;

    /** Creates the clients (nothing is contacted before {@link #run()}), retrying with {@link Backoff#DEFAULT}. */
    public InferenceWorker(WorkerSettings settings) {
        this(settings, Backoff.DEFAULT);
    }

    /** Creates the clients; {@code retry} bounds the retries of transient failures. */
    public InferenceWorker(WorkerSettings settings, Backoff retry) {
        this.settings = settings;
        this.retry = retry;
        this.requestTopic = settings.topics().name(Topic.INFERENCE_REQUESTS);
        this.activationTopic = settings.topics().name(Topic.ACTIVATIONS);
        this.ablationTopic = settings.topics().name(Topic.ABLATION_REQUESTS);
        this.ablationResultTopic = settings.topics().name(Topic.ABLATION_RESULTS);
        this.evalTopic = settings.topics().name(Topic.EVAL_REQUESTS);
        this.evalResultTopic = settings.topics().name(Topic.EVAL_RESULTS);
        this.generationTopic = settings.topics().name(Topic.GENERATION_REQUESTS);
        this.generationResultTopic = settings.topics().name(Topic.GENERATION_RESULTS);
        this.sentenceTopic = settings.topics().name(Topic.SENTENCES);
        this.deadLetterTopic = settings.topics().name(Topic.DEAD_LETTERS);
        this.progressTopic = settings.topics().name(Topic.PROGRESS);
        Map<String, Object> serde = KafkaClientProperties.registryConfig(settings.clientOverrides());
        serde.put(SerdeConfig.SCHEMA_REGISTRY_URL, settings.registryUrl());
        this.requestTypes = Map.of(requestTopic, deserializer(InferenceRequest.class, serde),
                ablationTopic, deserializer(AblationRequest.class, serde), evalTopic, deserializer(EvalRequest.class, serde),
                generationTopic, deserializer(GenerationRequest.class, serde));
        this.sentences = new AvroDeserializer<>(Sentence.class);
        sentences.configure(serde, false);
        AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
        values.configure(serde, false);
        this.consumer = new KafkaConsumer<>(consumerConfig(settings), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(producerConfig(settings), new ByteArraySerializer(), values);
        this.models = new ModelCache(settings.maxModels(), settings.maxModelBytes(), settings.device(), settings.runtime());
    }

    private static <T extends SpecificRecord> AvroDeserializer<T> deserializer(Class<T> type, Map<String, Object> serde) {
        AvroDeserializer<T> d = new AvroDeserializer<>(type);
        d.configure(serde, false);
        return d;
    }

    static Map<String, Object> consumerConfig(WorkerSettings s) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, s.groupId());
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, s.instanceId());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, s.transactionalId() + "-consumer");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new group must still see the requests planned before its first worker started
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, s.requestsPerTransaction());
        // one poll's work must fit in a transaction; leave the commit some room on top
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) s.transactionTimeout().plusSeconds(60).toMillis());
        return KafkaClientProperties.applyTo(c, s.clientOverrides());
    }

    static Map<String, Object> producerConfig(WorkerSettings s) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, s.transactionalId());
        c.put(ProducerConfig.CLIENT_ID_CONFIG, s.transactionalId() + "-producer");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) s.transactionTimeout().toMillis());
        // a dead letter carries the rejected request whole
        c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, DeadLetters.MAX_RECORD_BYTES);
        return KafkaClientProperties.applyTo(c, s.clientOverrides());
    }

    /**
     * Runs until {@link #stop()} or a fatal error (another instance with this {@code transactional.id} or
     * {@code group.instance.id} took over, authorization, an unusable producer), which is rethrown. Closes the
     * clients and the loaded models on the way out.
     */
    @Override
    public void run() {
        try {
            producer.initTransactions(); // fences the previous incarnation and aborts its open transaction
            consumer.subscribe(List.of(requestTopic, ablationTopic, evalTopic, generationTopic), new RebalanceLog());
            LOG.info("worker {} consuming {}, {}, {} and {} in group {} (transactional.id {}, {} request(s) per transaction, "
                    + "eval data {})", settings.instanceId(), requestTopic, ablationTopic, evalTopic, generationTopic,
                    settings.groupId(), settings.transactionalId(), settings.requestsPerTransaction(), settings.evalData());
            while (running) {
                ConsumerRecords<byte[], byte[]> batch;
                try {
                    batch = consumer.poll(POLL);
                } catch (WakeupException e) {
                    break; // stop() while polling: no transaction open
                }
                if (!batch.isEmpty()) {
                    processInTransaction(batch);
                }
            }
        } finally {
            closeQuietly();
            LOG.info("worker {} stopped", settings.instanceId());
            finished.countDown();
        }
    }

    /** Asks the loop to end: the open transaction, if any, is aborted, and {@link #run()} returns. Any thread. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /** Waits until {@link #run()} has returned and everything is closed. */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void processInTransaction(ConsumerRecords<byte[], byte[]> batch) {
        producer.beginTransaction();
        int activations = 0;
        int results = 0;
        int deadLetters = 0;
        try {
            for (Decoded d : groupedByCheckpoint(batch)) {
                if (!running) {
                    abort(batch, "shutdown");
                    return;
                }
                Outcome o = process(d);
                for (ProducerRecord<byte[], SpecificRecord> r : o.records()) {
                    producer.send(r);
                }
                if (o.deadLetter()) {
                    deadLetters++;
                } else if (d.request() instanceof InferenceRequest r) {
                    activations += o.records().size();
                    LOG.info("request {}: {} activation records sent in the open transaction", r.getRequestId(),
                            o.records().size());
                } else {
                    results++;
                    LOG.info("request {} of {}: result sent in the open transaction",
                            new String(o.records().get(0).key(), StandardCharsets.UTF_8), d.raw().topic());
                }
                throttle();
            }
            if (!running) {
                abort(batch, "shutdown");
                return;
            }
            producer.sendOffsetsToTransaction(nextOffsets(batch), consumer.groupMetadata());
            producer.commitTransaction();
            failedAttempts = 0;
            LOG.info("committed transaction: {} request(s), {} activation records, {} ablation/eval/generation result(s), {} dead letter(s), "
                    + "offsets {}", batch.count(), activations, results, deadLetters, nextOffsets(batch));
        } catch (ProducerFencedException | FencedInstanceIdException | OutOfOrderSequenceException
                 | AuthorizationException | UnsupportedVersionException e) {
            LOG.error("fatal: {}; stopping (the open transaction is aborted by the broker or this instance's successor)",
                    e.toString());
            running = false;
            throw e;
        } catch (TransientFailure e) {
            retryLater(batch, e.where, e.getCause());
        } catch (KafkaException e) {
            retryLater(batch, "the transaction", e);
        }
    }

    /**
     * Aborts, rewinds and waits the back-off before the batch is polled again; gives up (throws) when the attempts
     * are spent.
     */
    private void retryLater(ConsumerRecords<byte[], byte[]> batch, String where, Throwable error) {
        failedAttempts++;
        abort(batch, error.getClass().getSimpleName());
        if (!retry.allows(failedAttempts)) {
            running = false;
            LOG.error("transient failure at {}, attempt {}/{}: {}; giving up: the worker stops, the batch stays "
                    + "uncommitted for a restarted worker", where, failedAttempts, retry.maxAttempts(), DeadLetters.describe(error));
            throw new KafkaException("gave up after " + failedAttempts + " failed attempts at " + where, error);
        }
        Duration delay = retry.delay(failedAttempts);
        LOG.warn("transient failure at {}, attempt {}/{}: {}; transaction aborted, retrying the batch of {} request(s) "
                + "in {} ms", where, failedAttempts, retry.maxAttempts(), DeadLetters.describe(error), batch.count(),
                delay.toMillis());
        long until = System.nanoTime() + delay.toNanos();
        while (running && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    /** A transient failure while processing one request: the whole batch is retried, nothing is dead-lettered. */
    private static final class TransientFailure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final String where;

        TransientFailure(String where, Throwable cause) {
            super(cause);
            this.where = where;
        }
    }

    /** Aborts the open transaction and rewinds to the batch's first records, so the batch is redone whole. */
    private void abort(ConsumerRecords<byte[], byte[]> batch, String why) {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            // e.g. a commit that timed out: its outcome is the coordinator's; a restart (initTransactions) settles it
            running = false;
            throw new KafkaException("cannot abort the transaction after " + why + "; stopping", e);
        }
        for (TopicPartition tp : batch.partitions()) {
            consumer.seek(tp, batch.records(tp).get(0).offset());
        }
        LOG.info("aborted transaction of {} request(s) ({}); they will be processed again", batch.count(), why);
    }

    private void throttle() {
        if (settings.throttle().isZero()) {
            return;
        }
        try {
            Thread.sleep(settings.throttle().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** A consumed request (an Inference, Ablation, Eval or GenerationRequest): decoded, or why it could not be. */
    private record Decoded(ConsumerRecord<byte[], byte[]> raw, SpecificRecord request, RuntimeException error) {
    }

    /** What one request becomes inside the transaction. */
    private record Outcome(List<ProducerRecord<byte[], SpecificRecord>> records, boolean deadLetter) {
    }

    /** The batch's requests, those of one checkpoint next to each other (groups in first-appearance order). */
    private List<Decoded> groupedByCheckpoint(ConsumerRecords<byte[], byte[]> batch) {
        Map<Object, List<Decoded>> groups = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            Decoded d;
            try {
                d = new Decoded(r, requestTypes.get(r.topic()).deserialize(r.topic(), r.value()), null);
            } catch (RuntimeException e) {
                d = new Decoded(r, null, e);
            }
            // by the raw strings: a path that is not even a valid path is rejected later, inside process()
            Object group = d;
            if (d.request() instanceof InferenceRequest q) {
                group = List.of(q.getCheckpointId(), q.getCheckpointPath());
            } else if (d.request() instanceof AblationRequest q) {
                group = List.of(q.getCheckpointId(), q.getCheckpointPath());
            } else if (d.request() instanceof EvalRequest q) {
                group = List.of(q.getCheckpointId(), q.getCheckpointPath());
            } else if (d.request() instanceof GenerationRequest q) {
                group = List.of(q.getCheckpointId(), q.getCheckpointPath());
            }
            groups.computeIfAbsent(group, g -> new ArrayList<>()).add(d);
        }
        return groups.values().stream().flatMap(List::stream).toList();
    }

    private Outcome process(Decoded d) {
        ConsumerRecord<byte[], byte[]> raw = d.raw();
        try {
            if (d.error() != null) {
                throw d.error();
            }
            if (d.request() == null) {
                throw new RejectedRequestException("record has no value (tombstone)");
            }
            if (d.request() instanceof AblationRequest request) {
                String where = "ablation request '" + request.getRequestId() + "' (checkpoint '" + request.getCheckpointId() + "')";
                LanguageModel model = model(request.getCheckpointId(), request.getCheckpointPath(), where);
                List<Sentence> corpus = CorpusTexts.read(settings.bootstrapServers(), settings.clientOverrides(),
                        sentenceTopic, sentences, request.getCorpus(), CORPUS_TIMEOUT);
                AblationResult result = Ablations.compute(model, request, corpus);
                return new Outcome(List.of(new ProducerRecord<>(ablationResultTopic,
                        request.getRequestId().getBytes(StandardCharsets.UTF_8), result)), false);
            }
            if (d.request() instanceof EvalRequest request) {
                Map<String, List<Question>> questions = Evals.questions(request, settings.evalData());
                LanguageModel model = model(request.getCheckpointId(), request.getCheckpointPath(), Evals.describe(request));
                EvalResult result = Evals.compute(model, request, questions);
                return new Outcome(List.of(new ProducerRecord<>(evalResultTopic,
                        request.getRequestId().getBytes(StandardCharsets.UTF_8), result)), false);
            }
            if (d.request() instanceof GenerationRequest request) {
                var options = Generations.options(request);
                LanguageModel model = model(request.getCheckpointId(), request.getCheckpointPath(), Generations.describe(request));
                GenerationResult result = Generations.compute(model, request, options);
                return new Outcome(List.of(new ProducerRecord<>(generationResultTopic,
                        request.getRequestId().getBytes(StandardCharsets.UTF_8), result)), false);
            }
            InferenceRequest request = (InferenceRequest) d.request();
            ActivationRecords.validate(request);
            LanguageModel model = model(request.getCheckpointId(), request.getCheckpointPath(),
                    ActivationRecords.describe(request));
            List<ProducerRecord<byte[], SpecificRecord>> out = new ArrayList<>();
            for (ActivationRecord a : ActivationRecords.compute(model, request, settings.instanceId())) {
                byte[] key = Keys.activation(a.getCheckpointId(), a.getLayer()).getBytes(StandardCharsets.UTF_8);
                out.add(new ProducerRecord<>(activationTopic, key, a));
            }
            return new Outcome(out, false);
        } catch (RejectedRequestException | RuntimeException | OutOfMemoryError e) {
            if (Failures.isTransient(e)) {
                throw new TransientFailure(describe(d), e);
            }
            var letter = DeadLetters.forRecord(COMPONENT, raw.topic(), raw.partition(), raw.offset(), raw.key(),
                    raw.value(), e);
            LOG.warn("dead letter: {}", letter.getError());
            List<ProducerRecord<byte[], SpecificRecord>> out = new ArrayList<>();
            out.add(new ProducerRecord<>(deadLetterTopic, raw.key(), letter));
            if (d.request() instanceof InferenceRequest q && q.getCheckpointId() != null) {
                // the checkpoint can never complete: say so where its progress is followed, not only in dead-letters
                out.add(new ProducerRecord<>(progressTopic, q.getCheckpointId().getBytes(StandardCharsets.UTF_8),
                        failed(q.getCheckpointId(), letter.getError())));
            }
            return new Outcome(out, true);
        }
    }

    /** Names a consumed request in log lines: its id and checkpoint, or where it was when it could not be read. */
    private static String describe(Decoded d) {
        String where = d.raw().topic() + "/" + d.raw().partition() + "@" + d.raw().offset();
        if (d.request() instanceof InferenceRequest r) {
            return "request '" + r.getRequestId() + "' of checkpoint '" + r.getCheckpointId() + "' (" + where + ")";
        } else if (d.request() instanceof AblationRequest r) {
            return "ablation request '" + r.getRequestId() + "' of checkpoint '" + r.getCheckpointId() + "' (" + where + ")";
        } else if (d.request() instanceof EvalRequest r) {
            return "eval request '" + r.getRequestId() + "' of checkpoint '" + r.getCheckpointId() + "' (" + where + ")";
        }
        return "record " + where;
    }

    private static Progress failed(String checkpointId, String error) {
        return Progress.newBuilder().setCheckpointId(checkpointId).setStage(Stage.FAILED).setSamplesExpected(0)
                .setSamplesSeen(0).setLayerRecordsExpected(0).setLayerRecordsSeen(0).setMessage(error)
                .setUpdatedAt(Instant.now()).build();
    }

    /** The loaded model of a request's checkpoint; {@code where} names the request in the rejection. */
    private LanguageModel model(String checkpointId, String checkpointPath, String where) throws RejectedRequestException {
        ModelCache.Key key = new ModelCache.Key(checkpointId, settings.checkpointRoots().resolve(checkpointPath, where));
        try {
            return models.get(key);
        } catch (RuntimeException e) {
            if (Failures.isTransient(e)) {
                throw e; // e.g. libtorch out of memory: not the checkpoint's fault
            }
            throw new RejectedRequestException(where + ": cannot load checkpoint " + key.dir(), e);
        } catch (CheckpointException e) {
            throw new RejectedRequestException(where + ": cannot load checkpoint " + key.dir(), e);
        }
    }

    /** The position after the last record of every partition in the batch: what the transaction commits. */
    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> batch) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : batch.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> rs = batch.records(tp);
            out.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return out;
    }

    private void closeQuietly() {
        try {
            consumer.close(CloseOptions.timeout(CLOSE));
        } catch (RuntimeException e) {
            LOG.warn("closing the consumer: {}", e.toString());
        }
        try {
            producer.close(CLOSE);
        } catch (RuntimeException e) {
            LOG.warn("closing the producer: {}", e.toString());
        }
        models.close();
    }

    /** Only logs: partitions change only between transactions (the consumer is polled nowhere else). */
    private final class RebalanceLog implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                LOG.info("worker {}: partitions revoked {}", settings.instanceId(), partitions);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.info("worker {}: partitions assigned {}", settings.instanceId(), partitions);
        }
    }
}
