/**
 * The Kafka side of the inference worker: {@link io.linguaflow.worker.kafka.InferenceWorker} (transactional
 * consume–process–produce from {@code inference-requests} to {@code activations}, dead letters in the same
 * transaction), its {@link io.linguaflow.worker.kafka.ModelCache} of loaded checkpoints, the request-to-record
 * conversion {@link io.linguaflow.worker.kafka.ActivationRecords}, and the {@code linguaflow worker} command
 * {@link io.linguaflow.worker.kafka.WorkerCommand}. The model math lives in {@code io.linguaflow.worker.runtime}.
 */
package io.linguaflow.worker.kafka;
