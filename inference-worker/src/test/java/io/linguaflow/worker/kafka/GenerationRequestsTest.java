package io.linguaflow.worker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.DeadLetter;
import io.linguaflow.schemas.avro.GenerationRequest;
import io.linguaflow.schemas.avro.GenerationResult;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.worker.Fixtures;
import io.linguaflow.worker.cli.GenerateCommand;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Generation requests through the worker (real broker and registry, bloom-tiny): greedy results equal HF
 * {@code generate} (the committed reference), plain and with the zh key region zeroed; a sampled result equals the
 * {@code generate} command's for the same seed; each bad request is one dead letter naming it and the worker goes on.
 */
class GenerationRequestsTest {

    private static final String MODEL = "bloom-tiny";

    @TempDir
    Path tmp;

    @Test
    void resultsEqualHfAndTheCommandAndBadRequestsAreDeadLettered() throws Exception {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/generation/reference.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        JsonNode entry = ref.get("models").get(MODEL);
        int maxNew = ref.get("max_new_tokens").asInt();
        String region = entry.get("region").asText();
        List<Integer> key = StreamSupport.stream(Fixtures.json(Fixtures.reference(MODEL).resolve("reference.json"))
                .get("analysis").get("key_neurons").get("indices").get(region).spliterator(), false).map(JsonNode::asInt).toList();
        String model = Fixtures.model(MODEL).toString();
        JsonNode ablatedRef = entry.get("ablated").get(0);
        JsonNode plainRef = entry.get("plain").get(1);
        Topics topics = WorkerKit.freshTopics("generate", 1);

        send(topics, List.of(
                greedy("g-ablated", model, ablatedRef.get("prompt").asText(), key, region, maxNew),        // 0
                greedy("g-plain", model, plainRef.get("prompt").asText(), List.of(), null, maxNew),         // 1
                greedy("g-empty", model, "", List.of(), null, maxNew),                                      // 2
                greedy("g-zero", model, "Hello", List.of(), null, 0),                                       // 3
                GenerationRequest.newBuilder(greedy("g-mixed", model, "Hello", List.of(), null, 4))
                        .setTemperature(0.5).build()));                                                     // 4
        WorkerKit.produceRaw(topics, Topic.GENERATION_REQUESTS, "g-poison".getBytes(StandardCharsets.UTF_8),
                "not avro".getBytes(StandardCharsets.UTF_8));                                               // 5
        send(topics, List.of(
                GenerationRequest.newBuilder(greedy("g-sampled", model, "Le petit chat", List.of(), null, 10))
                        .setGreedy(false).setSeed(5L).setTemperature(0.8).setTopP(0.9).build(),             // 6
                greedy("g-ids", model, "Hello", List.of(3, 4096), "bad", 4),                                // 7
                GenerationRequest.newBuilder(greedy("g-nodir", tmp.resolve("no-such-checkpoint").toString(), "Hello",
                        List.of(), null, 4)).setCheckpointId("nodir@1").build()));                          // 8

        List<ConsumerRecord<String, GenerationResult>> results = new ArrayList<>();
        List<ConsumerRecord<String, DeadLetter>> letters = new ArrayList<>();
        InferenceWorker worker = new InferenceWorker(WorkerKit.settings(topics, "generate-1", 3, 1));
        new Thread(worker, "worker-generate-1").start();
        try (KafkaConsumer<String, GenerationResult> rc = WorkerKit.consumer(topics, Topic.GENERATION_RESULTS,
                GenerationResult.class, "read_committed");
             KafkaConsumer<String, DeadLetter> dl = WorkerKit.deadLetters(topics)) {
            assertTrue(WorkerKit.pollUntil(dl, letters, l -> l.size() >= 6, Duration.ofSeconds(90)), "dead letters: " + letters.size());
            assertTrue(WorkerKit.pollUntil(rc, results, l -> l.size() >= 3, Duration.ofSeconds(90)), "results: " + results.size());
            WorkerKit.drain(dl, letters, Duration.ofSeconds(1));
            WorkerKit.drain(rc, results, Duration.ofSeconds(1));
        } finally {
            worker.stop();
            assertTrue(worker.awaitFinished(Duration.ofSeconds(30)), "worker did not stop");
        }

        assertEquals(List.of("g-ablated", "g-plain", "g-sampled"), results.stream().map(ConsumerRecord::key).toList());
        GenerationResult ablated = results.get(0).value();
        assertEquals(region, ablated.getRegion());
        assertEquals("bloom-tiny@0", ablated.getCheckpointId());
        assertEquals(ints(ablatedRef.get("prompt_ids")), ablated.getPromptIds());
        assertEquals(ints(ablatedRef.get("generated_ids")), ablated.getGeneratedIds());
        assertEquals(ablatedRef.get("text").asText(), ablated.getText());
        GenerationResult plain = results.get(1).value();
        assertNull(plain.getRegion());
        assertEquals(ints(plainRef.get("generated_ids")), plain.getGeneratedIds());
        assertEquals(plainRef.get("text").asText(), plain.getText());
        System.out.printf("[kafka-worker] generation: ablated (%s) and plain results equal HF generate, %d tokens each%n",
                region, ablated.getGeneratedIds().size());

        // the generate command, in-process, with the sampled request's options
        Path out = tmp.resolve("g.json");
        assertEquals(0, new CommandLine(new GenerateCommand()).execute("--model", model, "--prompt", "Le petit chat",
                "--max-new-tokens", "10", "--seed", "5", "--temperature", "0.8", "--top-p", "0.9", "--out", out.toString()));
        JsonNode command = new ObjectMapper().readTree(out.toFile());
        GenerationResult sampled = results.get(2).value();
        assertEquals(ints(command.get("prompt_ids")), sampled.getPromptIds());
        assertEquals(ints(command.get("generated_ids")), sampled.getGeneratedIds());
        assertEquals(command.get("text").asText(), sampled.getText());
        assertEquals(10, sampled.getGeneratedIds().size());

        String source = topics.name(Topic.GENERATION_REQUESTS);
        assertEquals(List.of(2L, 3L, 4L, 5L, 7L, 8L), letters.stream().map(r -> r.value().getSourceOffset()).toList());
        assertEquals(List.of("g-empty", "g-zero", "g-mixed", "g-poison", "g-ids", "g-nodir"), letters.stream().map(ConsumerRecord::key).toList());
        String[] reasons = {
            "generation request 'g-empty' (checkpoint 'bloom-tiny@0'): prompt \"\" tokenizes to nothing",
            "generation request 'g-zero' (checkpoint 'bloom-tiny@0'): max new tokens must be >= 1, got 0",
            "generation request 'g-mixed' (checkpoint 'bloom-tiny@0'): greedy is true but seed, temperature or topP is set",
            "not Confluent wire format",
            "generation request 'g-ids' (checkpoint 'bloom-tiny@0'): ablate: neuron id 4096 is outside [0, 1024)",
            "generation request 'g-nodir' (checkpoint 'nodir@1'): checkpoint directory " + tmp.resolve("no-such-checkpoint")
                    + " does not exist",
        };
        for (int i = 0; i < letters.size(); i++) {
            DeadLetter letter = letters.get(i).value();
            System.out.println("[kafka-worker] dead letter: " + letter.getError());
            assertEquals(source, letter.getSourceTopic());
            assertTrue(letter.getError().startsWith("topic " + source + " partition 0 offset " + letter.getSourceOffset() + ": "),
                    letter.getError());
            assertTrue(letter.getError().contains(reasons[i]), "lacks '" + reasons[i] + "': " + letter.getError());
        }
    }

    private static List<Integer> ints(JsonNode array) {
        return Arrays.stream(StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray()).boxed().toList();
    }

    private static GenerationRequest greedy(String id, String model, String prompt, List<Integer> ablate, String region,
                                            int maxNewTokens) {
        return GenerationRequest.newBuilder().setRequestId(id).setCheckpointId("bloom-tiny@0").setCheckpointPath(model)
                .setPrompt(prompt).setAblate(ablate).setRegion(region).setMaxNewTokens(maxNewTokens).build();
    }

    private static void send(Topics topics, List<GenerationRequest> requests) throws Exception {
        Map<String, Object> config = WorkerKit.serdeClientConfig(WorkerKit.kafka().producerConfig());
        AvroSerializer<GenerationRequest> values = new AvroSerializer<>();
        values.configure(config, false);
        try (KafkaProducer<String, GenerationRequest> p = new KafkaProducer<>(config, new StringSerializer(), values)) {
            for (GenerationRequest r : requests) {
                p.send(new ProducerRecord<>(topics.name(Topic.GENERATION_REQUESTS), r.getRequestId(), r)).get();
            }
        }
    }
}
