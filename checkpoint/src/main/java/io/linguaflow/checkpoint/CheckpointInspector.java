package io.linguaflow.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checks that a HuggingFace checkpoint directory is complete and readable, without loading weights:
 * {@code config.json} parses (and what it says about the model is well-formed); {@code tokenizer.json} exists and
 * parses; the weights open as {@link SafeTensors} (every header agrees with its file's size; every shard an index
 * lists exists and holds the tensors the index assigns to it).
 */
public final class CheckpointInspector {

    public static final String TOKENIZER = "tokenizer.json";

    private CheckpointInspector() {
    }

    /** Validates {@code dir}; the exception names the first file at fault. */
    public static CheckpointInfo inspect(Path dir) throws CheckpointException {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir, "not a directory");
        }
        HfConfig config = HfConfig.read(dir);
        String architecture = config.modelType();
        Integer layers = config.layers();
        Integer neuronsPerLayer = config.mlpWidth();
        JsonFiles.readObject(dir.resolve(TOKENIZER));
        try (SafeTensors weights = SafeTensors.open(dir)) {
            long bytes = 0;
            for (SafetensorsHeader h : weights.files()) {
                bytes += h.dataStart() + h.dataSize();
            }
            return new CheckpointInfo(dir, architecture, layers, neuronsPerLayer,
                    weights.files().stream().map(SafetensorsHeader::file).toList(), weights.names().size(), bytes);
        }
    }

    /**
     * Content hash: sha256 over the bytes of the weight files concatenated in file-name order (hex). For a
     * single {@code model.safetensors} this is that file's plain sha256 ({@code sha256sum}).
     */
    public static String contentHash(CheckpointInfo info) throws CheckpointException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        byte[] buf = new byte[1 << 20];
        for (Path f : info.weightFiles()) {
            try (InputStream in = Files.newInputStream(f)) {
                int r;
                while ((r = in.read(buf)) > 0) {
                    sha.update(buf, 0, r);
                }
            } catch (IOException e) {
                throw new CheckpointException(f, "unreadable while hashing: " + e, e);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
