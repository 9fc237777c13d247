package io.linguaflow.producers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.linguaflow.schemas.avro.DeadLetter;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RejectionTest {

    @Test
    void deadLetterKeepsAtMost64KiBOfTheOriginal() {
        DeadLetter dl = new Rejection("f.tsv:3", "OversizeText", "f.tsv:3: too long", "c|en|1", "x".repeat(70_000))
                .toDeadLetter(Instant.EPOCH);
        assertEquals(Rejection.MAX_VALUE_BYTES, dl.getValue().remaining());
        assertEquals("f.tsv:3", dl.getInput());
        assertEquals("f.tsv:3: too long", dl.getError());
        assertEquals(6, dl.getKey().remaining());
        assertNull(dl.getSourceTopic());
        assertNull(dl.getSourceOffset());

        DeadLetter bare = new Rejection("/ckpt/config.json", "BrokenCheckpoint", "missing", null, null).toDeadLetter(Instant.EPOCH);
        assertNull(bare.getKey());
        assertNull(bare.getValue());
    }
}
