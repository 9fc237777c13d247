package io.linguaflow.producers.cli;

import io.linguaflow.producers.checkpoint.CheckpointReplay;
import io.linguaflow.producers.kafka.RecordPublisher;
import io.linguaflow.schemas.KafkaEnvironment;
import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.CheckpointEvent;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code replay --checkpoint ID}: plans a FAILED or incomplete checkpoint again ({@link CheckpointReplay}). */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Plan a checkpoint again: republishes its latest event on 'checkpoints' marked as a replay, so the",
            "planner re-sends all its inference requests although its content hash was analysed (a FAILED checkpoint",
            "whose cause was fixed, or one that never completed). Samples already aggregated are not counted twice."})
public final class ReplayCommand extends ProducerCommand {

    @Option(names = "--checkpoint", required = true, paramLabel = "ID", description = "checkpoint id, e.g. bloom-560m@1000")
    String checkpointId;

    @Option(names = "--timeout", defaultValue = "PT60S", description = "how long to read 'checkpoints' (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    int run() {
        KafkaEnvironment kafka = kafka();
        String topic = kafka.topics().name(Topic.CHECKPOINTS);
        CheckpointEvent event = CheckpointReplay.latest(clientConfig(kafka), topic, checkpointId, timeout)
                .orElseThrow(() -> new IllegalArgumentException("no event of checkpoint '" + checkpointId + "' on " + topic
                        + " (" + kafka.bootstrapServers() + ")"));
        CheckpointEvent replay = CheckpointReplay.replay(event);
        try (RecordPublisher publisher = new RecordPublisher(kafka.topics(), clientConfig(kafka), Clock.systemUTC())) {
            publisher.checkpoint(replay);
        }
        err().println("replaying checkpoint " + checkpointId + " (content hash " + event.getContentHash() + ", corpus '"
                + event.getCorpus() + "', replay " + replay.getReplay() + ")");
        err().flush();
        return 0;
    }
}
