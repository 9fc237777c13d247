package io.linguaflow.producers.checkpoint;

import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.HfConfig;
import io.linguaflow.producers.Rejection;
import io.linguaflow.schemas.avro.CheckpointEvent;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Lands the checkpoint directories that appear under a root: every directory (up to {@code maxDepth} below the
 * root, following symlinks, not hidden) that contains {@code config.json} is a candidate. A candidate is judged once its
 * listing (file names, sizes, modification times) has been the same in two consecutive scans at least
 * {@code quietPeriod} apart, so a checkpoint still being written is left alone; then it is landed, or rejected
 * naming the file at fault (and judged again if it changes). A content hash is landed at most once per watcher:
 * the same weights under another directory are reported as a {@link Duplicate}.
 *
 * <p>Scans run on {@link #poll}: a java.nio {@link WatchService} wakes it early when something changes under the
 * root, and the timeout makes it a periodic rescan when events are missed (network file systems, overflow).
 * Single-threaded: call {@link #scan}/{@link #poll} from one thread.
 */
public final class CheckpointWatcher implements Closeable {

    /** What a scan found. */
    public sealed interface Outcome permits Landed, Rejected, Duplicate {
    }

    /** A new checkpoint: publish the event. */
    public record Landed(CheckpointEvent event) implements Outcome {
    }

    /** A stable directory that is not a valid checkpoint: publish the rejection as a dead letter. */
    public record Rejected(Path dir, Rejection rejection) implements Outcome {
    }

    /** A stable directory whose weights were already landed (as {@code landedAs}): nothing to publish. */
    public record Duplicate(Path dir, String contentHash, String landedAs) implements Outcome {
    }

    /** Directory depth searched below the root by default (root/model/step-N is depth 2). */
    public static final int DEFAULT_MAX_DEPTH = 3;

    private final Path root;
    private final CheckpointLander lander;
    private final int maxDepth;
    private final long quietNanos;
    private final WatchService watch;
    private final Set<Path> registered = new HashSet<>();
    private final Map<Path, Tracked> tracked = new HashMap<>();
    private final Map<String, String> landedHashes = new HashMap<>(); // content hash -> checkpointId

    /** A candidate's last listing, how many consecutive scans saw it, since when, and whether it was judged. */
    private static final class Tracked {
        final Map<String, List<Long>> listing;
        final long firstSeenNanos;
        int sightings = 1;
        boolean judged;

        Tracked(Map<String, List<Long>> listing, long now) {
            this.listing = listing;
            this.firstSeenNanos = now;
        }
    }

    public CheckpointWatcher(Path root, CheckpointLander lander, int maxDepth, Duration quietPeriod) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": not a directory");
        }
        this.root = root.toAbsolutePath().normalize();
        this.lander = lander;
        this.maxDepth = maxDepth;
        this.quietNanos = quietPeriod.toNanos();
        this.watch = this.root.getFileSystem().newWatchService();
    }

    /**
     * Waits until something changes under the root or {@code maxWait} passes, then scans. Call it in a loop with
     * the rescan interval; a checkpoint lands on the first poll after it has been stable for the quiet period.
     */
    public List<Outcome> poll(Duration maxWait) throws IOException, InterruptedException {
        WatchKey key = watch.poll(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        while (key != null) {
            key.pollEvents();
            if (!key.reset()) {
                registered.remove((Path) key.watchable()); // deleted: register again if it reappears
            }
            key = watch.poll();
        }
        return scan();
    }

    /** One scan of the root: the checkpoints that became stable since the last scan, judged. */
    public List<Outcome> scan() throws IOException {
        long now = System.nanoTime();
        List<Path> candidates = new ArrayList<>();
        walk(root, 0, new HashSet<>(), candidates);
        tracked.keySet().retainAll(candidates);
        List<Outcome> outcomes = new ArrayList<>();
        for (Path dir : candidates) {
            Map<String, List<Long>> listing;
            try {
                listing = listing(dir);
            } catch (IOException vanished) {
                tracked.remove(dir);
                continue;
            }
            Tracked t = tracked.get(dir);
            if (t == null || !t.listing.equals(listing)) {
                tracked.put(dir, new Tracked(listing, now));
                continue;
            }
            t.sightings++;
            if (!t.judged && t.sightings >= 2 && now - t.firstSeenNanos >= quietNanos) {
                t.judged = true;
                outcomes.add(judge(dir));
            }
        }
        return outcomes;
    }

    private Outcome judge(Path dir) {
        try {
            CheckpointEvent event = lander.land(dir).event();
            String earlier = landedHashes.putIfAbsent(event.getContentHash(), event.getCheckpointId());
            return earlier == null ? new Landed(event) : new Duplicate(dir, event.getContentHash(), earlier);
        } catch (CheckpointException e) {
            return new Rejected(dir, CheckpointLander.rejection(e));
        }
    }

    /**
     * Collects candidate directories and registers every directory with the watch service. {@code ancestors} holds
     * the file keys of the directories above, so a symlink loop ends the descent (two links to one directory do not).
     */
    private void walk(Path dir, int depth, Set<Object> ancestors, List<Path> candidates) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(dir, BasicFileAttributes.class);
        } catch (IOException vanished) {
            return;
        }
        Object id = attrs.fileKey() != null ? attrs.fileKey() : dir.toRealPath();
        if (!attrs.isDirectory() || ancestors.contains(id)) {
            return; // not a directory, or a symlink loop
        }
        if (registered.add(dir)) {
            try {
                dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            } catch (IOException vanished) {
                registered.remove(dir);
                return;
            }
        }
        if (Files.isRegularFile(dir.resolve(HfConfig.FILE))) {
            candidates.add(dir);
        }
        if (depth < maxDepth) {
            List<Path> children = new ArrayList<>();
            // hidden directories are where writers stage a checkpoint before renaming it into place
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir,
                    p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."))) {
                s.forEach(children::add);
            } catch (IOException vanished) {
                return;
            }
            children.sort(null);
            ancestors.add(id);
            for (Path child : children) {
                walk(child, depth + 1, ancestors, candidates);
            }
            ancestors.remove(id);
        }
    }

    /** File name → [size, modification time in ms] of the regular files in {@code dir}. */
    private static Map<String, List<Long>> listing(Path dir) throws IOException {
        Map<String, List<Long>> out = new TreeMap<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path f : s) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                if (a.isRegularFile()) {
                    out.put(f.getFileName().toString(), List.of(a.size(), a.lastModifiedTime().toMillis()));
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        watch.close();
    }
}
