package io.linguaflow.worker.kafka;

import io.linguaflow.schemas.KafkaEnvironment;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.client.KafkaClientOptions;
import io.linguaflow.schemas.deadletter.DeadLetters;
import io.linguaflow.schemas.failure.Backoff;
import io.linguaflow.worker.cli.ModelOptions;
import io.linguaflow.worker.runtime.RuntimeOptions;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code linguaflow worker}: runs an {@link InferenceWorker} until SIGTERM/SIGINT, which aborts the open
 * transaction (nothing half-done is committed) and exits. Also a main class of its own, so tests and scripts can
 * start a worker process without the launcher.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Kafka inference worker: consumes inference-requests, produces one activation record per "
                + "(checkpoint, sample, layer) to activations, exactly once (transactions); answers ablation-requests "
                + "on ablation-results (corpus read from sentences) and eval-requests on eval-results (task data from "
                + "--eval-data) and generation-requests on generation-results; bad requests go to dead-letters. Stops cleanly on SIGTERM (the open transaction is "
                + "aborted).")
public final class WorkerCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

    @Mixin
    io.linguaflow.worker.cli.CaptureOptions capture;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers")
    String bootstrap;

    @Option(names = "--registry", required = true, paramLabel = "URL",
            description = "schema registry base URL (Confluent API)")
    String registry;

    @Option(names = "--topic-prefix", paramLabel = "P",
            description = "topic name prefix (default: $" + Topics.PREFIX_ENV + ", else none)")
    String topicPrefix;

    @Option(names = "--group", paramLabel = "G",
            description = "consumer group (default: <topic prefix>linguaflow-inference-worker)")
    String group;

    @Option(names = "--instance-id", paramLabel = "ID",
            description = "stable name of this worker, unique in the group; a restart with the same id fences the "
                    + "previous process and aborts its open transaction (default: the host name)")
    String instanceId;

    @Option(names = "--requests-per-transaction", paramLabel = "N", defaultValue = "4",
            description = "most requests consumed per poll and committed in one transaction (default: ${DEFAULT-VALUE})")
    int requestsPerTransaction;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "16",
            description = "samples per forward pass, length-bucketed (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "libtorch intra-op threads (default: one per core)")
    int threads;

    @Option(names = "--max-models", paramLabel = "N", defaultValue = "2",
            description = "most models kept loaded (default: ${DEFAULT-VALUE})")
    int maxModels;

    @Option(names = "--max-model-bytes", paramLabel = "SIZE",
            description = "bound on the float32 weights of the loaded models, e.g. 12g, 512m (default: half the "
                    + "physical memory)")
    String maxModelBytes;

    @Option(names = "--device", paramLabel = "cpu|gpu", defaultValue = "cpu",
            description = "cpu (default) or gpu (needs the -Pcuda build)")
    String device;

    @Option(names = "--transaction-timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "transaction.timeout.ms in seconds: one poll's work must finish within it; a worker that "
                    + "dies and does not come back holds read_committed readers back this long (default: ${DEFAULT-VALUE})")
    long transactionTimeoutSeconds;

    @Option(names = "--throttle-ms", paramLabel = "MS", defaultValue = "0", hidden = true,
            description = "pause after each request inside its transaction (demos, fault-injection tests)")
    long throttleMs;

    @Option(names = "--eval-data", paramLabel = "TASK=DIR",
            description = "data of an eval-requests task, e.g. xstorycloze=DIR with DIR/<lang>_eval.jsonl (as the eval "
                    + "command's --xstorycloze); repeatable. Eval requests for a task without it are dead-lettered")
    Map<String, Path> evalData = new LinkedHashMap<>();

    @Option(names = "--checkpoint-root", paramLabel = "DIR", required = true,
            description = "directory under which requests may name checkpoints (repeatable); a request naming a path "
                    + "elsewhere (symbolic links and .. resolved) is dead-lettered")
    List<Path> checkpointRoots = new ArrayList<>();

    @Mixin
    KafkaClientOptions kafkaClient;

    @Option(names = "--retry", paramLabel = "INITIAL,MAX,ATTEMPTS", converter = BackoffConverter.class,
            defaultValue = "PT1S,PT30S,20",
            description = "back-off of transient failures (registry or broker down, timeouts, out of memory): first wait, "
                    + "longest wait, failed attempts in a row before the worker exits 1 (default: ${DEFAULT-VALUE})")
    Backoff retry;

    static final class BackoffConverter implements picocli.CommandLine.ITypeConverter<Backoff> {
        @Override
        public Backoff convert(String value) {
            return Backoff.parse(value);
        }
    }

    @Override
    public Integer call() throws Exception {
        WorkerSettings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        InferenceWorker worker = new InferenceWorker(settings, retry);
        Thread hook = new Thread(() -> {
            LOG.info("shutdown requested: stopping worker {}", settings.instanceId());
            worker.stop();
            try {
                worker.awaitFinished(settings.transactionTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            worker.run();
        } catch (KafkaException e) {
            System.err.println("error: worker " + settings.instanceId() + " stopped: " + DeadLetters.describe(e));
            return 1;
        }
        return 0;
    }

    WorkerSettings settings() {
        Topics topics = topicPrefix == null ? KafkaEnvironment.fromEnvironment().topics() : new Topics(topicPrefix);
        return new WorkerSettings(bootstrap, registry, topics, group == null ? WorkerSettings.defaultGroup(topics) : group,
                instanceId == null ? hostName() : instanceId, requestsPerTransaction, maxModels,
                maxModelBytes == null ? halfThePhysicalMemory() : parseSize(maxModelBytes), ModelOptions.device(device),
                RuntimeOptions.DEFAULT.withBatchSize(batchSize).withThreads(threads).withCapture(capture.capture()),
                Duration.ofSeconds(transactionTimeoutSeconds), Duration.ofMillis(throttleMs), kafkaClient.properties(), evalData,
                CheckpointRoots.of(checkpointRoots));
    }


    /** Bytes from {@code 123}, {@code 512k}, {@code 64m}, {@code 12g} (binary multiples). */
    static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int shift = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        try {
            long n = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1));
            if (n <= 0 || n > Long.MAX_VALUE >> shift) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--max-model-bytes: '" + text + "' is not a positive size like 512m or 12g");
        }
    }

    private static long halfThePhysicalMemory() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getTotalMemorySize() / 2;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("no --instance-id given and the host name is unknown: " + e.getMessage());
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new WorkerCommand()).execute(args));
    }
}
