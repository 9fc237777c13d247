package io.linguaflow.worker.kafka;

import ai.djl.Device;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.InferenceRequest;
import io.linguaflow.schemas.avro.SampleRef;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.runtime.RuntimeOptions;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Real broker (in-JVM KRaft), real registry process, fixture corpus: what the worker tests share. */
final class WorkerKit {

    private WorkerKit() {
    }

    static TestKafka kafka() {
        return TestKafka.shared();
    }

    static TestRegistry registry() {
        return TestRegistry.shared();
    }

    /** The project topics under a fresh prefix, so tests never see each other's records or groups. */
    static Topics freshTopics(String name, int partitions) {
        Topics topics = new Topics(name + "-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        kafka().createProjectTopics(topics, partitions);
        return topics;
    }

    static WorkerSettings settings(Topics topics, String instanceId, int requestsPerTransaction, int maxModels) {
        return new WorkerSettings(kafka().bootstrapServers(), registry().url(), topics, WorkerSettings.defaultGroup(topics),
                instanceId, requestsPerTransaction, maxModels, 1L << 30, Device.cpu(), RuntimeOptions.DEFAULT,
                Duration.ofSeconds(60), Duration.ZERO, Map.of());
    }

    /** A corpus row as a request sample: sampleId {@code <lang>|<meaningId>}, index = row position. */
    static SampleRef sample(int index) {
        Corpus.Row row = Fixtures.corpus().get(index);
        return SampleRef.newBuilder().setSampleId(row.lang() + "|" + row.id()).setIndex(index).setLang(row.lang())
                .setMeaningId(row.id()).setText(row.text()).build();
    }

    static InferenceRequest request(String checkpointId, Path dir, int batch, List<SampleRef> samples) {
        return InferenceRequest.newBuilder().setRequestId(checkpointId + "/" + batch).setCheckpointId(checkpointId)
                .setCheckpointPath(dir.toString()).setCorpus("fixture").setSamples(samples).setComputeNll(true).build();
    }

    /** The fixture corpus rows {@code [from, to)} in requests of {@code perRequest} samples. */
    static List<InferenceRequest> requests(String checkpointId, Path dir, int from, int to, int perRequest) {
        List<InferenceRequest> out = new ArrayList<>();
        for (int start = from; start < to; start += perRequest) {
            List<SampleRef> samples = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + perRequest); i++) {
                samples.add(sample(i));
            }
            out.add(request(checkpointId, dir, out.size(), samples));
        }
        return out;
    }

    static Map<String, Object> serdeClientConfig(Map<String, Object> base) {
        Map<String, Object> c = new HashMap<>(base);
        c.putAll(registry().serdeConfig());
        return c;
    }

    /** Sends requests keyed by checkpointId, in list order. */
    static void produce(Topics topics, List<InferenceRequest> requests) throws Exception {
        Map<String, Object> config = serdeClientConfig(kafka().producerConfig());
        AvroSerializer<InferenceRequest> values = new AvroSerializer<>();
        values.configure(config, false);
        try (KafkaProducer<String, InferenceRequest> p = new KafkaProducer<>(config, new StringSerializer(), values)) {
            for (InferenceRequest r : requests) {
                p.send(new ProducerRecord<>(topics.name(Topic.INFERENCE_REQUESTS), r.getCheckpointId(), r)).get();
            }
        }
    }

    /** Sends arbitrary bytes to a request topic (poison records). */
    static void produceRaw(Topics topics, Topic topic, byte[] key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka().producerConfig(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topics.name(topic), key, value)).get();
        }
    }

    /** A consumer from the earliest offset in a fresh group, reading {@code read_committed} or {@code read_uncommitted}. */
    static <V extends SpecificRecord> KafkaConsumer<String, V> consumer(Topics topics, Topic topic, Class<V> type,
                                                                       String isolation) {
        Map<String, Object> config = serdeClientConfig(kafka().consumerConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        AvroDeserializer<V> values = new AvroDeserializer<>(type);
        values.configure(config, false);
        KafkaConsumer<String, V> c = new KafkaConsumer<>(config, new StringDeserializer(), values);
        c.subscribe(List.of(topics.name(topic)));
        return c;
    }

    /** Polls into {@code into} until {@code done} holds or {@code timeout} passes; returns whether it holds. */
    static <V> boolean pollUntil(KafkaConsumer<String, V> consumer, List<ConsumerRecord<String, V>> into,
                                 Predicate<List<ConsumerRecord<String, V>>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(into)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            consumer.poll(Duration.ofMillis(200)).forEach(into::add);
        }
        return true;
    }

    /** Everything readable now: polls until {@code quiet} passes without a new record. */
    static <V> void drain(KafkaConsumer<String, V> consumer, List<ConsumerRecord<String, V>> into, Duration quiet) {
        long last = System.nanoTime();
        while (System.nanoTime() - last < quiet.toNanos()) {
            for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                into.add(r);
                last = System.nanoTime();
            }
        }
    }

    static KafkaConsumer<String, ActivationRecord> activations(Topics topics, String isolation) {
        return consumer(topics, Topic.ACTIVATIONS, ActivationRecord.class, isolation);
    }

    static KafkaConsumer<String, DeadLetter> deadLetters(Topics topics) {
        return consumer(topics, Topic.DEAD_LETTERS, DeadLetter.class, "read_committed");
    }

    /** {@code (checkpointId, sampleId, layer)}: what must appear exactly once. */
    static String identity(ActivationRecord a) {
        return a.getCheckpointId() + " " + a.getSampleId() + " " + a.getLayer();
    }

    static float[] floats(ByteBuffer le) {
        ByteBuffer b = le.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / Float.BYTES];
        b.asFloatBuffer().get(out);
        return out;
    }

    static int[] ints(ByteBuffer le) {
        ByteBuffer b = le.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[b.remaining() / Integer.BYTES];
        b.asIntBuffer().get(out);
        return out;
    }

    /** A copy of {@code model} in {@code tmp} with its weights file cut in half: a checkpoint that cannot be loaded. */
    static Path truncatedCopy(Path model, Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("truncated"));
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        try (RandomAccessFile weights = new RandomAccessFile(dir.resolve("model.safetensors").toFile(), "rw")) {
            weights.setLength(weights.length() / 2);
        }
        return dir;
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
