package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.AblationRequest;
import io.linguaflow.schemas.avro.AblationResult;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.Perplexity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ablation requests through the worker: the corpus comes from the {@code sentences} topic, perplexities equal
 * HuggingFace's ({@code reference/bloom-tiny/reference.json} {@code ablation}), the random baseline is reproducible
 * from its seed, and bad requests are dead-lettered.
 */
class AblationRequestsTest {

    @TempDir
    Path tmp;

    @Test
    void perplexitiesMatchTheReferenceAndBadRequestsAreDeadLettered() throws Exception {
        Topics topics = WorkerKit.freshTopics("ablate", 1);
        JsonNode ref = Fixtures.json(Fixtures.reference("bloom-tiny").resolve("reference.json"));
        int[] zh = ints(ref.get("analysis").get("key_neurons").get("indices").get("zh"));
        List<Corpus.Row> rows = Fixtures.corpus();
        String model = Fixtures.model("bloom-tiny").toString();

        Map<String, Object> config = WorkerKit.serdeClientConfig(WorkerKit.kafka().producerConfig());
        AvroSerializer<SpecificRecord> values = new AvroSerializer<>();
        values.configure(config, false);
        try (KafkaProducer<String, SpecificRecord> p = new KafkaProducer<>(config, new StringSerializer(), values)) {
            for (int i = 0; i < rows.size(); i++) {
                Corpus.Row r = rows.get(i);
                p.send(new ProducerRecord<>(topics.name(Topic.SENTENCES), Keys.sentence("fixture", r.lang(), r.id()),
                        Sentence.newBuilder().setCorpus("fixture").setMeaningId(r.id()).setLang(r.lang()).setText(r.text())
                                .setIndex(i).setCorpusSize(rows.size()).build()));
            }
            for (int i = 0; i < 10; i++) { // a corpus still being produced: 10 of its 450 rows
                Corpus.Row r = rows.get(i);
                p.send(new ProducerRecord<>(topics.name(Topic.SENTENCES), Keys.sentence("partial", r.lang(), r.id()),
                        Sentence.newBuilder().setCorpus("partial").setMeaningId(r.id()).setLang(r.lang()).setText(r.text())
                                .setIndex(i).setCorpusSize(rows.size()).build()));
            }
            String requests = topics.name(Topic.ABLATION_REQUESTS);
            p.send(new ProducerRecord<>(requests, "a1", request("a1", model, "fixture", Map.of("zh", list(zh)), 7L)));
            p.send(new ProducerRecord<>(requests, "a2", request("a2", model, "fixture", Map.of("bad", List.of(1, 5000)), null)));
            p.send(new ProducerRecord<>(requests, "a3", request("a3", model, "nope", Map.of("zh", list(zh)), null)));
            p.send(new ProducerRecord<>(requests, "a4", request("a4", model, "partial", Map.of("zh", list(zh)), null)));
            p.send(new ProducerRecord<>(requests, "a5", AblationRequest.newBuilder(request("a5", model, "fixture",
                    Map.of("zh", list(zh)), null)).setCheckpointId("nodir@1")
                    .setCheckpointPath(tmp.resolve("no-such-checkpoint").toString()).build()));
        }

        InferenceWorker worker = new InferenceWorker(WorkerKit.settings(topics, "ablate-1", 3, 1));
        new Thread(worker, "worker-ablate").start();
        List<ConsumerRecord<String, AblationResult>> results = new ArrayList<>();
        List<ConsumerRecord<String, DeadLetter>> letters = new ArrayList<>();
        try (KafkaConsumer<String, AblationResult> rc = WorkerKit.consumer(topics, Topic.ABLATION_RESULTS,
                AblationResult.class, "read_committed");
             KafkaConsumer<String, DeadLetter> dl = WorkerKit.deadLetters(topics)) {
            assertTrue(WorkerKit.pollUntil(rc, results, l -> !l.isEmpty(), Duration.ofSeconds(90)), "no ablation result");
            assertTrue(WorkerKit.pollUntil(dl, letters, l -> l.size() >= 4, Duration.ofSeconds(30)), "dead letters " + letters.size());
        } finally {
            worker.stop();
            assertTrue(worker.awaitFinished(Duration.ofSeconds(30)));
        }

        assertEquals(1, results.size());
        assertEquals("a1", results.get(0).key());
        AblationResult result = results.get(0).value();
        JsonNode want = ref.get("ablation");
        double maxRel = 0;
        for (String lang : List.of("en", "fr", "es", "pt", "zh", "ar", "hi", "id", "vi")) {
            maxRel = Math.max(maxRel, rel(want.get("baseline_ppl_token").get(lang).asDouble(), result.getBaseline().get(lang)));
            maxRel = Math.max(maxRel, rel(want.get("ppl_token").get("zh").get(lang).asDouble(), result.getAblated().get("zh").get(lang)));
            assertTrue(result.getPredictedTokens().get(lang) > 0);
        }
        System.out.printf("[kafka-worker] ablation: max relative |ppl - HF| %.2e (baseline and zh key neurons zeroed, 9 languages)%n", maxRel);
        assertTrue(maxRel < 1e-4, "perplexities deviate by " + maxRel);

        // the random baseline is reproducible from the recorded seed
        int[] random = Ablations.randomNeurons(7L, zh.length, 4 * 256);
        try (LanguageModel m = LanguageModel.load(Fixtures.model("bloom-tiny"), Device.cpu())) {
            Map<String, Double> direct = Perplexity.perGroup(m, Fixtures.texts(rows), rows.stream().map(Corpus.Row::lang).toList(),
                    Ablation.ofFlatIds(random, 4, 256));
            direct.forEach((lang, ppl) -> assertEquals(ppl, result.getRandomBaseline().get("zh").get(lang), 1e-9 * ppl, lang));
        }

        assertEquals(List.of("a2", "a3", "a4", "a5"), letters.stream().map(ConsumerRecord::key).toList());
        assertTrue(letters.get(0).value().getError().contains("ablation request 'a2' (checkpoint 'bloom-tiny@0'): set 'bad': "
                + "neuron id 5000 is outside [0, 1024)"), letters.get(0).value().getError());
        assertTrue(letters.get(1).value().getError().contains("ablation request 'a3' (checkpoint 'bloom-tiny@0'): corpus 'nope' "
                + "has no sentences"), letters.get(1).value().getError());
        assertTrue(letters.get(2).value().getError().contains("corpus 'partial' is incomplete: 10 of 450 sentences"),
                letters.get(2).value().getError());
        assertTrue(letters.get(3).value().getError().contains("ablation request 'a5' (checkpoint 'nodir@1'): checkpoint directory "
                + tmp.resolve("no-such-checkpoint") + " does not exist"),
                letters.get(3).value().getError());
        letters.forEach(l -> System.out.println("[kafka-worker] dead letter: " + l.value().getError()));
    }

    @Test
    void randomNeuronsAreDistinctInRangeAndDeterminedBySeed() {
        int[] a = Ablations.randomNeurons(7L, 120, 1024);
        assertArrayEquals(a, Ablations.randomNeurons(7L, 120, 1024));
        assertFalse(Arrays.equals(a, Ablations.randomNeurons(8L, 120, 1024)));
        assertEquals(120, IntStream.of(a).distinct().filter(k -> k >= 0 && k < 1024).count());
        int[] all = Ablations.randomNeurons(1L, 1024, 1024);
        Arrays.sort(all);
        assertArrayEquals(IntStream.range(0, 1024).toArray(), all, "a full draw is a permutation");
    }

    private static AblationRequest request(String id, String model, String corpus, Map<String, List<Integer>> sets, Long seed) {
        return AblationRequest.newBuilder().setRequestId(id).setCheckpointId("bloom-tiny@0").setCheckpointPath(model)
                .setCorpus(corpus).setSets(sets).setRandomBaselineSeed(seed).build();
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static List<Integer> list(int[] xs) {
        return IntStream.of(xs).boxed().toList();
    }

    private static double rel(double want, double got) {
        return Math.abs(got - want) / Math.abs(want);
    }
}
