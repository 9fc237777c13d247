package io.linguaflow.producers.checkpoint.hub;

import io.linguaflow.checkpoint.SafeTensors;
import io.linguaflow.checkpoint.testkit.TestCheckpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** The files of a hub revision for {@link HubTestServer}: small real checkpoints from the checkpoint test kit. */
public final class HubRepoFiles {

    private HubRepoFiles() {
    }

    /** A single-file checkpoint (the test kit's) with {@code rows} × 64 float32 weights (rows × 256 bytes + header). */
    public static Map<String, byte[]> single(Path scratch, int rows) throws IOException {
        Path dir = TestCheckpoints.singleFile(scratch);
        Files.write(dir.resolve(SafeTensors.SINGLE), TestCheckpoints.f32(Map.of("w", new long[] {rows, 64})));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 512}");
        return read(dir);
    }

    /** The same config and tokenizer with the weights in two shards and their index. */
    public static Map<String, byte[]> sharded(Path scratch) throws IOException {
        Path dir = TestCheckpoints.singleFile(scratch);
        Files.delete(dir.resolve(SafeTensors.SINGLE));
        Files.write(dir.resolve("model-00001-of-00002.safetensors"),
                TestCheckpoints.f32(Map.of("a", new long[] {32, 64})));
        Files.write(dir.resolve("model-00002-of-00002.safetensors"),
                TestCheckpoints.f32(Map.of("b", new long[] {16, 64})));
        Files.writeString(dir.resolve(SafeTensors.INDEX), "{\"metadata\":{},\"weight_map\":{"
                + "\"b\":\"model-00002-of-00002.safetensors\",\"a\":\"model-00001-of-00002.safetensors\"}}");
        return read(dir);
    }

    private static Map<String, byte[]> read(Path dir) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.sorted().forEach(f -> {
                try {
                    files.put(f.getFileName().toString(), Files.readAllBytes(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return files;
    }
}
