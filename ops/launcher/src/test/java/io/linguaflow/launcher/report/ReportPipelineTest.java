package io.linguaflow.launcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.launcher.pipeline.Pipeline;
import io.linguaflow.launcher.pipeline.PipelineReport;
import io.linguaflow.schemas.testkit.TestKafka;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report against a real running pipeline (as {@code PipelineTrendTest} runs it: real worker and streams on the
 * in-JVM broker and registry) with two checkpoints of the reference kit's training run: every file is there, every PNG
 * is a valid image of its size, and every CSV holds exactly what the REST API served.
 */
class ReportPipelineTest {

    private static final long[] STEPS = {0, 200};
    private static final List<String> FIGURES = List.of("lrds-sads-per-layer", "key-neurons-per-layer", "key-neurons-per-language",
            "neuron-types-per-layer", "similarity-map");

    @Test
    void reportOfARunningPipelineHoldsWhatItsRestApiServes(@TempDir Path state, @TempDir Path out) throws Exception {
        Path fixtures = SharedData.require(SharedData.fixtures().resolve("checkpoints"));
        List<Path> dirs = new ArrayList<>();
        for (long s : STEPS) {
            dirs.add(fixtures.resolve("bloom-tiny-train/step-" + s));
        }
        Pipeline.Config config = new Pipeline.Config(TestKafka.shared().bootstrapServers(), TestRegistry.shared().url(),
                "report-" + UUID.randomUUID().toString().substring(0, 8) + ".", state, freePort(), 2, Duration.ofMinutes(3));
        PrintWriter log = new PrintWriter(System.out, true);
        try (Pipeline pipeline = Pipeline.start(config)) {
            PipelineReport.run(pipeline, fixtures.resolve("analysis-corpus.tsv"), dirs, 2.0, log);
            URI url = URI.create(pipeline.url());
            long t0 = System.nanoTime();
            List<Report.Written> written = Report.write(url, List.of(), out, log);
            log.printf("report of %d checkpoints in %.1f s%n", STEPS.length, (System.nanoTime() - t0) / 1e9);

            List<String> expected = new ArrayList<>();
            for (long step : STEPS) {
                for (String f : FIGURES) {
                    expected.add(String.format("step-%06d_%s.png", step, f));
                    expected.add(String.format("step-%06d_%s.csv", step, f));
                }
            }
            expected.add("trend_lrds-sads-sklr.png");
            expected.add("trend_lrds-sads-sklr.csv");
            assertEquals(expected, written.stream().map(w -> out.relativize(w.file()).toString()).toList());
            for (String f : expected) {
                if (f.endsWith(".png")) {
                    BufferedImage image = ImageIO.read(out.resolve(f).toFile());
                    assertNotNull(image, f + " is not a PNG");
                    assertEquals(f.contains("similarity-map") ? 1000 : 1200, image.getWidth(), f);
                }
            }
            assertEquals(expected.size(), Rest.JSON.readTree(out.resolve("index.json").toFile()).get("files").size());

            for (long step : STEPS) {
                assertCheckpointCsvs(pipeline, "bloom-tiny-train@" + step, out, String.format("step-%06d_", step));
            }
            JsonNode trend = pipeline.get("/models/bloom-tiny-train/trend").get("checkpoints");
            List<String[]> rows = csv(out.resolve("trend_lrds-sads-sklr.csv"));
            assertEquals(trend.size(), rows.size());
            for (int i = 0; i < trend.size(); i++) {
                JsonNode p = trend.get(i);
                String[] r = rows.get(i);
                assertEquals(p.get("step").asLong(), Long.parseLong(r[0]));
                assertEquals(p.get("checkpointId").asText(), r[1]);
                assertEquals(p.get("lrds").asDouble(), Double.parseDouble(r[2]), "exact");
                assertEquals(p.get("sads").asDouble(), Double.parseDouble(r[3]), "exact");
                assertEquals(p.get("sklr").asInt(), Integer.parseInt(r[4]));
                assertEquals(p.get("sklrFraction").asDouble(), Double.parseDouble(r[5]), "exact");
            }

            ReportException unknown = assertThrows(ReportException.class,
                    () -> Report.write(url, List.of("bloom-tiny-train@50"), out.resolve("again"), log));
            assertTrue(unknown.getMessage().contains("unknown checkpoint 'bloom-tiny-train@50'"), unknown.getMessage());
        }
    }

    /** The per-checkpoint CSVs against the metrics, key regions, neuron types and similarity map served. */
    private static void assertCheckpointCsvs(Pipeline pipeline, String id, Path out, String stem) throws Exception {
        String path = "/checkpoints/" + Rest.enc(id);
        JsonNode m = pipeline.get(path + "/metrics");
        List<String[]> perLayer = csv(out.resolve(stem + "lrds-sads-per-layer.csv"));
        assertEquals(m.get("layers").asInt(), perLayer.size());
        for (int l = 0; l < perLayer.size(); l++) {
            JsonNode served = m.get("perLayer").get(l);
            assertEquals(served.get("lrds").asDouble(), Double.parseDouble(perLayer.get(l)[1]), id + " layer " + l);
            assertEquals(served.get("sads").asDouble(), Double.parseDouble(perLayer.get(l)[2]), id + " layer " + l);
        }
        List<String[]> perLanguage = csv(out.resolve(stem + "key-neurons-per-language.csv"));
        List<String[]> perLayerCounts = csv(out.resolve(stem + "key-neurons-per-layer.csv"));
        for (int i = 0; i < m.get("languages").size(); i++) {
            String lang = m.get("languages").get(i).asText();
            assertEquals(lang, perLanguage.get(i)[0]);
            assertEquals(m.get("keyNeuronCounts").get(lang).asInt(), Integer.parseInt(perLanguage.get(i)[2]), id + " " + lang);
            JsonNode counts = pipeline.get(path + "/key-regions/" + Rest.enc(lang)).get("perLayerCounts");
            for (int l = 0; l < counts.size(); l++) {
                assertEquals(counts.get(l).asInt(), Integer.parseInt(perLayerCounts.get(l)[i + 1]), id + " " + lang + " layer " + l);
            }
        }
        JsonNode types = pipeline.get(path + "/neuron-types");
        List<String[]> typeRows = csv(out.resolve(stem + "neuron-types-per-layer.csv"));
        for (int l = 0; l < typeRows.size(); l++) {
            assertEquals(types.get("specificPerLayer").get(l).asInt(), Integer.parseInt(typeRows.get(l)[1]));
            assertEquals(types.get("relatedPerLayer").get(l).asInt(), Integer.parseInt(typeRows.get(l)[2]));
            assertEquals(types.get("generalPerLayer").get(l).asInt(), Integer.parseInt(typeRows.get(l)[3]));
        }
        HttpResponse<String> map = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(pipeline.url() + path + "/similarity.csv")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, map.statusCode());
        assertEquals(map.body(), Files.readString(out.resolve(stem + "similarity-map.csv")), id + ": the similarity map as served");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Data rows (header dropped); the report's CSVs quote nothing here. */
    private static List<String[]> csv(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        return lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
    }
}
