package io.linguaflow.launcher.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The paper's figures of the checkpoints a running linguaflow streams instance serves: {@link ReportData} fetches,
 * {@link Figures} draws, this class picks the checkpoints, names the files and writes them with {@code index.json}.
 */
public final class Report {

    /** One file written: its name in the output folder, the figure, the checkpoint (null for a trend) and a caption. */
    public record Written(Path file, String figure, String checkpoint, String caption) {
    }

    static {
        // the figures are drawn off screen; a stray DISPLAY must not make AWT look for one
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Report() {
    }

    /**
     * Writes every figure (PNG and the CSV behind it) of {@code checkpoints}, or of every complete checkpoint when
     * empty, and the trend of their models into {@code out}, then {@code out/index.json}; prints one line per file and
     * a note for each thing left out to {@code log}.
     *
     * @param base        the REST API, e.g. {@code http://localhost:7070}
     * @param checkpoints ids ({@code <model>@<step>}); each must be known and complete
     * @throws ReportException no API answers at {@code base}, a named checkpoint is unknown or not complete, or none is complete
     */
    public static List<Written> write(URI base, List<String> checkpoints, Path out, PrintWriter log)
            throws ReportException, IOException, InterruptedException {
        Rest rest = new Rest(base);
        ReportData data = new ReportData(rest, log);
        List<ReportData.Listed> chosen = select(data.checkpoints(), checkpoints, rest.base(), log);
        Set<String> models = chosen.stream().map(ReportData.Listed::model).filter(m -> m != null)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        boolean severalModels = chosen.stream().map(ReportData.Listed::model).distinct().count() > 1;

        Files.createDirectories(out);
        List<Written> written = new ArrayList<>();
        for (ReportData.Listed c : chosen) {
            String stem = (severalModels ? safe(String.valueOf(c.model())) + "_" : "")
                    + (c.step() == null ? safe(c.id()) : String.format("step-%06d", c.step()));
            for (Figures.Figure f : Figures.checkpoint(data.checkpoint(c), stem)) {
                written.addAll(write(f, out, log));
            }
        }
        for (String model : models) {
            written.addAll(write(Figures.trend(data.trend(model), severalModels ? safe(model) + "_" : ""), out, log));
        }
        writeIndex(rest.base(), chosen, written, out);
        log.println(out.resolve("index.json"));
        log.flush();
        return written;
    }

    /** The named checkpoints, or every complete one, ordered by training step (checkpoints without a step last). */
    static List<ReportData.Listed> select(List<ReportData.Listed> all, List<String> named, URI base, PrintWriter log)
            throws ReportException {
        List<ReportData.Listed> chosen = new ArrayList<>();
        if (named.isEmpty()) {
            for (ReportData.Listed c : all) {
                if (c.complete()) {
                    chosen.add(c);
                } else {
                    log.printf("note: %s left out: %s (%d of %d samples)%n", c.id(), c.status(), c.samplesSeen(), c.samplesExpected());
                }
            }
            if (chosen.isEmpty()) {
                throw new ReportException("no complete checkpoint at " + base + (all.isEmpty() ? "" : " (" + ids(all) + ")"));
            }
        } else {
            Map<String, ReportData.Listed> byId = all.stream().collect(Collectors.toMap(ReportData.Listed::id, Function.identity()));
            for (String id : new LinkedHashSet<>(named)) {
                ReportData.Listed c = byId.get(id);
                if (c == null) {
                    throw new ReportException("unknown checkpoint '" + id + "' at " + base + "; known: " + (all.isEmpty() ? "none" : ids(all)));
                }
                if (!c.complete()) {
                    throw new ReportException("checkpoint '" + id + "' is not complete yet: " + c.status() + ", " + c.samplesSeen()
                            + " of " + c.samplesExpected() + " samples");
                }
                chosen.add(c);
            }
        }
        chosen.sort(Comparator.comparing((ReportData.Listed c) -> c.step() == null ? Long.MAX_VALUE : c.step())
                .thenComparing(ReportData.Listed::id));
        return chosen;
    }

    private static List<Written> write(Figures.Figure f, Path out, PrintWriter log) throws IOException {
        Path png = Files.write(out.resolve(f.file() + ".png"), f.png());
        Path csv = Files.write(out.resolve(f.file() + ".csv"), f.csv());
        List<Written> w = List.of(new Written(png, f.figure(), f.checkpoint(), f.caption()),
                new Written(csv, f.figure(), f.checkpoint(), "data of: " + f.caption()));
        w.forEach(x -> log.println(x.file() + "  " + x.caption()));
        log.flush();
        return w;
    }

    private static void writeIndex(URI base, List<ReportData.Listed> chosen, List<Written> written, Path out) throws IOException {
        ObjectNode index = Rest.JSON.createObjectNode();
        index.put("url", base.toString());
        ArrayNode ids = index.putArray("checkpoints");
        chosen.forEach(c -> ids.add(c.id()));
        ArrayNode files = index.putArray("files");
        for (Written w : written) {
            files.addObject()
                    .put("file", out.relativize(w.file()).toString())
                    .put("figure", w.figure())
                    .put("checkpoint", w.checkpoint())
                    .put("caption", w.caption());
        }
        Rest.JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("index.json").toFile(), index);
    }

    private static String ids(List<ReportData.Listed> all) {
        return all.stream().map(c -> c.id() + " (" + c.status() + ")").collect(Collectors.joining(", "));
    }

    /** A file-name-safe form of a model or checkpoint id. */
    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "-");
    }
}
