package io.linguaflow.launcher.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.examples.trend.TrendConsumer;
import io.linguaflow.launcher.pipeline.Pipeline;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import io.linguaflow.streams.config.EvaluationSettings;
import io.linguaflow.worker.cli.EvalCommand;
import io.linguaflow.worker.cli.Table1Command;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Table 1 and XStoryCloze per checkpoint through the real pipeline (in-JVM KRaft broker, registry server, streams, worker)
 * on the fixture BLOOM and corpus: the table streams publishes once the key regions are final equals what
 * {@code linguaflow table1} writes on the same inputs, its CSV is served too, and the monolingual XStoryCloze accuracy the
 * worker answered joins the model's trend with the value {@code linguaflow eval} gives.
 */
class Table1PipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 5;
    private static final int STORIES = 8;

    @Test
    void streamedTableEqualsTheBatchTableAndStoryClozeJoinsTheTrend(@TempDir Path state, @TempDir Path out) throws Exception {
        Path model = SharedData.require(SharedData.fixtures().resolve("models/bloom-tiny"));
        Path corpus = SharedData.fixtures().resolve("corpus.tsv");
        Path stories = SharedData.require(SharedData.data().resolve("xstorycloze"));
        Pipeline.Config config = new Pipeline.Config(TestKafka.shared().bootstrapServers(), TestRegistry.shared().url(),
                "table1-" + UUID.randomUUID().toString().substring(0, 8) + ".", state, freePort(), 2, Duration.ofMinutes(3));
        EvaluationSettings evaluations = EvaluationSettings.off().withEvalCorpus("corpus").withRandomSeed(SEED)
                .withStoryCloze(List.of("en", "zh"), STORIES, false);
        JsonNode streamed;
        String csv;
        JsonNode trend;
        JsonNode consumed;
        String cp;
        try (Pipeline pipeline = Pipeline.start(config, s -> s.withEvaluations(evaluations), Map.of("xstorycloze", stories))) {
            pipeline.produceCorpus(corpus);
            Pipeline.Landed landed = pipeline.land(model, "corpus", 2.0);
            assertEquals(Stage.COMPLETE, landed.stage());
            cp = landed.event().getCheckpointId();
            String base = pipeline.url() + "/checkpoints/" + enc(cp);
            streamed = JSON.readTree(await(base + "/ablation-table", Duration.ofMinutes(4)));
            csv = await(base + "/ablation-table?format=csv", Duration.ofSeconds(30));
            await(base + "/evaluations", Duration.ofMinutes(2));
            // both XStoryCloze variants were asked for; each joins the trend when its result arrives
            long joined = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            do {
                trend = pipeline.get("/models/" + enc(landed.event().getModel()) + "/trend");
            } while (!(trend.at("/checkpoints/0/evaluations/xstorycloze/monolingual/full/accuracy").isObject()
                    && trend.at("/checkpoints/0/evaluations/xstorycloze/cross-lingual/full/accuracy").isObject())
                    && System.nanoTime() < joined);
            // the REST API serves the table from the store as soon as it is assembled; the topic has it once the
            // transaction commits
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            do {
                consumed = TrendConsumer.rebuild(config.bootstrapServers(), config.registryUrl(), pipeline.topics())
                        .get("models").get(landed.event().getModel());
            } while (!consumed.get(0).has("table1") && System.nanoTime() < deadline);
        }

        Path batch = out.resolve("t.json");
        assertEquals(0, new CommandLine(new Table1Command()).execute("--model", model.toString(), "--corpus", corpus.toString(),
                "--random-seed", Long.toString(SEED), "--out", batch.toString(), "--threads", "1"));
        JsonNode expected = JSON.readTree(batch.toFile());
        assertSameTable(expected, streamed, "");
        assertEquals(1 + expected.get("languages").size() + 2, csv.strip().split("\n").length, csv);

        JsonNode point = trend.get("checkpoints").get(0);
        assertEquals(cp, point.get("checkpointId").asText());
        JsonNode mono = point.at("/evaluations/xstorycloze/monolingual/full/accuracy");
        JsonNode crossLingual = point.at("/evaluations/xstorycloze/cross-lingual/full/accuracy");
        // the downstream consumer example, from the topics alone, sees the same trend and table
        assertEquals(1, consumed.size());
        for (String field : List.of("checkpointId", "lrds", "sads", "sklr")) {
            assertEquals(point.get(field), consumed.get(0).get(field), field);
        }
        for (JsonNode lang : expected.get("languages")) {
            assertEquals(streamed.at("/increase_pct/" + lang.asText() + "/" + lang.asText()).asDouble(),
                    consumed.get(0).at("/table1/ownRegionIncreasePct/" + lang.asText()).asDouble(), lang.asText() + " in " + consumed);
        }
        Path evalOut = out.resolve("e.json");
        assertEquals(0, new CommandLine(new EvalCommand()).execute("--model", model.toString(), "--xstorycloze", stories.toString(),
                "--langs", "en,zh", "--limit", Integer.toString(STORIES), "--out", evalOut.toString(), "--threads", "1"));
        JsonNode eval = JSON.readTree(evalOut.toFile());
        Path crossOut = out.resolve("x.json");
        assertEquals(0, new CommandLine(new EvalCommand()).execute("--model", model.toString(), "--xstorycloze", stories.toString(),
                "--langs", "en,zh", "--limit", Integer.toString(STORIES), "--cross-lingual", "--out", crossOut.toString(),
                "--threads", "1"));
        JsonNode cross = JSON.readTree(crossOut.toFile());
        for (String lang : List.of("en", "zh")) {
            assertEquals(eval.at("/baseline/" + lang + "/acc").asDouble(), mono.get(lang).asDouble(), 1e-12, lang);
            assertEquals(cross.at("/baseline/" + lang + "/acc").asDouble(), crossLingual.get(lang).asDouble(), 1e-12,
                    "cross-lingual " + lang);
        }
    }

    /** Same keys, same strings and integers, doubles equal to 1e-9 relative (two runs of the same float32 forward passes). */
    private static void assertSameTable(JsonNode want, JsonNode got, String at) {
        if (want.isObject()) {
            assertEquals(iterable(want.fieldNames()), iterable(got.fieldNames()), "keys at " + at);
            want.properties().forEach(e -> assertSameTable(e.getValue(), got.get(e.getKey()), at + "/" + e.getKey()));
        } else if (want.isArray()) {
            assertEquals(want.size(), got.size(), at);
            for (int i = 0; i < want.size(); i++) {
                assertSameTable(want.get(i), got.get(i), at + "/" + i);
            }
        } else if (want.isFloatingPointNumber()) {
            assertEquals(want.asDouble(), got.asDouble(), 1e-9 * Math.max(1, Math.abs(want.asDouble())), at);
        } else {
            assertEquals(want, got, at);
        }
    }

    private static List<String> iterable(Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** GET until 200 (404 while the answer is not there yet, 503 during rebalances). */
    private static String await(String url, Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return r.body();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("GET " + url + " still answers " + r.statusCode() + " after " + timeout + ": " + r.body());
            }
            Thread.sleep(500);
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
