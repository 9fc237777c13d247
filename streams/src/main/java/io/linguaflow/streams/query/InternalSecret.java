package io.linguaflow.streams.query;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The shared secret of the calls between instances (docs/design.md §4, security): {@link Instances} sends it in the
 * {@value #HEADER} header, and the {@code /internal} routes answer 403 without it. All instances of one application
 * need the same secret ({@code --internal-secret} or {@code LINGUAFLOW_INTERNAL_SECRET}); one without a configured
 * secret makes up a random one, which only suits a single instance. Never printed: {@link #toString()} hides it.
 */
public final class InternalSecret {

    static final String HEADER = "X-Linguaflow-Internal-Secret";
    /** 16 characters: guessing is hopeless over HTTP, and a typo'd short value is caught at start. */
    public static final int MIN_LENGTH = 16;

    private final String value;
    private final byte[] digest;
    private final boolean configured;

    private InternalSecret(String value, boolean configured) {
        this.value = value;
        this.digest = sha256(value);
        this.configured = configured;
    }

    /** A configured secret; at least {@value #MIN_LENGTH} characters of printable ASCII (it travels in a header). */
    public static InternalSecret of(String value) {
        if (value.length() < MIN_LENGTH || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("the internal secret must be at least " + MIN_LENGTH
                    + " printable ASCII characters without spaces (got " + value.length() + " characters; the value is not shown)");
        }
        return new InternalSecret(value, true);
    }

    /** A secret of this process alone: other instances cannot make internal calls to it. */
    public static InternalSecret random() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return new InternalSecret(HexFormat.of().formatHex(b), false);
    }

    /** False for {@link #random()}: worth a warning when several instances share the work. */
    public boolean configured() {
        return configured;
    }

    String value() {
        return value;
    }

    /** Whether a request's header carries this secret; constant time (both sides hashed first, so lengths leak nothing). */
    boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return configured ? "InternalSecret[configured, hidden]" : "InternalSecret[random, hidden]";
    }
}
