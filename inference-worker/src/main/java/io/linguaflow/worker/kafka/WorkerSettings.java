package io.linguaflow.worker.kafka;

import ai.djl.Device;
import io.linguaflow.schemas.Topics;
import io.linguaflow.worker.runtime.RuntimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything an {@link InferenceWorker} is configured with ({@link WorkerCommand} builds it from the command line).
 *
 * @param bootstrapServers       Kafka {@code bootstrap.servers}
 * @param registryUrl            base URL of the schema registry's Confluent API
 * @param topics                 topic names (with the deployment's prefix)
 * @param groupId                consumer group shared by all workers of a deployment
 * @param instanceId             this worker's stable name: static group membership ({@code group.instance.id}) and
 *                               {@code transactional.id = <groupId>-<instanceId>}, so a restarted instance fences
 *                               its previous incarnation and aborts its open transaction
 * @param requestsPerTransaction most requests per poll, all committed in one transaction
 * @param maxModels              most models kept loaded
 * @param maxModelBytes          bound on the float32 weights of the loaded models
 * @param device                 where models run
 * @param runtime                forward-pass batching and threads
 * @param transactionTimeout     broker-side {@code transaction.timeout.ms}: how long a dead worker's open transaction
 *                               can hold back read_committed consumers when the instance does not come back
 * @param throttle               pause after each request inside its transaction (demos and fault-injection tests;
 *                               zero in production)
 * @param clientOverrides        Kafka client properties (security settings, timeouts, registry credentials) for
 *                               every client of the worker ({@code KafkaClientProperties#applyTo})
 * @param evalData               task name (e.g. {@code xstorycloze}) to the folder of its data files, for
 *                               {@code eval-requests}; a task absent here is answered with a dead letter
 * @param checkpointRoots        the only directories requests may name checkpoints under
 */
public record WorkerSettings(String bootstrapServers, String registryUrl, Topics topics, String groupId,
                             String instanceId, int requestsPerTransaction, int maxModels, long maxModelBytes,
                             Device device, RuntimeOptions runtime, Duration transactionTimeout, Duration throttle,
                             Map<String, String> clientOverrides, Map<String, Path> evalData, CheckpointRoots checkpointRoots) {

    /** The consumer group of a deployment when none is given: one per topic prefix. */
    public static String defaultGroup(Topics topics) {
        return topics.prefix() + "linguaflow-inference-worker";
    }

    public WorkerSettings {
        if (requestsPerTransaction < 1) {
            throw new IllegalArgumentException("requests per transaction must be >= 1, got " + requestsPerTransaction);
        }
        if (instanceId == null || instanceId.isBlank()) {
            throw new IllegalArgumentException("worker instance id is empty");
        }
        if (transactionTimeout.isNegative() || transactionTimeout.isZero() || throttle.isNegative()) {
            throw new IllegalArgumentException("invalid transaction timeout " + transactionTimeout + " or throttle " + throttle);
        }
        clientOverrides = Map.copyOf(clientOverrides);
        for (Map.Entry<String, Path> e : evalData.entrySet()) {
            if (!Evals.TASKS.contains(e.getKey())) {
                throw new IllegalArgumentException("eval data for unknown task '" + e.getKey() + "' (known: " + Evals.TASKS + ")");
            }
            if (!Files.isDirectory(e.getValue())) {
                throw new IllegalArgumentException("eval data of task '" + e.getKey() + "': " + e.getValue()
                        + " is not a directory");
            }
        }
        evalData = Map.copyOf(evalData);
        java.util.Objects.requireNonNull(checkpointRoots, "checkpointRoots");
    }

    /** These settings with {@code roots}. */
    public WorkerSettings withCheckpointRoots(CheckpointRoots roots) {
        return new WorkerSettings(bootstrapServers, registryUrl, topics, groupId, instanceId, requestsPerTransaction, maxModels,
                maxModelBytes, device, runtime, transactionTimeout, throttle, clientOverrides, evalData, roots);
    }

    /** Never print the client properties: they may hold passwords (sasl.jaas.config, basic.auth.user.info). */
    @Override
    public String toString() {
        return "WorkerSettings[" + bootstrapServers + ", " + registryUrl + ", group " + groupId + ", instance " + instanceId
                + ", client properties " + clientOverrides.keySet() + ", checkpoint roots " + checkpointRoots.roots() + "]";
    }

    /** Settings that open checkpoints anywhere ({@link CheckpointRoots#ANYWHERE}: in-process runs and tests). */
    public WorkerSettings(String bootstrapServers, String registryUrl, Topics topics, String groupId, String instanceId,
                          int requestsPerTransaction, int maxModels, long maxModelBytes, Device device,
                          RuntimeOptions runtime, Duration transactionTimeout, Duration throttle,
                          Map<String, String> clientOverrides, Map<String, Path> evalData) {
        this(bootstrapServers, registryUrl, topics, groupId, instanceId, requestsPerTransaction, maxModels, maxModelBytes,
                device, runtime, transactionTimeout, throttle, clientOverrides, evalData, CheckpointRoots.ANYWHERE);
    }

    /** Settings of a worker without eval data (it dead-letters every eval request). */
    public WorkerSettings(String bootstrapServers, String registryUrl, Topics topics, String groupId, String instanceId,
                          int requestsPerTransaction, int maxModels, long maxModelBytes, Device device,
                          RuntimeOptions runtime, Duration transactionTimeout, Duration throttle,
                          Map<String, String> clientOverrides) {
        this(bootstrapServers, registryUrl, topics, groupId, instanceId, requestsPerTransaction, maxModels, maxModelBytes,
                device, runtime, transactionTimeout, throttle, clientOverrides, Map.of());
    }

    /** {@code <groupId>-<instanceId>}: stable across restarts of this instance. */
    public String transactionalId() {
        return groupId + "-" + instanceId;
    }
}
