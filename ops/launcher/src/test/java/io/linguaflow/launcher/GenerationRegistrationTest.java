package io.linguaflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code generate}, {@code request-generation} and the cross-lingual eval options are reachable from the launcher. */
class GenerationRegistrationTest {

    private static String help(String... args) {
        CommandLine cmd = new CommandLine(new Linguaflow());
        StringWriter out = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        assertEquals(0, cmd.execute(args));
        return out.toString();
    }

    @Test
    void generationAndCrossLingualOptionsAreListed() {
        String generate = help("generate", "--help");
        for (String option : new String[] {"--model", "--prompt", "--ablate", "--region", "--max-new-tokens", "--greedy",
            "--seed", "--temperature", "--top-p", "--out"}) {
            assertTrue(generate.contains(option), option + " in\n" + generate);
        }
        String request = help("request-generation", "--help");
        for (String option : new String[] {"--prompt", "--key-regions", "--region", "--max-new-tokens", "--bootstrap"}) {
            assertTrue(request.contains(option), option + " in\n" + request);
        }
        assertTrue(help("eval", "--help").contains("--cross-lingual"));
        assertTrue(help("eval", "--help").contains("--samples"));
        assertTrue(help("request-eval", "--help").contains("--cross-lingual"));
    }
}
