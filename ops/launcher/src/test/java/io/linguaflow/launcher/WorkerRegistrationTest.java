package io.linguaflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class WorkerRegistrationTest {

    @Test
    void workerIsASubcommandWithHelp() {
        CommandLine cmd = new CommandLine(new Linguaflow());
        assertTrue(cmd.getSubcommands().containsKey("worker"));
        StringWriter out = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        assertEquals(0, cmd.execute("worker", "--help"));
        for (String option : new String[] {"--bootstrap", "--registry", "--group", "--instance-id", "--batch-size",
            "--max-models", "--max-model-bytes", "--device", "--requests-per-transaction", "--checkpoint-root",
            "--kafka-config-file", "--kafka-config"}) {
            assertTrue(out.toString().contains(option), option + " in\n" + out);
        }
    }

    @Test
    void badOptionsAreReportedBeforeAnyBrokerIsContacted() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            CommandLine cmd = new CommandLine(new Linguaflow());
            assertEquals(2, cmd.execute("worker", "--bootstrap", "127.0.0.1:1", "--registry", "http://127.0.0.1:2",
                    "--instance-id", "w", "--checkpoint-root", System.getProperty("java.io.tmpdir"), "--max-model-bytes", "12x"));
            assertEquals(2, cmd.execute("worker", "--bootstrap", "127.0.0.1:1", "--registry", "http://127.0.0.1:2",
                    "--instance-id", "w", "--checkpoint-root", System.getProperty("java.io.tmpdir"), "--device", "tpu"));
            assertEquals(2, cmd.execute("worker", "--bootstrap", "127.0.0.1:1", "--registry", "http://127.0.0.1:2",
                    "--instance-id", "w", "--checkpoint-root", System.getProperty("java.io.tmpdir"), "--kafka-config-file", "/no/such.properties"));
            assertEquals(2, cmd.execute("worker", "--bootstrap", "127.0.0.1:1", "--registry", "http://127.0.0.1:2",
                    "--instance-id", "w", "--checkpoint-root", "/no/such/root"));
        } finally {
            System.setErr(stderr);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("--max-model-bytes: '12x' is not a positive size like 512m or 12g"), text);
        assertTrue(text.contains("--device must be cpu or gpu, got 'tpu'"), text);
        assertTrue(text.contains("error: Kafka client properties file /no/such.properties does not exist"), text);
        assertTrue(text.contains("error: checkpoint root /no/such/root is not an existing directory"), text);
    }
}
