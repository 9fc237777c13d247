package io.linguaflow.launcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The report against a stand-in REST API (JDK HTTP server, canned answers in the API's shapes): what it writes, what
 * it leaves out and why, 503 retried, and the errors that exit 2.
 */
class ReportCommandTest {

    private static final String SIMILARITY = "sampleId,en|1,zh|1\nen|1,1.0,-0.25\nzh|1,-0.25,1.0\n";

    private HttpServer server;
    private final Map<String, String> answers = new HashMap<>();
    private final AtomicInteger metricsCalls = new AtomicInteger();
    private final StringWriter logText = new StringWriter();
    private final PrintWriter log = new PrintWriter(logText, true);

    @BeforeEach
    void start() throws Exception {
        answers.put("/checkpoints", """
                [{"checkpointId":"tiny@200","model":"tiny","step":200,"status":"COMPLETE","samplesSeen":2,"samplesExpected":2},
                 {"checkpointId":"tiny@50","model":"tiny","step":50,"status":"AGGREGATING","samplesSeen":1,"samplesExpected":2}]""");
        answers.put("/checkpoints/tiny%40200/metrics", """
                {"checkpointId":"tiny@200","model":"tiny","step":200,"languages":["en","zh"],"layers":2,"complete":true,
                 "perLayer":[{"layer":0,"lrds":0.5,"sads":null},{"layer":1,"lrds":0.7070074767919408,"sads":0.021440227034248333}],
                 "keyNeuronCounts":{"en":3,"zh":1},"sklr":4}""");
        answers.put("/checkpoints/tiny%40200/key-regions/en", "{\"neurons\":[1,2,9],\"perLayerCounts\":[2,1]}");
        answers.put("/checkpoints/tiny%40200/key-regions/zh", "{\"neurons\":[10],\"perLayerCounts\":[0,1]}");
        answers.put("/checkpoints/tiny%40200/similarity.csv", SIMILARITY);
        answers.put("/models/tiny/trend", """
                {"model":"tiny","checkpoints":[
                 {"checkpointId":"tiny@50","step":50,"complete":false,"lrds":0.1,"sads":0.2,"sklr":1,"sklrFraction":0.1},
                 {"checkpointId":"tiny@200","step":200,"complete":true,"lrds":0.6,"sads":null,"sklr":4,"sklrFraction":0.25}]}""");
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            String body = answers.get(path);
            int status = body == null ? 404 : 200;
            if (path.endsWith("/metrics") && metricsCalls.incrementAndGet() == 1) {
                status = 503; // a rebalance: the first call is refused
                exchange.getResponseHeaders().add("Retry-After", "1");
            }
            if (status != 200) {
                body = "{\"status\":" + status + ",\"error\":\"not here: " + path + "\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url() {
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    @Test
    void writesTheFiguresOfEveryCompleteCheckpointAndSaysWhatItLeftOut(@TempDir Path out) throws Exception {
        List<Report.Written> written = Report.write(url(), List.of(), out, log);

        assertEquals(2, metricsCalls.get(), "the 503 is retried once");
        List<String> files = written.stream().map(w -> out.relativize(w.file()).toString()).toList();
        assertEquals(List.of("step-000200_lrds-sads-per-layer.png", "step-000200_lrds-sads-per-layer.csv",
                "step-000200_key-neurons-per-layer.png", "step-000200_key-neurons-per-layer.csv",
                "step-000200_key-neurons-per-language.png", "step-000200_key-neurons-per-language.csv",
                "step-000200_similarity-map.png", "step-000200_similarity-map.csv",
                "trend_lrds-sads-sklr.png", "trend_lrds-sads-sklr.csv"), files);
        for (String f : files) {
            assertTrue(logText.toString().contains(out.resolve(f) + "  "), "a line for " + f);
            if (f.endsWith(".png")) {
                assertTrue(ImageIO.read(out.resolve(f).toFile()).getWidth() >= 1000, f);
            }
        }
        assertTrue(logText.toString().contains("note: tiny@50 left out: AGGREGATING (1 of 2 samples)"), logText.toString());
        assertTrue(logText.toString().contains("note: tiny@200: no neuron types (404"), logText.toString());
        assertTrue(logText.toString().contains("note: tiny trend: tiny@50 is not complete yet, left out"), logText.toString());

        assertEquals("layer,lrds,sads\n0,0.5,\n1,0.7070074767919408,0.021440227034248333\n",
                Files.readString(out.resolve("step-000200_lrds-sads-per-layer.csv")));
        assertEquals("layer,en,zh\n0,2,0\n1,1,1\n", Files.readString(out.resolve("step-000200_key-neurons-per-layer.csv")));
        assertEquals("lang,language,key_neurons\nen,English,3\nzh,Chinese,1\n",
                Files.readString(out.resolve("step-000200_key-neurons-per-language.csv")));
        assertEquals(SIMILARITY, Files.readString(out.resolve("step-000200_similarity-map.csv")));
        assertEquals("step,checkpoint_id,lrds,sads,sklr,sklr_fraction\n200,tiny@200,0.6,,4,0.25\n",
                Files.readString(out.resolve("trend_lrds-sads-sklr.csv")));

        JsonNode index = Rest.JSON.readTree(out.resolve("index.json").toFile());
        assertEquals(url().toString(), index.get("url").asText());
        assertEquals("tiny@200", index.get("checkpoints").get(0).asText());
        assertEquals(files.size(), index.get("files").size());
        JsonNode first = index.get("files").get(0);
        assertEquals("step-000200_lrds-sads-per-layer.png", first.get("file").asText());
        assertEquals("Figure 3", first.get("figure").asText());
        assertEquals("tiny@200", first.get("checkpoint").asText());
        assertTrue(index.get("files").get(files.size() - 1).get("checkpoint").isNull(), "a trend has no checkpoint");
    }

    @Test
    void aNamedCheckpointMustBeKnownAndComplete(@TempDir Path out) {
        ReportException unknown = assertThrows(ReportException.class, () -> Report.write(url(), List.of("tiny@7"), out, log));
        assertTrue(unknown.getMessage().contains("unknown checkpoint 'tiny@7'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("tiny@200 (COMPLETE)"), unknown.getMessage());
        ReportException unfinished = assertThrows(ReportException.class, () -> Report.write(url(), List.of("tiny@50"), out, log));
        assertEquals("checkpoint 'tiny@50' is not complete yet: AGGREGATING, 1 of 2 samples", unfinished.getMessage());
    }

    @Test
    void theCommandExits2WhenNoApiAnswersOrACheckpointIsUnknown(@TempDir Path out) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ReportException none = assertThrows(ReportException.class,
                () -> Report.write(URI.create("http://localhost:" + closedPort), List.of(), out, log));
        assertTrue(none.getMessage().startsWith("no linguaflow REST API answers at http://localhost:" + closedPort), none.getMessage());

        assertEquals(2, new CommandLine(new ReportCommand()).execute("--url", "http://localhost:" + closedPort, "--out", out.toString()));
        assertEquals(2, new CommandLine(new ReportCommand()).execute("--url", url().toString(), "--checkpoint", "x@1", "--out", out.toString()));
    }
}
