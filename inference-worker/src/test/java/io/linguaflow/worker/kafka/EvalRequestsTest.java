package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.EvalRequest;
import io.linguaflow.schemas.avro.EvalResult;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.cli.EvalCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Eval requests through the worker (real broker, bloom-tiny, XStoryCloze from {@code ../shared/data}): accuracies and
 * item counts equal the {@code eval} command's for the same languages, limit and ablation set; each bad request is one
 * dead letter naming it and the worker goes on; a duplicated request is answered twice with equal values.
 */
class EvalRequestsTest {

    private static final List<String> LANGS = List.of("en", "es");
    private static final int LIMIT = 8;

    @TempDir
    Path tmp;

    @Test
    void resultsEqualTheEvalCommandAndBadRequestsAreDeadLettered() throws Exception {
        Path data = SharedData.require(SharedData.data().resolve("xstorycloze"));
        Path bloom = Fixtures.model("bloom-tiny");
        String model = bloom.toString();
        // the even neurons of layers 0 and 1 (flat ids k = layer * 256 + neuron): on bloom-tiny this flips one of the
        // 8 Spanish answers (accuracy 0.5 -> 0.375), so the ablation's effect is visible in the result
        List<Integer> ablate = IntStream.range(0, 2 * 256).filter(k -> k % 2 == 0).boxed().toList();
        Topics topics = WorkerKit.freshTopics("eval", 1);

        // offsets 0..11 of the single partition, in this order
        EvalRequest plain = request("e-plain", model, "xstorycloze", LANGS, List.of(), LIMIT);
        send(topics, List.of(
                plain,                                                                                     // 0
                request("e-ablated", model, "xstorycloze", LANGS, ablate, LIMIT),                          // 1
                request("e-task", model, "hellaswag", LANGS, List.of(), LIMIT),                            // 2
                request("e-lang", model, "xstorycloze", List.of("en", "ru"), List.of(), LIMIT),            // 3
                request("e-ids", model, "xstorycloze", LANGS, List.of(1, 5000), LIMIT),                    // 4
                request("e-ckpt", WorkerKit.truncatedCopy(bloom, tmp).toString(), "xstorycloze", LANGS, List.of(), LIMIT))); // 5
        byte[] poison = "not avro at all".getBytes(StandardCharsets.UTF_8);
        WorkerKit.produceRaw(topics, Topic.EVAL_REQUESTS, "e-poison".getBytes(StandardCharsets.UTF_8), poison); // 6
        send(topics, List.of(
                plain,                                                                                     // 7: duplicate
                request("e-limit", model, "xstorycloze", LANGS, List.of(), 0),                             // 8
                request("e-twice", model, "xstorycloze", List.of("en", "en"), List.of(), LIMIT),          // 9
                request("e-nolang", model, "xstorycloze", List.of(), List.of(), LIMIT),                    // 10
                EvalRequest.newBuilder(request("e-nodir", tmp.resolve("no-such-checkpoint").toString(), "xstorycloze",
                        LANGS, List.of(), LIMIT)).setCheckpointId("nodir@1").build()));                    // 11

        WorkerSettings settings = withEvalData(WorkerKit.settings(topics, "eval-1", 3, 1), Map.of("xstorycloze", data));
        List<ConsumerRecord<String, EvalResult>> results = new ArrayList<>();
        List<ConsumerRecord<String, DeadLetter>> letters = run(settings, topics, results, 3, 9);

        // the eval command, in-process, on the same model, languages, limit and ablation set
        Path sets = tmp.resolve("ablate.json");
        new ObjectMapper().writeValue(sets.toFile(), Map.of("set", ablate));
        Path out = tmp.resolve("eval.json");
        assertEquals(0, new CommandLine(new EvalCommand()).execute("--model", model, "--xstorycloze", data.toString(),
                "--langs", String.join(",", LANGS), "--limit", String.valueOf(LIMIT), "--ablate", sets.toString(),
                "--out", out.toString()));
        JsonNode command = new ObjectMapper().readTree(out.toFile());

        assertEquals(List.of("e-plain", "e-ablated", "e-plain"), results.stream().map(ConsumerRecord::key).toList());
        EvalResult base = results.get(0).value();
        EvalResult ablated = results.get(1).value();
        for (String lang : LANGS) {
            System.out.printf("[kafka-worker] eval %s (%d items): worker acc %.4f / ablated %.4f, eval command %.4f / %.4f%n",
                    lang, base.getItems().get(lang), base.getAccuracy().get(lang), ablated.getAccuracy().get(lang),
                    command.get("baseline").get(lang).get("acc").asDouble(),
                    command.get("ablated").get("set").get(lang).get("acc").asDouble());
            assertEquals(command.get("baseline").get(lang).get("acc").asDouble(), base.getAccuracy().get(lang), 0.0, lang);
            assertEquals(command.get("ablated").get("set").get(lang).get("acc").asDouble(), ablated.getAccuracy().get(lang), 0.0, lang);
            assertEquals(LIMIT, base.getItems().get(lang), lang);
            assertEquals(LIMIT, command.get("baseline").get(lang).get("n").asInt(), lang);
            assertEquals(LIMIT, ablated.getItems().get(lang), lang);
        }
        assertEquals(Set.copyOf(LANGS), base.getAccuracy().keySet());
        assertEquals("xstorycloze", base.getTask());
        assertEquals("bloom-tiny@0", base.getCheckpointId());
        // the ablation reached the model (else a worker ignoring `ablate` would pass the equalities above)
        assertNotEquals(base.getAccuracy(), ablated.getAccuracy());
        // a duplicate is answered again, with the same values (the worker keeps no request history)
        assertEquals(base.getAccuracy(), results.get(2).value().getAccuracy());
        assertEquals(base.getItems(), results.get(2).value().getItems());

        String source = topics.name(Topic.EVAL_REQUESTS);
        assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 8L, 9L, 10L, 11L), letters.stream().map(r -> r.value().getSourceOffset()).toList());
        assertEquals(List.of("e-task", "e-lang", "e-ids", "e-ckpt", "e-poison", "e-limit", "e-twice", "e-nolang", "e-nodir"),
                letters.stream().map(ConsumerRecord::key).toList());
        String[][] reasons = {
            {"eval request 'e-task' (checkpoint 'bloom-tiny@0'): unknown task 'hellaswag'"},
            {"eval request 'e-lang' (checkpoint 'bloom-tiny@0'): no xstorycloze data for language 'ru'", "ru_eval.jsonl does not exist"},
            {"eval request 'e-ids' (checkpoint 'bloom-tiny@0'): ablate: neuron id 5000 is outside [0, 1024)"},
            {"eval request 'e-ckpt' (checkpoint 'bloom-tiny@0'): cannot load checkpoint", "(truncated file)"},
            {"record of topic '" + source + "'", "not Confluent wire format"},
            {"eval request 'e-limit' (checkpoint 'bloom-tiny@0'): limit must be positive, got 0"},
            {"eval request 'e-twice' (checkpoint 'bloom-tiny@0'): language 'en' is given twice"},
            {"eval request 'e-nolang' (checkpoint 'bloom-tiny@0'): no languages given"},
            {"eval request 'e-nodir' (checkpoint 'nodir@1'): checkpoint directory " + tmp.resolve("no-such-checkpoint")
                    + " does not exist"},
        };
        for (int i = 0; i < letters.size(); i++) {
            DeadLetter letter = letters.get(i).value();
            System.out.println("[kafka-worker] dead letter: " + letter.getError());
            assertEquals(source, letter.getSourceTopic());
            assertTrue(letter.getError().startsWith("topic " + source + " partition 0 offset " + letter.getSourceOffset()
                    + ": "), letter.getError());
            for (String reason : reasons[i]) {
                assertTrue(letter.getError().contains(reason), "lacks '" + reason + "': " + letter.getError());
            }
        }
    }

    @Test
    void crossLingualRequestsEqualHfAndCarrySamplesAndRegion() throws Exception {
        JsonNode ref;
        try (java.io.InputStream in = getClass().getResourceAsStream("/xstorycloze-xlingual/reference.json")) {
            ref = new ObjectMapper().readTree(in).get("models").get("bloom-tiny");
        }
        String region = ref.get("region").asText();
        List<Integer> key = java.util.stream.StreamSupport.stream(Fixtures.json(Fixtures.reference("bloom-tiny")
                .resolve("reference.json")).get("analysis").get("key_neurons").get("indices").get(region).spliterator(), false)
                .map(JsonNode::asInt).toList();
        // the shared data plus a language whose only story has no English counterpart
        Path shared = SharedData.require(SharedData.data().resolve("xstorycloze"));
        Path data = java.nio.file.Files.createDirectories(tmp.resolve("xsc"));
        for (String lang : List.of("en", "es", "zh")) {
            java.nio.file.Files.createSymbolicLink(data.resolve(lang + "_eval.jsonl"), shared.resolve(lang + "_eval.jsonl"));
        }
        java.nio.file.Files.writeString(data.resolve("xx_eval.jsonl"),
                "{\"story_id\":\"no-such-story\",\"input_sentence_1\":\"Xx.\",\"input_sentence_2\":\"Xx.\",\"input_sentence_3\":"
                + "\"Xx.\",\"input_sentence_4\":\"Xx.\",\"sentence_quiz1\":\"A.\",\"sentence_quiz2\":\"B.\",\"answer_right_ending\":1}\n");
        String model = Fixtures.model("bloom-tiny").toString();
        Topics topics = WorkerKit.freshTopics("xeval", 1);
        send(topics, List.of(
                EvalRequest.newBuilder(request("x-lingual", model, "xstorycloze", List.of("es", "zh"), key, 3))
                        .setCrossLingual(true).setSamples(true).setRegion(region).build(),                   // 0
                request("x-plain", model, "xstorycloze", List.of("es"), List.of(), 3),                       // 1
                EvalRequest.newBuilder(request("x-orphan", model, "xstorycloze", List.of("es", "xx"), List.of(), 3))
                        .setCrossLingual(true).build()));                                                      // 2
        WorkerSettings settings = withEvalData(WorkerKit.settings(topics, "xeval-1", 3, 1), Map.of("xstorycloze", data));
        List<ConsumerRecord<String, EvalResult>> results = new ArrayList<>();
        List<ConsumerRecord<String, DeadLetter>> letters = run(settings, topics, results, 2, 1);

        assertEquals(List.of("x-lingual", "x-plain"), results.stream().map(ConsumerRecord::key).toList());
        EvalResult x = results.get(0).value();
        assertTrue(x.getCrossLingual());
        assertEquals(region, x.getRegion());
        assertEquals(Set.of("es", "zh"), x.getSamples().keySet());
        for (String lang : List.of("es", "zh")) {
            int correct = 0;
            for (int q = 0; q < 3; q++) {
                var got = x.getSamples().get(lang).get(q);
                JsonNode want = ref.get("languages").get(lang).get(q);
                assertEquals(want.get("story_id").asText(), got.getStoryId());
                assertEquals(want.get("label").asInt(), got.getLabel());
                for (int c = 0; c < 2; c++) {
                    assertEquals(want.get("loglik_ablated").get(c).asDouble(), got.getLoglik().get(c), 1e-4, lang + " " + q);
                }
                correct += (got.getLoglik().get(1) > got.getLoglik().get(0) ? 1 : 0) == got.getLabel() ? 1 : 0;
            }
            assertEquals(correct / 3.0, x.getAccuracy().get(lang), 1e-12, lang);
            System.out.printf("[kafka-worker] cross-lingual eval %s, %s region zeroed: acc %.4f, log-likelihoods equal HF%n",
                    lang, region, x.getAccuracy().get(lang));
        }
        EvalResult plain = results.get(1).value();
        assertEquals(false, plain.getCrossLingual());
        assertEquals(null, plain.getRegion());
        assertEquals(Map.of(), plain.getSamples());
        assertEquals(List.of("x-orphan"), letters.stream().map(ConsumerRecord::key).toList());
        assertTrue(letters.get(0).value().getError().contains("eval request 'x-orphan' (checkpoint 'bloom-tiny@0'): "
                + data.resolve("xx_eval.jsonl") + " line 1: story_id 'no-such-story' has no English counterpart in "
                + data.resolve("en_eval.jsonl")), letters.get(0).value().getError());
    }

    @Test
    void aTaskWithoutConfiguredDataIsDeadLettered() throws Exception {
        Topics topics = WorkerKit.freshTopics("evalnodata", 1);
        send(topics, List.of(request("e-nodata", Fixtures.model("bloom-tiny").toString(), "xstorycloze", LANGS, List.of(), LIMIT)));
        List<ConsumerRecord<String, EvalResult>> results = new ArrayList<>();
        List<ConsumerRecord<String, DeadLetter>> letters = run(WorkerKit.settings(topics, "eval-2", 1, 1), topics, results, 0, 1);
        assertEquals(List.of(), results);
        assertEquals(List.of("e-nodata"), letters.stream().map(ConsumerRecord::key).toList());
        assertTrue(letters.get(0).value().getError().contains("eval request 'e-nodata' (checkpoint 'bloom-tiny@0'): no data "
                + "configured for task 'xstorycloze' on this worker (start it with --eval-data xstorycloze=DIR)"),
                letters.get(0).value().getError());
    }

    @Test
    void evalDataMustNameAKnownTaskAndAFolder() {
        WorkerCommand command = new WorkerCommand();
        new CommandLine(command).parseArgs("--bootstrap", "localhost:9092", "--registry", "http://localhost:8081",
                "--instance-id", "w1", "--checkpoint-root", tmp.toString(), "--eval-data", "xstorycloze=" + tmp);
        assertEquals(Map.of("xstorycloze", tmp), command.settings().evalData());
        assertTrue(new CommandLine(new WorkerCommand()).getUsageMessage().contains("--eval-data=TASK=DIR"));

        WorkerSettings plain = WorkerKit.settings(new Topics("x."), "eval-3", 1, 1);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> withEvalData(plain, Map.of("hellaswag", tmp)));
        assertTrue(unknown.getMessage().contains("eval data for unknown task 'hellaswag'"), unknown.getMessage());
        Path missing = tmp.resolve("missing");
        IllegalArgumentException noDir = assertThrows(IllegalArgumentException.class,
                () -> withEvalData(plain, Map.of("xstorycloze", missing)));
        assertEquals("eval data of task 'xstorycloze': " + missing + " is not a directory", noDir.getMessage());
    }

    /** Runs a worker until {@code nResults} results and {@code nLetters} dead letters are committed; returns the letters. */
    private static List<ConsumerRecord<String, DeadLetter>> run(WorkerSettings settings, Topics topics,
            List<ConsumerRecord<String, EvalResult>> results, int nResults, int nLetters) throws Exception {
        InferenceWorker worker = new InferenceWorker(settings);
        new Thread(worker, "worker-" + settings.instanceId()).start();
        List<ConsumerRecord<String, DeadLetter>> letters = new ArrayList<>();
        try (KafkaConsumer<String, EvalResult> rc = WorkerKit.consumer(topics, Topic.EVAL_RESULTS, EvalResult.class,
                "read_committed");
             KafkaConsumer<String, DeadLetter> dl = WorkerKit.deadLetters(topics)) {
            assertTrue(WorkerKit.pollUntil(dl, letters, l -> l.size() >= nLetters, Duration.ofSeconds(90)),
                    "dead letters: " + letters.size());
            assertTrue(WorkerKit.pollUntil(rc, results, l -> l.size() >= nResults, Duration.ofSeconds(90)),
                    "eval results: " + results.size());
            WorkerKit.drain(dl, letters, Duration.ofSeconds(1));
            WorkerKit.drain(rc, results, Duration.ofSeconds(1));
        } finally {
            worker.stop();
            assertTrue(worker.awaitFinished(Duration.ofSeconds(30)), "worker did not stop");
        }
        return letters;
    }

    private static WorkerSettings withEvalData(WorkerSettings s, Map<String, Path> evalData) {
        return new WorkerSettings(s.bootstrapServers(), s.registryUrl(), s.topics(), s.groupId(), s.instanceId(),
                s.requestsPerTransaction(), s.maxModels(), s.maxModelBytes(), s.device(), s.runtime(), s.transactionTimeout(),
                s.throttle(), s.clientOverrides(), evalData);
    }

    private static EvalRequest request(String id, String model, String task, List<String> langs, List<Integer> ablate,
                                       Integer limit) {
        return EvalRequest.newBuilder().setRequestId(id).setCheckpointId("bloom-tiny@0").setCheckpointPath(model)
                .setTask(task).setLanguages(langs).setAblate(ablate).setLimit(limit).build();
    }

    /** Sends eval requests keyed by requestId, in list order. */
    private static void send(Topics topics, List<EvalRequest> requests) throws Exception {
        Map<String, Object> config = WorkerKit.serdeClientConfig(WorkerKit.kafka().producerConfig());
        AvroSerializer<EvalRequest> values = new AvroSerializer<>();
        values.configure(config, false);
        try (KafkaProducer<String, EvalRequest> p = new KafkaProducer<>(config, new StringSerializer(), values)) {
            for (EvalRequest r : requests) {
                p.send(new ProducerRecord<>(topics.name(Topic.EVAL_REQUESTS), r.getRequestId(), r)).get();
            }
        }
    }
}
