package io.linguaflow.streams.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.Metrics;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.app.LinguaflowStreams;
import io.linguaflow.streams.app.StreamsConfigs;
import io.linguaflow.streams.config.StreamsSettings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Throughput of the streams application (RocksDB, exactly-once v2) on the in-JVM broker: synthetic activation records
 * of a model of {@code bench.layers} x {@code bench.neurons} for {@code bench.languages} x {@code bench.meanings}
 * samples, all produced at once; reports the time from the first record to the final metrics and the records per second.
 * Run by {@code ops/bench/streams} (skipped in the normal build).
 */
@EnabledIfSystemProperty(named = "linguaflow.bench", matches = "true")
class StreamsBench {

    private static int param(String name, int fallback) {
        return Integer.parseInt(System.getProperty("bench." + name, Integer.toString(fallback)));
    }

    @Test
    void aggregateOneCheckpoint() throws Exception {
        int layers = param("layers", 8);
        int neurons = param("neurons", 2048);
        int languages = param("languages", 6);
        int meanings = param("meanings", 50);
        int samples = languages * meanings;
        TestKafka kafka = TestKafka.shared();
        TestRegistry registry = TestRegistry.shared();
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        StreamsSettings settings = StreamsSettings.defaults(new Topics(prefix), registry.serdeConfig());
        try (Admin admin = kafka.admin()) {
            LinguaflowStreams.ensureTopics(admin, settings, layers, (short) 1);
        }
        Path state = Files.createTempDirectory("linguaflow-bench-");
        Properties props = StreamsConfigs.of(prefix + "streams", kafka.bootstrapServers(), state, null, registry.serdeConfig(), prefix);
        props.put("replication.factor", 1);
        Map<String, Object> config = new HashMap<>(kafka.producerConfig());
        config.putAll(registry.serdeConfig());
        config.put("linger.ms", 20);
        config.put("max.request.size", 16 * 1024 * 1024);
        AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
        values.configure(config, false);
        String cp = "bench@1";
        try (LinguaflowStreams app = new LinguaflowStreams(settings, props);
             KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(config, new StringSerializer(), values)) {
            app.start();
            for (int l = 0; l < languages; l++) {
                for (int s = 0; s < meanings; s++) {
                    Sentence sentence = Sentence.newBuilder().setCorpus("bench").setLang("l" + l).setMeaningId("s" + s)
                            .setText("x".repeat(1 + s % 40)).setIndex(l * meanings + s).setCorpusSize(samples).build();
                    producer.send(new ProducerRecord<>(settings.topic(Topic.SENTENCES), Keys.sentence("bench", "l" + l, "s" + s), sentence));
                }
            }
            producer.send(new ProducerRecord<>(settings.topic(Topic.CHECKPOINTS), cp, CheckpointEvent.newBuilder().setCheckpointId(cp)
                    .setModel("bench").setStep(1L).setPath("/bench").setContentHash("h").setCorpus("bench").setLayers(layers)
                    .setNeuronsPerLayer(neurons).setLandedAt(Instant.ofEpochMilli(0)).build()));
            producer.flush();
            Thread.sleep(3000); // let the plan reach the aggregators' global store
            long start = System.nanoTime();
            SplittableRandom random = new SplittableRandom(1);
            long bytes = 0;
            for (int i = 0; i < samples; i++) {
                double[][] h = new double[layers][neurons];
                double total = 0;
                for (double[] layer : h) {
                    for (int k = 0; k < neurons; k++) {
                        layer[k] = (float) random.nextGaussian();
                        total += layer[k] * layer[k];
                    }
                }
                for (int m = 0; m < layers; m++) {
                    ByteBuffer v = ByteBuffer.allocate(4 * neurons).order(ByteOrder.LITTLE_ENDIAN);
                    ByteBuffer c = ByteBuffer.allocate(4 * neurons).order(ByteOrder.LITTLE_ENDIAN);
                    for (int k = 0; k < neurons; k++) {
                        v.putFloat((float) h[m][k]);
                        c.putInt(h[m][k] > 0 ? 10 : random.nextInt(5));
                    }
                    String lang = "l" + i / meanings;
                    String meaning = "s" + i % meanings;
                    ActivationRecord a = ActivationRecord.newBuilder().setCheckpointId(cp).setCorpus("bench").setSampleId(lang + "|" + meaning)
                            .setIndex(i).setLang(lang).setMeaningId(meaning).setLayer(m).setLayers(layers).setNeuronsPerLayer(neurons)
                            .setValues(v.flip()).setPositiveCounts(c.flip()).setTokenCount(10).setLayerNorm(LayerVector.norm(h[m]))
                            .setWholeModelNorm(Math.sqrt(total)).build();
                    bytes += 8L * neurons;
                    producer.send(new ProducerRecord<>(settings.topic(Topic.ACTIVATIONS), Keys.activation(cp, m), a));
                }
            }
            producer.flush();
            double produced = (System.nanoTime() - start) / 1e9;
            awaitFinal(kafka, registry, settings.topic(Topic.METRICS));
            double seconds = (System.nanoTime() - start) / 1e9;
            long records = (long) samples * layers;
            System.out.printf("streams bench: %d layers x %d neurons, %d samples = %d activation records (%.1f MB);"
                    + " produced in %.1f s, final metrics after %.1f s: %.0f records/s, %.1f MB/s%n", layers, neurons, samples, records,
                    bytes / 1e6, produced, seconds, records / seconds, bytes / 1e6 / seconds);
        }
    }

    private static void awaitFinal(TestKafka kafka, TestRegistry registry, String topic) {
        Map<String, Object> config = new HashMap<>(kafka.consumerConfig());
        config.putAll(registry.serdeConfig());
        AvroDeserializer<Metrics> values = new AvroDeserializer<>(Metrics.class);
        values.configure(config, false);
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        try (KafkaConsumer<String, Metrics> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            while (System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.value().getComplete()) {
                        return;
                    }
                }
            }
        }
        assertTrue(false, "no final metrics within 10 minutes");
    }
}
