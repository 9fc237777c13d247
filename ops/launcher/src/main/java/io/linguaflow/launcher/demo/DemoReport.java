package io.linguaflow.launcher.demo;

import io.linguaflow.launcher.report.Report;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** The demo's report: {@code linguaflow report} on its own REST API, into the run directory. */
final class DemoReport {

    private DemoReport() {
    }

    static void write(String url, Path dir, Terminal out) throws Exception {
        PrintWriter log = new PrintWriter(System.out, true); // the per-file lines go to the log
        List<Report.Written> files = Report.write(URI.create(url), List.of(), dir, log);
        long pngs = files.stream().filter(f -> f.file().toString().endsWith(".png")).count();
        out.event("report: %d PNG figures and the CSV behind each in %s (index.json lists them)", pngs, dir);
    }
}
