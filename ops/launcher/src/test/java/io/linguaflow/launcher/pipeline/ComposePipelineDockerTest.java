package io.linguaflow.launcher.pipeline;

import io.linguaflow.analysis.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * Issue 13 item 7 ({@code mvn -B -Pdocker verify}): {@link PipelineTrendTest}'s end-to-end run (real worker and streams
 * application in this JVM, the four training checkpoints against their references) on the Kafka broker and the real
 * Confluent schema registry ({@code confluentinc/cp-schema-registry}) of {@code docker/compose.yaml}, started with
 * testcontainers; so the project's own Confluent wire-format client and its topic setup run against the images a
 * deployment uses. Without a Docker engine (or without the {@code docker compose} plugin) it is skipped loudly.
 */
class ComposePipelineDockerTest {

    private static final Duration STARTUP = Duration.ofMinutes(5);
    /** The compose file publishes Kafka's EXTERNAL listener, advertised as localhost:9092, on this host port. */
    private static final String KAFKA = "localhost:9092";

    @Test
    void trainingCheckpointsGiveTheReferenceTrendOnTheComposeKafkaAndConfluentRegistry(@TempDir Path state) throws Exception {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            skip("no Docker engine reachable (testcontainers found none: DOCKER_HOST, /var/run/docker.sock)");
        }
        if (!composePlugin()) {
            skip("'docker compose' (the compose v2 plugin) is not installed");
        }
        Path fixtures = SharedData.require(SharedData.fixtures().resolve("checkpoints"));
        Path compose = Path.of(System.getProperty("linguaflow.compose", "../../docker/compose.yaml")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(compose)) {
            throw new IllegalStateException("docker/compose.yaml not found at " + compose + " (system property linguaflow.compose)");
        }
        try (ComposeContainer services = new ComposeContainer(compose.toFile())
                .withServices("kafka", "schema-registry") // the linguaflow services run in this JVM
                .withLocalCompose(true)
                .withRemoveVolumes(true)
                .waitingFor("kafka", Wait.forHealthcheck().withStartupTimeout(STARTUP))
                .withExposedService("schema-registry", 8081, Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(STARTUP))) {
            services.start();
            String registry = "http://" + services.getServiceHost("schema-registry", 8081) + ":"
                    + services.getServicePort("schema-registry", 8081);
            System.out.println("compose services up: Kafka " + KAFKA + ", Confluent schema registry " + registry);
            PipelineTrendTest.landInOrderAndCompareWithTheReferences(fixtures, KAFKA, registry, state);
        }
    }

    private static boolean composePlugin() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("docker", "compose", "version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void skip(String why) {
        String msg = "SKIPPED: ComposePipelineDockerTest (-Pdocker) needs Docker: " + why
                + "; the end-to-end test against docker/compose.yaml's Kafka and Confluent registry did NOT run";
        System.err.println("*************************************************************************");
        System.err.println(msg);
        System.err.println("*************************************************************************");
        Assumptions.abort(msg);
    }
}
