package io.linguaflow.launcher.report;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code linguaflow report}: the paper's figures of what a running streams instance serves, as PNG and CSV. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {
            "Draws the paper's figures (PNG, with the CSV behind each and DIR/index.json) from the REST API of a running "
                + "linguaflow streams instance: per checkpoint LRDS and SADS per layer (Fig. 3), key neurons per layer (Fig. 5) "
                + "and per language (Fig. 6), neuron types per layer and the whole-model similarity map; per model LRDS, "
                + "SADS and SKLR over training (Fig. 4).",
            "Exit status 2: no API at --url, an unknown or unfinished --checkpoint, or no complete checkpoint."})
public final class ReportCommand implements Callable<Integer> {

    @Option(names = "--url", required = true, description = "REST API of a streams instance, e.g. http://localhost:7070")
    URI url;

    @Option(names = "--checkpoint", paramLabel = "ID",
            description = "checkpoint id (<model>@<step>), repeatable; default: every COMPLETE checkpoint, by training step")
    List<String> checkpoints = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (created; files in it are replaced)")
    Path out;

    @Override
    public Integer call() throws Exception {
        try {
            Report.write(url, checkpoints, out, new PrintWriter(System.out, true));
            return 0;
        } catch (ReportException e) {
            System.err.println("report: " + e.getMessage());
            return 2;
        }
    }
}
