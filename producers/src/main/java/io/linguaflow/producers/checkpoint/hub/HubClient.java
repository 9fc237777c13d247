package io.linguaflow.producers.checkpoint.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two hub HTTP calls a download needs, as huggingface_hub makes them: the revision's file list
 * ({@code GET /api/models/{repo}/revision/{rev}?blobs=true}: commit {@code sha}, {@code siblings} with size, git blob
 * id and LFS sha256) and a file's content ({@code GET /{repo}/resolve/{commit}/{file}}, which redirects LFS files to
 * a CDN). Redirects are followed here, not by the JDK client, so that the token ({@code Authorization: Bearer}) goes
 * to the endpoint's origin only, never to the CDN a redirect names. A download appends to a partial file and resumes
 * it with {@code Range}: after a dropped connection, and in a later run from what an earlier one left.
 */
public final class HubClient {

    static final int MAX_REDIRECTS = 5;
    /** Consecutive attempts that add no byte before a download gives up (huggingface_hub's figure). */
    static final int MAX_ATTEMPTS_WITHOUT_PROGRESS = 5;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(?:\\d+|\\*)");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a connection may deliver nothing (no headers, no body byte) before it is abandoned. */
    static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hub-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final URI endpoint;
    private final Optional<String> token;
    private final HttpClient http;
    private final Duration stallTimeout;

    public HubClient(URI endpoint, Optional<String> token) {
        this(endpoint, token, DEFAULT_STALL_TIMEOUT);
    }

    HubClient(URI endpoint, Optional<String> token, Duration stallTimeout) {
        this.stallTimeout = stallTimeout;
        this.endpoint = Objects.requireNonNull(endpoint);
        this.token = Objects.requireNonNull(token);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** What the hub lists for a revision: the commit it resolves to and its files. */
    public record Listing(String commit, List<HubFile> files) {

        public Optional<HubFile> file(String name) {
            return files.stream().filter(f -> f.name().equals(name)).findFirst();
        }
    }

    /** The commit and file list of {@code rev}. */
    public Listing list(HubRevision rev) throws HubException {
        URI uri = URI.create(endpoint + "/api/models/" + rev.repo() + "/revision/" + encode(rev.revision())
                + "?blobs=true");
        HttpResponse<byte[]> response;
        try {
            response = send(uri, null, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new HubException("hub " + rev + ": cannot list the revision at " + uri + ": " + e, e);
        }
        if (response.statusCode() != 200) {
            throw failure(rev, null, response);
        }
        try {
            JsonNode info = JSON.readTree(response.body());
            String commit = info.path("sha").asText("");
            if (!commit.matches("[0-9a-f]{40}")) {
                throw new HubException("hub " + rev + ": " + uri + " names no commit (sha): '" + commit + "'");
            }
            List<HubFile> files = new ArrayList<>();
            for (JsonNode s : info.path("siblings")) {
                JsonNode lfs = s.get("lfs");
                // the ids name files in the cache: hex digests only
                if (!s.path("rfilename").isTextual() || !s.path("size").canConvertToLong()
                        || !s.path("blobId").asText("").matches("[0-9a-f]{40}")
                        || (lfs != null && !lfs.path("sha256").asText("").matches("[0-9a-f]{64}"))) {
                    throw new HubException("hub " + rev + ": " + uri + " lists a file without rfilename, size and "
                            + "blobId (lfs.sha256 for an LFS file) as the hub gives them: " + s);
                }
                files.add(new HubFile(s.get("rfilename").asText(), s.get("size").asLong(), s.get("blobId").asText(),
                        lfs == null ? null : lfs.get("sha256").asText()));
            }
            return new Listing(commit, List.copyOf(files));
        } catch (IOException e) {
            throw e instanceof HubException h ? h
                    : new HubException("hub " + rev + ": " + uri + " did not answer JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Downloads {@code file} of {@code commit} into {@code partial}, continuing from its length, until it holds
     * {@code file.size()} bytes. A dropped connection is resumed with {@code Range}; the download gives up after
     * {@link #MAX_ATTEMPTS_WITHOUT_PROGRESS} attempts in a row that add nothing, leaving {@code partial} for the next
     * run. Content checks are the caller's ({@link HubCache}).
     */
    public void download(HubRevision rev, String commit, HubFile file, Path partial) throws HubException {
        URI uri = URI.create(endpoint + "/" + rev.repo() + "/resolve/" + commit + "/" + encode(file.name()));
        int fruitless = 0;
        IOException last = null;
        while (length(partial) < file.size()) {
            long before = length(partial);
            try {
                fetchFrom(rev, file, uri, partial, before);
            } catch (HubException e) {
                throw e;
            } catch (IOException e) {
                last = e;
            }
            fruitless = length(partial) > before ? 0 : fruitless + 1;
            if (fruitless >= MAX_ATTEMPTS_WITHOUT_PROGRESS) {
                throw new HubException("hub " + rev + ": " + file.name() + ": download stopped at byte "
                        + length(partial) + " of " + file.size() + " after " + fruitless
                        + " attempts without progress (" + (last == null ? "the server sent nothing" : last)
                        + "); the part is kept in " + partial + " and the next run resumes it", last);
            }
        }
    }

    /**
     * One GET of {@code uri} from byte {@code from}, written into {@code partial} as it arrives. A connection on which
     * no byte arrives for {@link #stallTimeout} is abandoned (an IOException, so the next attempt resumes).
     */
    private void fetchFrom(HubRevision rev, HubFile file, URI uri, Path partial, long from) throws IOException {
        FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        AtomicReference<FileWriting> writing = new AtomicReference<>();
        HttpResponse.BodyHandler<Void> handler = info -> {
            boolean resumed = info.statusCode() == 206 && rangeStart(info.headers()) == from;
            if (!resumed && info.statusCode() != 200) {
                return HttpResponse.BodySubscribers.discarding();
            }
            if (!resumed) {
                try {
                    out.truncate(0); // the whole file: a server that ignores Range starts the part over
                } catch (IOException e) {
                    throw new UncheckedIOException(partial + ": cannot truncate: " + e, e);
                }
            }
            writing.set(new FileWriting(out));
            return writing.get();
        };
        long[] seen = {-1};
        ScheduledFuture<?> watchdog = WATCHDOG.scheduleAtFixedRate(() -> {
            FileWriting w = writing.get();
            if (w != null) {
                long now = w.written.get();
                if (now == seen[0]) {
                    w.abort(new IOException("no data for " + stallTimeout.toSeconds() + " s"));
                }
                seen[0] = now;
            }
        }, stallTimeout.toMillis(), stallTimeout.toMillis(), TimeUnit.MILLISECONDS);
        HttpResponse<Void> response;
        try {
            response = send(uri, from > 0 ? "bytes=" + from + "-" : null, handler);
        } finally {
            watchdog.cancel(false);
            out.close();
        }
        if (writing.get() == null) {
            if (response.statusCode() == 206) {
                throw new HubException("hub " + rev + ": " + file.name() + ": asked for bytes from " + from
                        + ", the server answered Content-Range '"
                        + response.headers().firstValue("Content-Range").orElse("") + "'");
            }
            throw failure(rev, file, response);
        }
    }

    private static long rangeStart(HttpHeaders headers) {
        Matcher m = CONTENT_RANGE.matcher(headers.firstValue("Content-Range").orElse(""));
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** A response body written into a file chunk by chunk, counting the bytes (which the watchdog reads). */
    private static final class FileWriting implements HttpResponse.BodySubscriber<Void> {
        final FileChannel out;
        final AtomicLong written = new AtomicLong();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;

        FileWriting(FileChannel out) {
            this.out = out;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            try {
                for (ByteBuffer b : buffers) {
                    while (b.hasRemaining()) {
                        written.addAndGet(out.write(b));
                    }
                }
                subscription.request(1);
            } catch (IOException e) {
                abort(e);
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }

        @Override
        public CompletionStage<Void> getBody() {
            return done;
        }

        /** Ends the exchange: the connection is closed and {@code send} throws {@code e}. */
        void abort(IOException e) {
            if (subscription != null) {
                subscription.cancel();
            }
            done.completeExceptionally(e);
        }
    }

    /** GET with redirects followed; the token only to the endpoint's origin. Redirect bodies are discarded. */
    private <T> HttpResponse<T> send(URI uri, String range, HttpResponse.BodyHandler<T> body) throws IOException {
        HttpResponse.BodyHandler<T> handler = info -> isRedirect(info.statusCode())
                ? HttpResponse.BodySubscribers.replacing(null) : body.apply(info);
        URI at = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(at).GET().timeout(stallTimeout).header("User-Agent", "linguaflow")
                    .header("Accept-Encoding", "identity"); // sizes are the file's, not a compressed stream's
            if (range != null) {
                request.header("Range", range);
            }
            if (token.isPresent() && sameOrigin(at, endpoint)) {
                request.header("Authorization", "Bearer " + token.get());
            }
            HttpResponse<T> response;
            try {
                response = http.send(request.build(), handler);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            Optional<String> location = response.headers().firstValue("Location");
            if (!isRedirect(response.statusCode()) || location.isEmpty()) {
                return response;
            }
            if (hop == MAX_REDIRECTS) {
                throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
            }
            at = at.resolve(location.get());
        }
    }

    /** The failure an HTTP error answer means, from the hub's {@code X-Error-Code} where it sends one. */
    private HubException failure(HubRevision rev, HubFile file, HttpResponse<?> response) {
        int status = response.statusCode();
        String code = response.headers().firstValue("X-Error-Code").orElse("");
        String hubMessage = response.headers().firstValue("X-Error-Message").map(m -> " (hub: " + m + ")").orElse("");
        String what = "hub " + rev + (file == null ? "" : ": " + file.name()) + ": ";
        String tokenAdvice = token.isPresent() ? "the token in HF_TOKEN has no access to " + rev.repo()
                : "set HF_TOKEN to a token with access to " + rev.repo();
        String reason;
        if (code.equals("GatedRepo")) {
            reason = "gated repository: accept its conditions on " + endpoint + "/" + rev.repo() + " and "
                    + tokenAdvice;
        } else if (code.equals("RevisionNotFound")) {
            reason = "revision '" + rev.revision() + "' not found in " + rev.repo();
        } else if (code.equals("EntryNotFound")) {
            reason = "file not found in the revision";
        } else if (code.equals("RepoNotFound") || status == 404) {
            // the hub answers 401 RepoNotFound for a private repository without a token
            reason = "repository " + rev.repo() + " not found (a private one needs HF_TOKEN)";
        } else if (status == 401 || status == 403) {
            reason = "access denied (HTTP " + status + "): " + tokenAdvice;
        } else {
            reason = "HTTP " + status + " from " + response.uri();
        }
        return new HubException(what + reason + hubMessage);
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }

    /** A path segment as huggingface_hub quotes it ({@code refs/pr/1} → {@code refs%2Fpr%2F1}). */
    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static long length(Path file) throws HubException {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new HubException(file + ": unreadable: " + e, e);
        }
    }
}
