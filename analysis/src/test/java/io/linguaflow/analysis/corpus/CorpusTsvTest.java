package io.linguaflow.analysis.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTsvTest {

    @TempDir
    Path tmp;

    @Test
    void rowsKeepTheirLineNumbers() throws IOException {
        Path f = Files.writeString(tmp.resolve("c.tsv"), "\uFEFFlang\tid\ttext\r\nen\t1\tcaf\u00e9\r\n\nfr\t1\tx\n");
        Corpus c = CorpusTsv.read(f);
        assertEquals(List.of(2, 4), c.rows().stream().map(Corpus.Row::line).toList());
        assertEquals("caf\u00e9", c.rows().get(0).text());
    }

    @Test
    void invalidUtf8IsNamedWithFileAndLine() throws IOException {
        Path f = Files.write(tmp.resolve("latin1.tsv"), "id\tlang\ttext\n1\ten\tcafe\n1\tfr\tcaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        IOException e = assertThrows(IOException.class, () -> CorpusTsv.read(f));
        assertTrue(e.getMessage().startsWith(f + ":3: not valid UTF-8"), e.getMessage());
    }
}
