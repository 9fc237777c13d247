package io.linguaflow.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.launcher.Linguaflow;
import io.linguaflow.ops.registry.RegistryServerProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code linguaflow pipeline}: its own embedded broker and registry end to end, and its option errors. */
class PipelineCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void embeddedBrokerAndRegistryRunACheckpointAndStopEverything(@TempDir Path work) throws Exception {
        Path fixtures = SharedData.require(SharedData.fixtures().resolve("checkpoints"));
        Path home = RegistryServerProcess.locateHome();
        Assumptions.assumeTrue(Files.isRegularFile(home.resolve("ops/kafka-broker/target/classpath.txt")),
                "SKIPPED: ops/kafka-broker is not built (run from the reactor: mvn -pl ops/launcher -am test)");
        Path out = work.resolve("R.json");
        Result r = execute("pipeline", "--checkpoint", fixtures.resolve("bloom-tiny-train/step-800").toString(),
                "--corpus", fixtures.resolve("analysis-corpus.tsv").toString(), "--out", out.toString(),
                "--work-dir", work.resolve("w").toString(), "--home", home.toString(), "--no-build");
        assertEquals(0, r.exit, r.err);
        assertEquals(java.util.List.of(), LocalServices.leftovers(work.resolve("w/run")), "processes left after the command");

        JsonNode entry = JSON.readTree(out.toFile()).get("checkpoints").get(0);
        JsonNode ref = JSON.readTree(fixtures.resolve("reference/step-800/reference.json").toFile()).get("analysis");
        assertEquals(800, entry.get("step").asLong());
        assertEquals(fixtures.resolve("bloom-tiny-train/step-800").toAbsolutePath().normalize().toString(), entry.get("path").asText());
        JsonNode m = entry.get("metrics");
        assertEquals(ref.get("overall").get("lrds").asDouble(), m.get("lrds").asDouble(), 1e-6);
        assertEquals(ref.get("overall").get("sads").asDouble(), m.get("sads").asDouble(), 1e-6);
        assertEquals(ref.get("per_layer").get(2).get("sads").asDouble(), m.get("per_layer").get("sads").get(2).asDouble(), 1e-6);
        assertEquals(ref.get("key_neurons").get("counts"), m.get("key_neuron_counts"));
        assertEquals(ref.get("key_neurons").get("counts_per_layer"), m.get("key_neurons_per_layer"));
        for (String lang : new String[] {"en", "zh", "ar", "hi"}) {
            assertEquals(ints(ref.get("key_neurons").get("indices").get(lang)), ints(entry.get("key_regions").get(lang)), lang);
        }
    }

    @Test
    void optionErrorsNameTheOption(@TempDir Path work) throws Exception {
        Path corpus = Files.writeString(work.resolve("c.tsv"), "id\tlang\ttext\n1\ten\tHello\n");
        Result r = execute("pipeline", "--checkpoint", work.toString(), "--corpus", corpus.toString(), "--out", "R.json",
                "--bootstrap", "localhost:9092");
        assertEquals(2, r.exit);
        assertTrue(r.err.contains("--bootstrap and --registry go together"), r.err);

        r = execute("pipeline", "--checkpoint", work.toString(), "--corpus", work.resolve("missing.tsv").toString(), "--out", "R.json");
        assertEquals(2, r.exit);
        assertTrue(r.err.contains("--corpus " + work.resolve("missing.tsv") + " is not a file"), r.err);

        r = execute("pipeline", "--checkpoint", work.toString(), "--corpus", corpus.toString());
        assertEquals(2, r.exit);
        assertTrue(r.err.contains("--out R.json is required"), r.err);

        // not a checkpoint: refused before a broker starts, naming the file
        r = execute("pipeline", "--checkpoint", work.toString(), "--corpus", corpus.toString(), "--out", "R.json");
        assertEquals(2, r.exit);
        assertTrue(r.err.startsWith("error: ") && r.err.contains(work.resolve("config.json").toString()), r.err);
        assertTrue(!r.err.contains("starting a broker"), r.err);
    }

    private record Result(int exit, String err) {
    }

    private static Result execute(String... args) {
        CommandLine cmd = new CommandLine(new Linguaflow());
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        return new Result(cmd.execute(args), err.toString());
    }

    private static Set<Integer> ints(JsonNode array) {
        Set<Integer> s = new HashSet<>();
        array.forEach(n -> s.add(n.asInt()));
        return s;
    }
}
