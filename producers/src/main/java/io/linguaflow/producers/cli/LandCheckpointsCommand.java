package io.linguaflow.producers.cli;

import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.producers.Rejection;
import io.linguaflow.producers.checkpoint.CheckpointLander;
import io.linguaflow.producers.checkpoint.CheckpointWatcher;
import io.linguaflow.producers.checkpoint.LandingOptions;
import io.linguaflow.producers.checkpoint.hub.HubCache;
import io.linguaflow.producers.checkpoint.hub.HubClient;
import io.linguaflow.producers.checkpoint.hub.HubEnvironment;
import io.linguaflow.producers.checkpoint.hub.HubException;
import io.linguaflow.producers.checkpoint.hub.HubRevision;
import io.linguaflow.producers.kafka.RecordPublisher;
import io.linguaflow.schemas.avro.CheckpointEvent;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code land-checkpoints}: validates, hashes and names checkpoint directories and publishes their
 * {@code CheckpointEvent} records to {@code checkpoints} (or prints them as JSON lines without {@code --bootstrap}).
 * Either the given directories once, {@code --watch ROOT} until interrupted, or {@code --hub REPO@REV,...}:
 * revisions of a HuggingFace hub model, downloaded into a local cache and landed from there. Broken checkpoints go to
 * {@code dead-letters} and to stderr, naming the file.
 */
@Command(name = "land-checkpoints", mixinStandardHelpOptions = true,
        description = "Validate and name HF checkpoint directories; publish CheckpointEvent records (or print them).")
public final class LandCheckpointsCommand extends ProducerCommand {

    static final class Source {
        @Parameters(arity = "1..*", paramLabel = "DIR", description = "Checkpoint directories to land once.")
        List<Path> dirs;

        @Option(names = "--watch", paramLabel = "ROOT", description = "Watch ROOT and land checkpoints as they appear.")
        Path root;

        @Option(names = "--hub", paramLabel = "REPO@REV[,REV...]",
                description = "Download revisions of a HuggingFace hub model (safetensors) into the cache and land "
                        + "them; without @REV: main. Repeatable.")
        List<String> hub;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--corpus", required = true, description = "Corpus to analyse the checkpoints on.")
    String corpus;

    @Option(names = "--model", description = "Model name (default: from the directory names).")
    String model;

    @Option(names = "--step", description = "Training step (default: from the directory name or trainer_state.json).")
    Long step;

    @Option(names = "--threshold", description = "Key-region z threshold (default ${DEFAULT-VALUE}).")
    double threshold = LandingOptions.DEFAULT_THRESHOLD;

    @Option(names = "--lf-compat", description = "Reproduce the Lingua Franca authors' released-code quirks.")
    boolean lfCompat;

    @Option(names = "--interval", description = "Watch: rescan interval and quiet period in ms (default ${DEFAULT-VALUE}).")
    long intervalMs = 2000;

    @Option(names = "--cache", paramLabel = "DIR", description = "Hub: the download cache (huggingface_hub's layout; "
            + "default: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub).")
    Path cache;

    @Option(names = "--hub-endpoint", paramLabel = "URL",
            description = "Hub: its URL (default: $HF_ENDPOINT, else " + HubEnvironment.DEFAULT_ENDPOINT + ").")
    URI hubEndpoint;

    @Option(names = "--max-depth", description = "Watch: directory depth searched below ROOT (default ${DEFAULT-VALUE}).")
    int maxDepth = CheckpointWatcher.DEFAULT_MAX_DEPTH;

    /** The environment the hub settings come from (HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE, HF_HOME, HF_HUB_OFFLINE). */
    private Map<String, String> environment = System.getenv();

    /** This command reading the hub settings from {@code env} instead of the process environment. */
    public LandCheckpointsCommand withEnvironment(Map<String, String> env) {
        this.environment = env;
        return this;
    }

    @Override
    int run() throws Exception {
        CheckpointLander lander = new CheckpointLander(new LandingOptions(corpus, model, step, threshold, lfCompat),
                Clock.systemUTC());
        Optional<RecordPublisher> publisher = publisher();
        try {
            if (source.hub != null) {
                return landHub(publisher);
            }
            return source.root == null ? landOnce(lander, publisher) : watch(lander, publisher);
        } finally {
            publisher.ifPresent(RecordPublisher::close);
        }
    }

    private int landOnce(CheckpointLander lander, Optional<RecordPublisher> publisher) {
        int broken = 0;
        for (Path dir : source.dirs) {
            broken += land(lander, dir, publisher) ? 0 : 1;
        }
        return broken == 0 ? 0 : 1;
    }

    /**
     * Each revision into the cache (nothing fetched when the cache holds it complete), then landed as a local
     * directory: its snapshot. A revision that cannot be fetched is reported on stderr (not a dead letter: nothing
     * was landed) and the others continue.
     */
    private int landHub(Optional<RecordPublisher> publisher) throws Exception {
        List<HubRevision> revisions = new ArrayList<>();
        for (String spec : source.hub) {
            revisions.addAll(HubRevision.parse(spec));
        }
        HubEnvironment env = HubEnvironment.of(environment);
        env = cache == null ? env : env.withCache(cache);
        env = hubEndpoint == null ? env : env.withEndpoint(hubEndpoint);
        HubCache hubCache = new HubCache(env.cache());
        HubClient client = env.offline() ? null : new HubClient(env.endpoint(), env.token());
        int failed = 0;
        for (HubRevision rev : revisions) {
            Path snapshot;
            try {
                snapshot = hubCache.snapshot(rev, client);
            } catch (HubException e) {
                err().println("error: " + e.getMessage());
                err().flush();
                failed++;
                continue;
            }
            LandingOptions naming = new LandingOptions(corpus, model != null ? model : rev.modelName(),
                    step != null ? step : rev.step(), threshold, lfCompat);
            failed += land(new CheckpointLander(naming, Clock.systemUTC()), snapshot, publisher) ? 0 : 1;
        }
        return failed == 0 ? 0 : 1;
    }

    /** Lands one directory: its event published, or its rejection; false when rejected. */
    private boolean land(CheckpointLander lander, Path dir, Optional<RecordPublisher> publisher) {
        try {
            emit(lander.land(dir).event(), publisher);
            return true;
        } catch (CheckpointException e) {
            reject(CheckpointLander.rejection(e), publisher);
            return false;
        }
    }

    private int watch(CheckpointLander lander, Optional<RecordPublisher> publisher) throws Exception {
        PrintWriter err = err();
        Duration interval = Duration.ofMillis(intervalMs);
        try (CheckpointWatcher watcher = new CheckpointWatcher(source.root, lander, maxDepth, interval)) {
            while (!Thread.currentThread().isInterrupted()) {
                for (CheckpointWatcher.Outcome o : watcher.poll(interval)) {
                    if (o instanceof CheckpointWatcher.Landed l) {
                        emit(l.event(), publisher);
                    } else if (o instanceof CheckpointWatcher.Rejected r) {
                        reject(r.rejection(), publisher);
                    } else if (o instanceof CheckpointWatcher.Duplicate d) {
                        err.println("duplicate: " + d.dir() + " has the weights already landed as " + d.landedAs());
                    }
                    err.flush();
                }
            }
        }
        return 0;
    }

    private void emit(CheckpointEvent event, Optional<RecordPublisher> publisher) {
        if (publisher.isPresent()) {
            publisher.get().checkpoint(event);
            err().println("landed: " + event.getCheckpointId() + " (" + event.getPath() + ")");
            err().flush();
        } else {
            out().println(event);
            out().flush();
        }
    }

    private void reject(Rejection rejection, Optional<RecordPublisher> publisher) {
        publisher.ifPresent(p -> p.rejections(List.of(rejection)));
        err().println("rejected: " + rejection.error());
        err().flush();
    }
}
