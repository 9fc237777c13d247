package io.linguaflow.producers.request;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic request ids: the same request submitted twice has the same key, so it is served once. */
final class RequestIds {

    private RequestIds() {
    }

    /** {@code <prefix>-<first 16 hex of sha256(canonical)>}. */
    static String derive(String prefix, String canonical) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return prefix + "-" + HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
