package io.linguaflow.producers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.linguaflow.schemas.avro.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RejectionTest {

    @Test
    void deadLetterKeepsTheWholeOriginal() {
        String row = "c\u00e9".repeat(70_000);
        DeadLetter dl = new Rejection("f.tsv:3", "OversizeText", "f.tsv:3: too long", "c|en|1", row)
                .toDeadLetter(Instant.EPOCH);
        byte[] value = new byte[dl.getValue().remaining()];
        dl.getValue().duplicate().get(value);
        assertArrayEquals(row.getBytes(StandardCharsets.UTF_8), value);
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
