package io.linguaflow.launcher.pipeline;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.producers.checkpoint.CheckpointLander;
import io.linguaflow.producers.checkpoint.LandingOptions;
import io.linguaflow.producers.corpus.CorpusOptions;
import io.linguaflow.producers.corpus.CorpusResult;
import io.linguaflow.producers.corpus.TsvCorpusReader;
import io.linguaflow.producers.kafka.RecordPublisher;
import io.linguaflow.schemas.KafkaEnvironment;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.client.KafkaClientProperties;
import io.linguaflow.schemas.serde.SerdeConfig;
import io.linguaflow.streams.app.StreamsInstance;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.query.QueryService;
import io.linguaflow.worker.kafka.InferenceWorker;
import io.linguaflow.worker.kafka.CheckpointRoots;
import io.linguaflow.worker.kafka.WorkerSettings;
import io.linguaflow.worker.runtime.Capture;
import io.linguaflow.worker.runtime.RuntimeOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The whole pipeline in one JVM on a given broker and registry: topics, one streams instance with its query service,
 * one inference worker thread, a producer for corpus and checkpoint events, and a reader of {@code progress}. Callers
 * publish a corpus, then land checkpoints one by one with {@link #land}, which returns once the checkpoint's analysis
 * is final; {@link PipelineReport} turns what the REST API then serves into the report.
 */
public final class Pipeline implements AutoCloseable {

    /**
     * Settings of one run; {@code topicPrefix} keeps runs on a shared broker apart.
     *
     * @param clientProperties Kafka client properties of every client of the run ({@code --kafka-config-file})
     * @param checkpointRoots  where the run's worker may open checkpoints
     */
    public record Config(String bootstrapServers, String registryUrl, String topicPrefix, Path stateDir, int httpPort,
                         int partitions, Duration checkpointTimeout, Map<String, String> clientProperties,
                         CheckpointRoots checkpointRoots) {

        /** A run on a private broker: no client properties, checkpoints opened wherever the caller lands them. */
        public Config(String bootstrapServers, String registryUrl, String topicPrefix, Path stateDir, int httpPort,
                      int partitions, Duration checkpointTimeout) {
            this(bootstrapServers, registryUrl, topicPrefix, stateDir, httpPort, partitions, checkpointTimeout, Map.of(),
                    CheckpointRoots.ANYWHERE);
        }
    }

    /** How a landed checkpoint ended: {@code COMPLETE}, or {@code SKIPPED_DUPLICATE} (its weights were analysed already; {@code message} from the planner). */
    public record Landed(CheckpointEvent event, Stage stage, String message) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Config config;
    private final KafkaEnvironment kafka;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, List<Progress>> progress = new HashMap<>();
    private InferenceWorker worker;
    private Thread workerThread;
    private volatile Throwable workerFailure;
    private RecordPublisher publisher;
    private KafkaConsumer<String, Progress> progressReader;

    private Pipeline(Config config) {
        this.config = config;
        this.kafka = new KafkaEnvironment(config.bootstrapServers(), config.registryUrl(), new Topics(config.topicPrefix()));
    }

    /** Creates the topics and starts streams (queries on {@code config.httpPort}) and the worker. */
    public static Pipeline start(Config config) throws Exception {
        return start(config, UnaryOperator.identity(), Map.of());
    }

    /**
     * The same with the streams settings changed by {@code streams} (e.g. {@link StreamsSettings#withEvaluations}) and
     * the worker given {@code evalData} (task → data folder, as {@code worker --eval-data}).
     */
    public static Pipeline start(Config config, UnaryOperator<StreamsSettings> streams, Map<String, Path> evalData) throws Exception {
        return start(config, streams, evalData, Capture.NONE);
    }

    /** The same with the worker capturing {@code capture} beyond the means (as {@code worker --emit-maxima --emit-token-sample}). */
    public static Pipeline start(Config config, UnaryOperator<StreamsSettings> streams, Map<String, Path> evalData, Capture capture)
            throws Exception {
        Pipeline p = new Pipeline(config);
        try {
            p.startAll(streams, evalData, capture);
            return p;
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    /**
     * Creates the topics and starts streams, but no worker: the caller runs the workers (in their own JVMs, e.g. to kill
     * one), consuming the run's requests topic in the default group.
     */
    public static Pipeline startWithoutWorker(Config config) throws Exception {
        Pipeline p = new Pipeline(config);
        try {
            p.startStreams(UnaryOperator.identity());
            return p;
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    private void startAll(UnaryOperator<StreamsSettings> streams, Map<String, Path> evalData, Capture capture) throws Exception {
        startStreams(streams);
        startWorker(evalData, capture);
    }

    private void startStreams(UnaryOperator<StreamsSettings> streams) throws Exception {
        Map<String, Object> serde = KafkaClientProperties.registryConfig(config.clientProperties());
        serde.put(SerdeConfig.SCHEMA_REGISTRY_URL, config.registryUrl());
        StreamsSettings settings = streams.apply(StreamsSettings.defaults(kafka.topics(), serde).withInterimInterval(Duration.ofSeconds(2)));
        open.add(StreamsInstance.start(settings, new StreamsInstance.Options(config.topicPrefix() + "streams",
                config.bootstrapServers(), config.stateDir(), new HostInfo("localhost", config.httpPort()), config.partitions(), (short) 1,
                QueryService.Options.defaults(), // loopback only, one instance: a random internal secret
                KafkaClientProperties.applyTo(
                        new HashMap<>(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers())), config.clientProperties()))));
        publisher = new RecordPublisher(kafka.topics(), KafkaClientProperties.applyTo(kafka.clientConfig(), config.clientProperties()),
                Clock.systemUTC());
        open.add(publisher);
        progressReader = progressReader();
        open.add(progressReader);
    }

    private void startWorker(Map<String, Path> evalData, Capture capture) {
        RuntimeOptions runtime = new RuntimeOptions(RuntimeOptions.DEFAULT.batchSize(), RuntimeOptions.DEFAULT.tokenBudget(),
                RuntimeOptions.DEFAULT.threads(), capture);
        // the worker's static member id, one per pipeline on a prefix (its query port is unique on the host), so that
        // several pipelines on one prefix (ops/bench/soak) share the worker group instead of fencing each other
        WorkerSettings ws = new WorkerSettings(config.bootstrapServers(), config.registryUrl(), kafka.topics(),
                WorkerSettings.defaultGroup(kafka.topics()), "pipeline-" + config.httpPort(), 4, 2, 4L << 30, Device.cpu(), runtime,
                Duration.ofSeconds(120), Duration.ZERO, config.clientProperties(), evalData).withCheckpointRoots(config.checkpointRoots());
        worker = new InferenceWorker(ws);
        workerThread = new Thread(() -> {
            try {
                worker.run();
            } catch (Throwable t) {
                workerFailure = t;
            }
        }, "pipeline-worker");
        workerThread.start();
    }

    /** The query service's base URL, e.g. {@code http://localhost:7070}. */
    public String url() {
        return "http://localhost:" + config.httpPort();
    }

    public Topics topics() {
        return kafka.topics();
    }

    /** Reads a TSV corpus (columns id, lang, text), publishes its sentences and returns what was read. */
    public CorpusResult produceCorpus(Path tsv) throws IOException {
        CorpusResult corpus = new TsvCorpusReader(tsv).read(CorpusOptions.defaults());
        if (corpus.sentences().isEmpty()) {
            throw new IllegalArgumentException("corpus " + tsv + " has no usable sentences");
        }
        publishCorpus(corpus);
        return corpus;
    }

    /** Publishes a corpus read elsewhere (its rejected rows as dead letters). */
    public void publishCorpus(CorpusResult corpus) {
        publisher.corpus(corpus);
    }

    /**
     * Lands {@code dir} for {@code corpus} and waits until its analysis is final (progress COMPLETE and the REST API
     * serving complete metrics) or skipped as a duplicate. Throws on FAILED, on a worker that died, or after the
     * configured timeout.
     */
    public Landed land(Path dir, String corpus, double threshold) throws CheckpointException, IOException, InterruptedException {
        CheckpointEvent event = new CheckpointLander(LandingOptions.forCorpus(corpus).withThreshold(threshold), Clock.systemUTC())
                .land(dir).event();
        publish(event);
        String id = event.getCheckpointId();
        long deadline = System.nanoTime() + config.checkpointTimeout().toNanos();
        while (true) {
            readProgress(Duration.ofMillis(200));
            Landed landed = outcome(event);
            if (landed != null) {
                return landed;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("checkpoint " + id + " (" + dir + ") not complete after "
                        + config.checkpointTimeout().toSeconds() + " s; progress stages seen: " + progressOf(id));
            }
        }
    }

    /** Publishes a landed checkpoint's event; its analysis starts as soon as the planner reads it. */
    public void publish(CheckpointEvent event) {
        publisher.checkpoint(event);
    }

    /**
     * How {@code event}'s analysis ended, from the progress read so far: null while it runs. Throws on FAILED (with
     * the planner's or worker's message) and when the worker died.
     */
    public Landed outcome(CheckpointEvent event) throws IOException, InterruptedException {
        String id = event.getCheckpointId();
        Progress last = latest(id);
        Stage stage = last == null ? null : last.getStage();
        if (stage == Stage.FAILED) {
            throw new IllegalStateException("checkpoint " + id + " (" + event.getPath() + ") failed: " + last.getMessage()
                    + " (see the dead-letters topic " + topics().name(Topic.DEAD_LETTERS) + ")");
        }
        if (stage == Stage.SKIPPED_DUPLICATE) {
            return new Landed(event, stage, last.getMessage());
        }
        if (stage == Stage.COMPLETE && restComplete(id)) {
            return new Landed(event, stage, null);
        }
        if (workerThread != null && (workerFailure != null || !workerThread.isAlive())) {
            throw new IllegalStateException("the inference worker stopped while " + id + " was analysed: " + workerFailure,
                    workerFailure);
        }
        return null;
    }

    /** Reads the progress topic for up to {@code wait}; returns the records that arrived (committed records only). */
    public List<Progress> readProgress(Duration wait) {
        List<Progress> fresh = new ArrayList<>();
        progressReader.poll(wait).forEach(r -> {
            progress.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
            fresh.add(r.value());
        });
        return fresh;
    }

    /** The latest progress record read for {@code checkpointId}, or null. */
    public Progress latest(String checkpointId) {
        List<Progress> seen = progress.getOrDefault(checkpointId, List.of());
        return seen.isEmpty() ? null : seen.get(seen.size() - 1);
    }

    /** Every progress stage published for {@code checkpointId} so far, in order (committed records only). */
    public List<Stage> progressOf(String checkpointId) {
        readProgress(Duration.ofMillis(500));
        return progress.getOrDefault(checkpointId, List.of()).stream().map(Progress::getStage).toList();
    }

    /** GET {@code path} on the query service; retries while it answers 503 (rebalance, restore). */
    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30)).GET().build();
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return JSON.readTree(response.body());
            }
            if (response.statusCode() != 503 || attempt >= 100) {
                throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            Thread.sleep(300);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private boolean restComplete(String id) throws IOException, InterruptedException {
        return get("/checkpoints/" + enc(id) + "/metrics").path("complete").asBoolean(false);
    }

    private KafkaConsumer<String, Progress> progressReader() {
        Map<String, Object> c = KafkaClientProperties.applyTo(kafka.clientConfig(), config.clientProperties());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        AvroDeserializer<Progress> values = new AvroDeserializer<>(Progress.class);
        values.configure(c, false);
        KafkaConsumer<String, Progress> consumer = new KafkaConsumer<>(c, new StringDeserializer(), values);
        String topic = topics().name(Topic.PROGRESS);
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** Stops the worker (its open transaction is aborted), then streams and the query service. */
    @Override
    public void close() {
        if (worker != null) {
            worker.stop();
            try {
                worker.awaitFinished(Duration.ofSeconds(60));
                workerThread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                System.err.println("pipeline: closing " + open.get(i).getClass().getSimpleName() + " failed: " + e);
            }
        }
        open.clear();
    }
}
