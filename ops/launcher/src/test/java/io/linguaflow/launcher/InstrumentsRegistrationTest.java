package io.linguaflow.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** probe, experts, neuron-type-dynamics and neuron-type-ablation are launcher subcommands that name bad input. */
class InstrumentsRegistrationTest {

    private static String errorOf(String... args) {
        CommandLine cmd = new CommandLine(new Linguaflow());
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        assertTrue(cmd.execute(args) != 0, String.join(" ", args));
        return err.toString();
    }

    @Test
    void theInstrumentsAreSubcommands() {
        CommandLine cmd = new CommandLine(new Linguaflow());
        for (String name : new String[] {"probe", "experts", "neuron-type-dynamics", "neuron-type-ablation"}) {
            assertTrue(cmd.getSubcommands().containsKey(name), name);
        }
        assertTrue(errorOf("experts", "--max-vectors", "missing.npy", "--corpus", "missing.tsv", "--out", "e.json")
                .contains("missing.tsv"));
        assertTrue(errorOf("neuron-type-dynamics", "--types", "missing-t.json", "--out", "d.json").contains("missing-t.json"));
        assertTrue(errorOf("neuron-type-ablation", "--types", "missing-t.json", "--type", "specific,bogus", "--out", "k.json")
                .contains("bogus"));
        assertEquals(2, new CommandLine(new Linguaflow()).execute("probe", "--corpus", "c.tsv", "--out", "p.json"));
    }
}
