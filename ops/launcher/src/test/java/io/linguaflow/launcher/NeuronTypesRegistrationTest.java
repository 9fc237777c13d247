package io.linguaflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class NeuronTypesRegistrationTest {

    @Test
    void neuronTypesIsASubcommandThatReportsBadInput() {
        CommandLine cmd = new CommandLine(new Linguaflow());
        assertTrue(cmd.getSubcommands().containsKey("neuron-types"));
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute("neuron-types", "--probabilities", "does-not-exist.npy", "--languages", "en,de",
                "--out", "unused.json");
        assertEquals(1, exit);
        assertTrue(err.toString().contains("does-not-exist.npy"), err.toString());
    }
}
