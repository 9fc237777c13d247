package io.linguaflow.producers.checkpoint.hub;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the hub is and how to reach it, from the environment variables huggingface_hub reads.
 *
 * @param endpoint {@code HF_ENDPOINT}, default {@code https://huggingface.co}
 * @param token    {@code HF_TOKEN}, sent as {@code Authorization: Bearer} (gated and private repositories)
 * @param cache    {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}
 * @param offline  {@code HF_HUB_OFFLINE=1}: only what the cache holds
 */
public record HubEnvironment(URI endpoint, Optional<String> token, Path cache, boolean offline) {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    public static HubEnvironment of(Map<String, String> env) {
        String endpoint = env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT).replaceAll("/+$", "");
        String token = env.get("HF_TOKEN");
        Path cache;
        if (env.get("HF_HUB_CACHE") != null) {
            cache = Path.of(env.get("HF_HUB_CACHE"));
        } else if (env.get("HF_HOME") != null) {
            cache = Path.of(env.get("HF_HOME"), "hub");
        } else {
            cache = Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
        }
        String offline = env.getOrDefault("HF_HUB_OFFLINE", "");
        return new HubEnvironment(URI.create(endpoint), Optional.ofNullable(token).filter(t -> !t.isBlank()), cache,
                offline.equals("1") || offline.equalsIgnoreCase("true") || offline.equalsIgnoreCase("yes")
                        || offline.equalsIgnoreCase("on"));
    }

    public HubEnvironment withEndpoint(URI e) {
        return new HubEnvironment(e, token, cache, offline);
    }

    public HubEnvironment withCache(Path dir) {
        return new HubEnvironment(endpoint, token, dir, offline);
    }

    /** The token is never printed. */
    @Override
    public String toString() {
        return "HubEnvironment[endpoint=" + endpoint + ", token=" + (token.isPresent() ? "set" : "none") + ", cache="
                + cache + ", offline=" + offline + "]";
    }
}
