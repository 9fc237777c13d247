/**
 * The Kafka side of the inference worker: {@link io.linguaflow.worker.kafka.InferenceWorker} (transactional
 * consume–process–produce from {@code inference-requests} to {@code activations}, dead letters in the same
 * transaction), its {@link io.linguaflow.worker.kafka.ModelCache} of loaded checkpoints, one class per request kind
 * ({@link io.linguaflow.worker.kafka.ActivationRecords}, {@link io.linguaflow.worker.kafka.Ablations},
 * {@link io.linguaflow.worker.kafka.Evals}), and the {@code linguaflow worker} command
 * {@link io.linguaflow.worker.kafka.WorkerCommand}. The model math lives in {@code io.linguaflow.worker.runtime}.
 */
package io.linguaflow.worker.kafka;
