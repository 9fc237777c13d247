package io.linguaflow.schemas;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Topic names with the deployment's prefix ({@code LINGUAFLOW_TOPIC_PREFIX}, default none), so several
 * deployments can share one cluster. See {@link Topic} for keys, values and compaction.
 */
public final class Topics {

    /** Environment variable holding the prefix. */
    public static final String PREFIX_ENV = "LINGUAFLOW_TOPIC_PREFIX";

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]*");

    private final String prefix;

    /** @param prefix prepended verbatim to every base name (e.g. {@code "lf."}); empty for none */
    public Topics(String prefix) {
        if (prefix == null || !LEGAL.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix '" + prefix
                    + "' may contain only ASCII letters, digits, '.', '_' and '-'");
        }
        this.prefix = prefix;
    }

    /** The names exactly as in the design. */
    public static Topics unprefixed() {
        return new Topics("");
    }

    /** The prefix from {@value #PREFIX_ENV}, none when unset. */
    public static Topics fromEnvironment() {
        String p = System.getenv(PREFIX_ENV);
        return new Topics(p == null ? "" : p);
    }

    public String prefix() {
        return prefix;
    }

    public String name(Topic topic) {
        return prefix + topic.baseName();
    }

    /** The topic a full name belongs to, if it is one of ours under this prefix. */
    public Optional<Topic> topicOf(String name) {
        for (Topic t : Topic.values()) {
            if (name(t).equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
