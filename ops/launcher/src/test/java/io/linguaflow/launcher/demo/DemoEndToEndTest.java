package io.linguaflow.launcher.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.launcher.pipeline.LocalServices;
import io.linguaflow.ops.registry.RegistryServerProcess;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The main job as a user runs it: {@code linguaflow demo} in its own JVM, in a clone-like directory that has only
 * what the repository provides (no reference kit beside it), first headless, then serving its dashboard to headless
 * Chromium. Screenshots and the first run's report stay under {@code target/demo-e2e/} as test artefacts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Short training: three checkpoints, so every over-training panel has three points. */
    private static final String[] SHORT_RUN = {"--steps", "0,40,120"};
    private static final Path ARTEFACTS = Paths.get("target/demo-e2e").toAbsolutePath();

    private static Path clone;

    /**
     * A repository-shaped directory with the scripts and the built classpath files the demo starts the broker and
     * registry from, and nothing else: its parent has no {@code shared} folder.
     */
    @BeforeAll
    static void cloneLikeHome() throws IOException {
        Path home = RegistryServerProcess.locateHome();
        Assumptions.assumeTrue(Files.isRegularFile(home.resolve("ops/kafka-broker/target/classpath.txt")),
                "SKIPPED: ops/kafka-broker is not built (run from the reactor: mvn -pl ops/launcher -am verify)");
        deleteTree(ARTEFACTS);
        clone = Files.createDirectories(ARTEFACTS.resolve("clone/linguaflow"));
        for (String f : List.of("ops/local.sh", "ops/kafka-broker/target/classpath.txt",
                "ops/registry-server/target/classpath.txt", RegistryServerProcess.CONFIG_FILE)) {
            Files.createDirectories(clone.resolve(f).getParent());
            Files.copy(home.resolve(f), clone.resolve(f));
        }
        assertFalse(Files.exists(clone.getParent().resolve("shared")));
    }

    @Test
    @Order(1)
    void headlessRunTrainsAnalysesAndReports() throws Exception {
        Path run = clone.resolve("ops/run/demo");
        Process p = demo(List.of("--headless", "--http-port", Integer.toString(freePort())), run);
        List<String> lines = readAll(p);
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "demo did not end");
        String terminal = String.join("\n", lines);
        assertEquals(0, p.exitValue(), terminal);
        assertEquals(List.of(), LocalServices.leftovers(run), "processes left after the demo");

        // the terminal: events and the summary table, no library logging
        assertTrue(lines.stream().noneMatch(l -> l.contains(" INFO ") || l.contains("WARN ")), terminal);
        assertTrue(terminal.contains("checkpoint written") && terminal.contains("landed ") && terminal.contains("complete "), terminal);
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\s*step\\s+checkpoint\\s+LRDS\\s+SADS\\s+SKLR.*")), terminal);
        assertTrue(Files.size(run.resolve("demo.log")) > 0);

        JsonNode result = JSON.readTree(run.resolve("result.json").toFile());
        List<Long> steps = new ArrayList<>();
        for (JsonNode e : result.get("checkpoints")) {
            steps.add(e.get("step").asLong());
            assertEquals("COMPLETE", e.get("status").asText(), e.toString());
            assertEquals(9, e.get("metrics").get("languages").size(), e.toString());
            assertTrue(e.get("metrics").get("lrds").isNumber() && e.get("metrics").get("sads").isNumber(), e.toString());
        }
        assertEquals(List.of(0L, 40L, 120L), steps);

        List<Path> pngs;
        try (Stream<Path> files = Files.walk(run.resolve("report"))) {
            pngs = files.filter(f -> f.toString().endsWith(".png")).toList();
        }
        assertTrue(pngs.size() >= 6, "report PNGs: " + pngs);
        for (Path png : pngs) {
            BufferedImage img = ImageIO.read(png.toFile());
            assertTrue(img.getWidth() >= 400 && img.getHeight() >= 300, png + " is " + img.getWidth() + "x" + img.getHeight());
            assertTrue(colours(img) >= 8, png + " has " + colours(img) + " colours: blank?");
        }
        assertTrue(Files.isRegularFile(run.resolve("report/index.json")));
    }

    @Test
    @Order(2)
    void servingRunShowsEveryPanelInChromium() throws Exception {
        String chromium = chromium();
        Assumptions.assumeTrue(chromium != null,
                "SKIPPED: no chromium on PATH (.ci/run installs Debian's chromium; apt-get install -y chromium)");
        int port = freePort();
        Path run = clone.resolve("ops/run/demo");
        Process p = demo(List.of("--http-port", Integer.toString(port)), run);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("dashboard: ")) {
                seen.append(line).append('\n');
            }
            assertTrue(line != null, "the demo ended without serving:\n" + seen);

            String url = "http://localhost:" + port + "/";
            String dom = chromiumRun(chromium, "--dump-dom", url);
            Files.writeString(ARTEFACTS.resolve("dashboard.html"), dom);
            chromiumRun(chromium, "--screenshot=" + ARTEFACTS.resolve("dashboard.png"), url);
            for (String panel : DashboardPanels.ALL) {
                int shown = DashboardPanels.checkpoints(dom, panel);
                assertTrue(shown >= 3, "panel '" + panel + "' shows " + shown + " checkpoints (want >= 3); DOM in "
                        + ARTEFACTS.resolve("dashboard.html"));
            }
            BufferedImage shot = ImageIO.read(ARTEFACTS.resolve("dashboard.png").toFile());
            assertTrue(colours(shot) >= 50, "screenshot has " + colours(shot) + " colours");
        } finally {
            p.destroy(); // SIGTERM, as Ctrl-C would: the demo stops everything it started
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), "demo did not stop on SIGTERM");
        }
        assertEquals(List.of(), LocalServices.leftovers(run), "processes left after SIGTERM");
    }

    /** {@code linguaflow demo} in a fresh JVM in the clone, on this test's classpath, stdout piped back. */
    private static Process demo(List<String> args, Path run) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx3g", "-Dai.djl.offline=true", "-Dlinguaflow.home=" + clone, "-cp", System.getProperty("java.class.path"),
                "io.linguaflow.launcher.Linguaflow", "demo", "--no-build", "--run-dir", run.toString()));
        cmd.addAll(args);
        if (!args.contains("--steps")) {
            cmd.addAll(List.of(SHORT_RUN));
        }
        return new ProcessBuilder(cmd).directory(clone.toFile()).redirectErrorStream(true).start();
    }

    private static List<String> readAll(Process p) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static String chromiumRun(String chromium, String mode, String url) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        Process c = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--user-data-dir=" + profile, "--window-size=1366,2400", "--virtual-time-budget=20000", mode, url)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(c.waitFor(2, TimeUnit.MINUTES), "chromium did not finish");
        deleteTree(profile);
        return out;
    }

    private static String chromium() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv("PATH").split(":")) {
                if (Files.isExecutable(Paths.get(dir, name))) {
                    return Paths.get(dir, name).toString();
                }
            }
        }
        return null;
    }

    private static int colours(BufferedImage img) {
        Set<Integer> c = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                c.add(img.getRGB(x, y));
            }
        }
        return c.size();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> t = Files.walk(dir)) {
                for (Path f : t.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    /** The dashboard's panels ({@code data-panel}) and how many checkpoints each says it shows ({@code data-checkpoints}). */
    static final class DashboardPanels {
        static final List<String> ALL = List.of("checkpoints", "similarity", "trend", "layers", "key-layers",
                "key-languages", "neuron-types");

        static int checkpoints(String dom, String panel) {
            Matcher tag = Pattern.compile("<[^>]*data-panel=\"" + Pattern.quote(panel) + "\"[^>]*>").matcher(dom);
            if (!tag.find()) {
                return 0;
            }
            Matcher n = Pattern.compile("data-checkpoints=\"(\\d+)\"").matcher(tag.group());
            return n.find() ? Integer.parseInt(n.group(1)) : 0;
        }
    }
}
