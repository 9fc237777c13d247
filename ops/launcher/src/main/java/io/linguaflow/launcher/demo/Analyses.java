package io.linguaflow.launcher.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.launcher.pipeline.Pipeline;
import io.linguaflow.launcher.pipeline.PipelineReport;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.Stage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoints the demo has landed and how far each one's analysis is, from the {@code progress} topic: prints
 * a line when one starts, every few seconds while it runs (samples done and an ETA) and when it ends, and keeps the
 * report entry ({@link PipelineReport#entry}) of each finished one.
 */
final class Analyses {

    private static final long PROGRESS_LINE_NANOS = Duration.ofSeconds(5).toNanos();

    /** One landed checkpoint (no event: rejected), when it landed, the last progress line printed, and how it ended. */
    private static final class Tracked {
        final String id;
        final CheckpointEvent event;
        final long landedNanos = System.nanoTime();
        long startedNanos;
        long startedRecords;
        long lastLineNanos;
        ObjectNode entry;
        String failure;

        Tracked(String id, CheckpointEvent event) {
            this.id = id;
            this.event = event;
        }

        boolean done() {
            return entry != null || failure != null;
        }
    }

    private final Pipeline pipeline;
    private final Terminal out;
    private final Duration timeout;
    private final Map<String, Tracked> tracked = new LinkedHashMap<>();

    Analyses(Pipeline pipeline, Terminal out, Duration timeout) {
        this.pipeline = pipeline;
        this.out = out;
        this.timeout = timeout;
    }

    /** Publishes a landed checkpoint and follows its analysis. */
    void land(CheckpointEvent event) {
        pipeline.publish(event);
        tracked.put(event.getCheckpointId(), new Tracked(event.getCheckpointId(), event));
        out.event("landed %s (%s)", event.getCheckpointId(), event.getPath());
    }

    /** A checkpoint that could not be landed (a broken directory): counted as failed. */
    void rejected(String what, String message) {
        Tracked t = new Tracked(what, null);
        t.failure = message;
        tracked.put(what, t);
        out.event("rejected %s: %s", what, message);
    }

    /** Reads progress for up to {@code wait}, prints what changed, and settles the checkpoints whose analysis ended. */
    void poll(Duration wait) throws IOException, InterruptedException {
        for (Progress p : pipeline.readProgress(wait)) {
            Tracked t = tracked.get(p.getCheckpointId());
            if (t != null && !t.done()) {
                progressLine(t, p);
            }
        }
        for (Tracked t : tracked.values()) {
            if (t.done()) {
                continue;
            }
            try {
                Pipeline.Landed landed = pipeline.outcome(t.event);
                if (landed != null) {
                    t.entry = PipelineReport.entry(pipeline, landed);
                    out.event("%s", finishedLine(t, landed));
                } else if (System.nanoTime() - t.landedNanos > timeout.toNanos()) {
                    fail(t, "not complete after " + timeout.toSeconds() + " s (--timeout)");
                }
            } catch (IllegalStateException e) {
                fail(t, e.getMessage());
            }
        }
    }

    private void fail(Tracked t, String message) {
        t.failure = message;
        out.event("FAILED %s: %s", t.id, message);
    }

    private void progressLine(Tracked t, Progress p) {
        long now = System.nanoTime();
        if (p.getStage() == Stage.PLANNED && t.startedNanos == 0) {
            t.startedNanos = now;
            t.lastLineNanos = now;
            out.event("analysing %s: %d samples x %d layers planned", t.id, p.getSamplesExpected(),
                    t.event.getLayers());
            return;
        }
        if (p.getStage() != Stage.AGGREGATING || now - t.lastLineNanos < PROGRESS_LINE_NANOS) {
            return;
        }
        if (t.startedNanos == 0) {
            t.startedNanos = t.landedNanos;
        }
        t.lastLineNanos = now;
        long done = p.getLayerRecordsSeen();
        long expected = Math.max(1, p.getLayerRecordsExpected());
        double rate = (done - t.startedRecords) / ((now - t.startedNanos) / 1e9);
        String eta = rate > 0 ? String.format("ETA %.0f s", (expected - done) / rate) : "ETA -";
        out.event("%s: %d/%d samples (%.0f%% of layer records), %s", t.id, p.getSamplesSeen(),
                p.getSamplesExpected(), 100.0 * done / expected, eta);
    }

    private String finishedLine(Tracked t, Pipeline.Landed landed) {
        double seconds = (System.nanoTime() - t.landedNanos) / 1e9;
        if (landed.stage() != Stage.COMPLETE) {
            return String.format("%s %s after %.0f s: %s", t.id, landed.stage(), seconds, landed.message());
        }
        var m = t.entry.path("metrics");
        return String.format("complete %s after %.0f s: LRDS %s, SADS %s, SKLR %s", t.id, seconds,
                SummaryTable.number(m.path("lrds")), SummaryTable.number(m.path("sads")), m.path("sklr").asText());
    }

    /** Whether every landed checkpoint has ended (complete, skipped, failed or rejected). */
    boolean allDone() {
        return tracked.values().stream().allMatch(Tracked::done);
    }

    int count() {
        return tracked.size();
    }

    /** Report entries of the checkpoints that ended well, by training step. */
    List<ObjectNode> entries() {
        List<ObjectNode> e = new ArrayList<>();
        tracked.values().stream().filter(t -> t.entry != null).forEach(t -> e.add(t.entry));
        e.sort(Comparator.comparingLong(n -> n.path("step").asLong(Long.MAX_VALUE)));
        return e;
    }

    /** "id: message" of each failed or rejected checkpoint. */
    List<String> failures() {
        return tracked.values().stream().filter(t -> t.failure != null)
                .map(t -> t.id + ": " + t.failure).toList();
    }
}
