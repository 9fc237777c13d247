package io.linguaflow.streams.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.linguaflow.schemas.Topic;
import io.linguaflow.schemas.avro.Progress;
import io.linguaflow.schemas.avro.Stage;
import io.linguaflow.streams.config.StreamsSettings;
import io.linguaflow.streams.testkit.Drivers;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The latest progress per checkpoint, where a failure outlives the interim progress that follows it. */
class LatestProgressTest {

    private final StreamsSettings settings = Drivers.settings();

    @Test
    void aFailureStaysUntilThePlanIsRenewedOrTheCheckpointCompletes(@TempDir Path state) {
        StreamsBuilder builder = new StreamsBuilder();
        LatestProgress.addGlobalStore(builder, settings);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), Drivers.props(state))) {
            TestInputTopic<String, Progress> progress = Drivers.input(driver, settings.topic(Topic.PROGRESS), Progress.class);
            KeyValueStore<String, Progress> store = driver.getKeyValueStore(LatestProgress.STORE);
            progress.pipeInput("m@1", progress("m@1", Stage.PLANNED, "planned"));
            progress.pipeInput("m@2", progress("m@2", Stage.WAITING_FOR_CORPUS, "waiting"));
            progress.pipeInput("m@1", progress("m@1", Stage.AGGREGATING, "1 of 4 layers reported"));
            assertEquals(Stage.AGGREGATING, store.get("m@1").getStage(), "the latest");
            progress.pipeInput("m@1", progress("m@1", Stage.FAILED, "cannot load checkpoint"));
            progress.pipeInput("m@1", progress("m@1", Stage.AGGREGATING, "2 of 4 layers reported"));
            assertEquals("cannot load checkpoint", store.get("m@1").getMessage(), "interim progress does not hide the failure");
            progress.pipeInput("m@1", progress("m@1", Stage.PLANNED, "planned again"));
            assertEquals(Stage.PLANNED, store.get("m@1").getStage());
            progress.pipeInput("m@1", progress("m@1", Stage.FAILED, "cannot load checkpoint"));
            progress.pipeInput("m@1", progress("m@1", Stage.COMPLETE, "final results published"));
            assertEquals(Stage.COMPLETE, store.get("m@1").getStage());
            assertEquals(Stage.WAITING_FOR_CORPUS, store.get("m@2").getStage(), "per checkpoint");
        }
    }

    private static Progress progress(String checkpointId, Stage stage, String message) {
        return Progress.newBuilder().setCheckpointId(checkpointId).setStage(stage).setSamplesExpected(8).setSamplesSeen(0)
                .setLayerRecordsExpected(32).setLayerRecordsSeen(0).setMessage(message).setUpdatedAt(Instant.EPOCH).build();
    }
}
