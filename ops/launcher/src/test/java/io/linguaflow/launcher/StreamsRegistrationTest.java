package io.linguaflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StreamsRegistrationTest {

    @Test
    void streamsIsASubcommandThatNamesMissingOptions() {
        CommandLine cmd = new CommandLine(new Linguaflow());
        assertTrue(cmd.getSubcommands().containsKey("streams"));
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute("streams", "--bootstrap-servers", "localhost:9092");
        assertEquals(2, exit);
        assertTrue(err.toString().contains("--registry") && err.toString().contains("--state-dir"), err.toString());
    }
}
