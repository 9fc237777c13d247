package io.linguaflow.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances of the application and who owns what (docs/design.md §4, interactive queries): the only class that
 * asks Kafka Streams for owners ({@link KafkaStreams#queryMetadataForKey}) and instances
 * ({@link KafkaStreams#metadataForAllStreamsClients}), and the only one that calls another instance. A call about a
 * key is answered in-process when this instance owns it, else by the owner over HTTP with the {@value #FORWARDED}
 * header; the owner then answers itself or 503 (the key moved: forwarding again could loop during a rebalance). Every
 * call carries the instances' {@link InternalSecret}, which the {@code /internal} routes require.
 */
final class Instances {

    static final String FORWARDED = "X-Linguaflow-Forwarded";
    private static final Logger LOG = LoggerFactory.getLogger(Instances.class);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(20);
    /** A layer block costs O(N²·D) on its owner: 900 samples x 16384 neurons is seconds, not milliseconds. */
    private static final Duration BLOCK_TIMEOUT = Duration.ofMinutes(10);

    private final KafkaStreams streams;
    private final HostInfo self;
    private final InternalSecret secret;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Instances(KafkaStreams streams, HostInfo self, InternalSecret secret) {
        this.streams = streams;
        this.self = self;
        this.secret = secret;
    }

    HostInfo self() {
        return self;
    }

    /**
     * The JSON answer about {@code key} of {@code store}: {@code local} when this instance owns it, else the owner's
     * answer to GET {@code pathAndQuery}.
     *
     * @param forwarded the call came forwarded from another instance: this one must own the key
     */
    JsonNode owned(String store, String key, String pathAndQuery, boolean forwarded, Supplier<JsonNode> local) {
        HostInfo owner = owner(store, key, forwarded);
        return owner.equals(self) ? local.get() : json(owner, pathAndQuery, true);
    }

    /** The same for byte answers: the owner's reply is passed on as it came (content type and body). */
    Reply ownedBytes(String store, String key, String pathAndQuery, boolean forwarded, Supplier<Reply> local) {
        HostInfo owner = owner(store, key, forwarded);
        if (owner.equals(self)) {
            return local.get();
        }
        HttpResponse<byte[]> r = get(owner, pathAndQuery, true, BLOCK_TIMEOUT);
        return new Reply(r.headers().firstValue("Content-Type").orElse("application/octet-stream"), r.body());
    }

    /** The answers of every instance to a list call: {@code local} here, GET {@code pathAndQuery} on the others. */
    List<JsonNode> gather(String pathAndQuery, Supplier<JsonNode> local) {
        List<JsonNode> out = new ArrayList<>();
        for (StreamsMetadata instance : streams.metadataForAllStreamsClients()) {
            HostInfo host = instance.hostInfo();
            out.add(host.equals(self) ? local.get() : json(host, pathAndQuery, false));
        }
        return out;
    }

    /** 503 while no instance owns {@code key}, or when a call forwarded here finds that the key moved. */
    private HostInfo owner(String store, String key, boolean forwarded) {
        KeyQueryMetadata owner = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            throw QueryException.unavailable("no instance owns '" + key + "' of " + store + " right now (rebalancing)");
        }
        if (forwarded && !owner.activeHost().equals(self)) {
            throw QueryException.unavailable("ownership of '" + key + "' moved while the call was forwarded");
        }
        return owner.activeHost();
    }

    private JsonNode json(HostInfo host, String pathAndQuery, boolean forward) {
        try {
            return Reply.JSON.readTree(get(host, pathAndQuery, forward, QUERY_TIMEOUT).body());
        } catch (IOException e) {
            throw new IllegalStateException("instance " + host.host() + ":" + host.port() + " answered " + pathAndQuery + " with bad JSON", e);
        }
    }

    /** GET on another instance; a status other than 200 becomes a {@link QueryException} with its error. */
    private HttpResponse<byte[]> get(HostInfo host, String pathAndQuery, boolean forward, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery))
                .timeout(timeout).header(InternalSecret.HEADER, secret.value()).GET();
        if (forward) {
            b.header(FORWARDED, self.host() + ":" + self.port());
        }
        HttpResponse<byte[]> response;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            LOG.warn("instance {}:{} cannot be reached for {}", host.host(), host.port(), pathAndQuery, e);
            throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " cannot be reached; retry");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw QueryException.unavailable("interrupted while asking " + host);
        }
        if (response.statusCode() == 403) {
            throw new QueryException(502, "instance " + host.host() + ":" + host.port() + " refused this instance's internal call (403): "
                    + "the instances of one application must be given the same --internal-secret");
        }
        if (response.statusCode() != 200) {
            String error = "instance " + host + " answered " + response.statusCode();
            try {
                error = Reply.JSON.readTree(response.body()).path("error").asText(error);
            } catch (IOException e) {
                // not our JSON error: keep the status line
            }
            throw new QueryException(response.statusCode(), error);
        }
        return response;
    }
}
