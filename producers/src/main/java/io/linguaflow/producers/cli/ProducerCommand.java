package io.linguaflow.producers.cli;

import io.linguaflow.producers.kafka.RecordPublisher;
import io.linguaflow.schemas.KafkaEnvironment;
import io.linguaflow.schemas.Topics;
import io.linguaflow.schemas.client.KafkaClientOptions;
import io.linguaflow.schemas.client.KafkaClientProperties;
import io.linguaflow.schemas.deadletter.DeadLetters;
import io.linguaflow.schemas.serde.SerdeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Base of the producer commands: with {@code --bootstrap} the records are published to their topics (rejected input
 * to {@code dead-letters}); without it they go to stdout as JSON lines, a dry run. Bad input ends the command with
 * its message (which names the file, row or record) on stderr and exit code 2, not a stack trace.
 */
abstract class ProducerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Publish to this Kafka cluster; without it the records are printed as JSON lines.")
    String bootstrap;

    @Option(names = "--registry", paramLabel = "URL",
            description = "Schema registry (Confluent API) URL (default: schema.registry.url of the Kafka client properties, "
                    + "else $" + KafkaEnvironment.SCHEMA_REGISTRY_URL_ENV + " or " + KafkaEnvironment.DEFAULT_SCHEMA_REGISTRY_URL + ").")
    String registry;

    @Option(names = "--topic-prefix", description = "Topic name prefix (default: $" + Topics.PREFIX_ENV + ").")
    String topicPrefix;

    @Mixin
    KafkaClientOptions kafkaClient;

    @Override
    public final Integer call() throws Exception {
        try {
            return run();
        } catch (IOException | IllegalArgumentException e) { // a CheckpointException is an IOException
            err().println("error: " + e.getMessage());
            err().flush();
            return 2;
        } catch (KafkaException e) { // e.g. a client property the Kafka client refuses, an unreachable cluster
            err().println("error: " + DeadLetters.describe(e));
            err().flush();
            return 1;
        }
    }

    /** Does the work; returns the exit code. */
    abstract int run() throws Exception;

    /** The publisher when {@code --bootstrap} was given; empty for a dry run. The caller closes it. */
    Optional<RecordPublisher> publisher() {
        if (bootstrap == null) {
            return Optional.empty();
        }
        KafkaEnvironment kafka = kafka();
        return Optional.of(new RecordPublisher(kafka.topics(), clientConfig(kafka), Clock.systemUTC()));
    }

    /** Kafka, registry and topics from the options, else the client properties, else the environment. */
    KafkaEnvironment kafka() {
        KafkaEnvironment env = KafkaEnvironment.fromEnvironment();
        String registryUrl = registry != null ? registry
                : kafkaClient.properties().getOrDefault(SerdeConfig.SCHEMA_REGISTRY_URL, env.schemaRegistryUrl());
        return new KafkaEnvironment(bootstrap == null ? env.bootstrapServers() : bootstrap, registryUrl,
                topicPrefix == null ? env.topics() : new Topics(topicPrefix));
    }

    /** The clients' configuration: {@code kafka}'s, then the client properties ({@code --kafka-config...}). */
    Map<String, Object> clientConfig(KafkaEnvironment kafka) {
        return KafkaClientProperties.applyTo(kafka.clientConfig(), kafkaClient.properties());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
