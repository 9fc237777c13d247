package io.linguaflow.producers.checkpoint.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on 127.0.0.1 in the hub's URL layout, for the hub client's tests: {@code GET
 * /api/models/{repo}/revision/{rev}?blobs=true} (commit and siblings with size, blobId and LFS sha256), {@code GET
 * /{repo}/resolve/{rev}/{file}} (a plain file's content with {@code X-Repo-Commit} and {@code ETag}; an LFS file
 * (*.safetensors, *.bin) redirected with 302 to a second server, the "CDN", on another port: another origin), and
 * {@code Range} requests (206). Errors as the hub sends them ({@code X-Error-Code}). Faults on demand: a connection
 * dropped mid-file, a file served with a byte flipped, a gated repository.
 */
public final class HubTestServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, Map<String, String>> refs = new HashMap<>(); // repo -> revision -> commit
    private final Map<String, Map<String, byte[]>> commits = new HashMap<>(); // commit -> file -> content
    private final Map<String, byte[]> lfsBlobs = new HashMap<>(); // sha256 -> content
    private final Map<String, String> gated = new HashMap<>(); // repo -> token
    private final Map<String, long[]> drops = new HashMap<>(); // sha256 -> {offset, times left}
    private final Map<String, Long> stalls = new HashMap<>(); // sha256 -> offset, once
    private final CountDownLatch stalled = new CountDownLatch(1);
    private final Map<String, Integer> flips = new HashMap<>(); // sha256 -> times left
    private final List<String> requests = new ArrayList<>();

    public HubTestServer() throws IOException {
        InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        hub = HttpServer.create(local, 0);
        cdn = HttpServer.create(local, 0);
        hub.setExecutor(threads);
        cdn.setExecutor(threads); // a stalled response must not hold up the others
        hub.createContext("/", this::hub);
        cdn.createContext("/", this::cdn);
        hub.start();
        cdn.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    /** Publishes {@code files} as a new commit of {@code repo} that {@code revision} points to; returns the commit. */
    public synchronized String commit(String repo, String revision, Map<String, byte[]> files) {
        String commit = hex("SHA-1", (repo + "@" + revision + "#" + commits.size()).getBytes(StandardCharsets.UTF_8));
        commits.put(commit, new LinkedHashMap<>(files));
        refs.computeIfAbsent(repo, r -> new HashMap<>()).put(revision, commit);
        files.forEach((name, content) -> {
            if (isLfs(name)) {
                lfsBlobs.put(hex("SHA-256", content), content);
            }
        });
        return commit;
    }

    /** Requests about {@code repo} need {@code Authorization: Bearer token}. */
    public synchronized void gate(String repo, String token) {
        gated.put(repo, token);
    }

    /** The next {@code times} downloads of {@code content} end, connection closed, at byte {@code offset}. */
    public synchronized void dropAt(byte[] content, long offset, int times) {
        drops.put(hex("SHA-256", content), new long[] {offset, times});
    }

    /** The next download of {@code content} sends nothing after byte {@code offset}, the connection left open. */
    public synchronized void stallAt(byte[] content, long offset) {
        stalls.put(hex("SHA-256", content), offset);
    }

    /** The next {@code times} downloads of {@code content} have one byte flipped (its size stays right). */
    public synchronized void flipAByte(byte[] content, int times) {
        flips.put(hex("SHA-256", content), times);
    }

    /** Every request so far: {@code METHOD path[?query] [range=...] [auth]}. */
    public synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    private void hub(HttpExchange ex) throws IOException {
        try {
            serveHub(ex);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serveHub(HttpExchange ex) throws IOException, InterruptedException {
        try (ex) {
            log(ex);
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/api/models/")) {
                String[] p = path.substring("/api/models/".length()).split("/revision/", 2);
                Map<String, String> repoRefs = allowed(ex, p[0]);
                if (repoRefs != null) {
                    String commit = resolve(repoRefs, p[1]);
                    if (commit == null) {
                        error(ex, 404, "RevisionNotFound", "Invalid rev id: " + p[1]);
                    } else {
                        send(ex, 200, Map.of("Content-Type", "application/json"), info(p[0], commit));
                    }
                }
                return;
            }
            String[] p = path.substring(1).split("/resolve/", 2);
            Map<String, String> repoRefs = p.length == 2 ? allowed(ex, p[0]) : null;
            if (repoRefs == null) {
                if (p.length != 2) {
                    error(ex, 404, null, "not a hub route: " + path);
                }
                return;
            }
            int slash = p[1].indexOf('/');
            String commit = resolve(repoRefs, p[1].substring(0, slash));
            byte[] content = commit == null ? null : commits.get(commit).get(p[1].substring(slash + 1));
            if (commit == null) {
                error(ex, 404, "RevisionNotFound", "Invalid rev id");
            } else if (content == null) {
                error(ex, 404, "EntryNotFound", "Entry not found");
            } else if (isLfs(p[1])) {
                String sha = hex("SHA-256", content);
                ex.getResponseHeaders().add("X-Repo-Commit", commit);
                ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
                ex.getResponseHeaders().add("X-Linked-Size", Long.toString(content.length));
                ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/blobs/" + sha);
                ex.sendResponseHeaders(302, -1);
            } else {
                ex.getResponseHeaders().add("X-Repo-Commit", commit);
                ex.getResponseHeaders().add("ETag", "\"" + gitBlobSha1(content) + "\"");
                content(ex, content, hex("SHA-256", content));
            }
        }
    }

    private void cdn(HttpExchange ex) throws IOException {
        try {
            serveBlob(ex);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serveBlob(HttpExchange ex) throws IOException, InterruptedException {
        try (ex) {
            log(ex);
            String sha = ex.getRequestURI().getPath().substring("/blobs/".length());
            byte[] content;
            synchronized (this) {
                content = lfsBlobs.get(sha);
            }
            if (content == null) {
                error(ex, 404, null, "no such blob");
            } else {
                content(ex, content, sha);
            }
        }
    }

    /** The content from the requested Range on, with the faults asked for. */
    private void content(HttpExchange ex, byte[] content, String sha) throws IOException, InterruptedException {
        long from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher m = RANGE.matcher(range);
            from = m.matches() ? Long.parseLong(m.group(1)) : 0;
            if (from >= content.length) {
                ex.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders().add("Content-Range",
                    "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
        }
        byte[] body = java.util.Arrays.copyOfRange(content, (int) from, content.length);
        long dropAt = Long.MAX_VALUE;
        boolean stall;
        synchronized (this) {
            long[] drop = drops.get(sha);
            if (drop != null && drop[1] > 0) {
                drop[1]--;
                dropAt = Math.max(0, drop[0] - from);
            }
            Long stallAt = stalls.remove(sha);
            stall = stallAt != null;
            if (stall) {
                dropAt = Math.max(0, stallAt - from);
            }
            Integer flip = flips.get(sha);
            if (flip != null && flip > 0) {
                flips.put(sha, flip - 1);
                body[body.length / 2] ^= 1;
            }
        }
        ex.sendResponseHeaders(range != null ? 206 : 200, body.length);
        OutputStream out = ex.getResponseBody();
        if (dropAt < body.length) {
            out.write(body, 0, (int) dropAt);
            out.flush();
            if (stall) {
                stalled.await(30, TimeUnit.SECONDS); // silence until the client gives up (or the server stops)
            }
            // short of the announced length: "insufficient bytes written to stream", which, thrown out of the
            // handler, makes the server close the connection
            out.close();
        }
        out.write(body);
    }

    /** The repository's refs when the request may see it; else the error is sent and null returned. */
    private synchronized Map<String, String> allowed(HttpExchange ex, String repo) throws IOException {
        Map<String, String> repoRefs = refs.get(repo);
        String token = gated.get(repo);
        if (repoRefs == null) {
            error(ex, 401, "RepoNotFound", "Repository not found");
            return null;
        }
        if (token != null && !("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            error(ex, 401, "GatedRepo", "Access to model " + repo + " is restricted. You must have access to it "
                    + "and be authenticated to access it. Please log in.");
            return null;
        }
        return repoRefs;
    }

    private String resolve(Map<String, String> repoRefs, String revision) {
        return commits.containsKey(revision) ? revision : repoRefs.get(revision);
    }

    private synchronized byte[] info(String repo, String commit) throws IOException {
        ObjectNode info = JSON.createObjectNode().put("_id", commit.substring(0, 24)).put("id", repo)
                .put("modelId", repo).put("sha", commit).put("private", false);
        info.put("gated", gated.containsKey(repo) ? "manual" : "false");
        ArrayNode siblings = info.putArray("siblings");
        for (Map.Entry<String, byte[]> f : commits.get(commit).entrySet()) {
            ObjectNode s = siblings.addObject().put("rfilename", f.getKey());
            byte[] content = f.getValue();
            if (isLfs(f.getKey())) {
                String sha = hex("SHA-256", content);
                String pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + sha + "\nsize "
                        + content.length + "\n";
                s.put("blobId", gitBlobSha1(pointer.getBytes(StandardCharsets.UTF_8))).put("size", content.length);
                s.putObject("lfs").put("sha256", sha).put("size", content.length).put("pointerSize", pointer.length());
            } else {
                s.put("blobId", gitBlobSha1(content)).put("size", content.length);
            }
        }
        return JSON.writeValueAsBytes(info);
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        if (code != null) {
            ex.getResponseHeaders().add("X-Error-Code", code);
        }
        ex.getResponseHeaders().add("X-Error-Message", message);
        send(ex, status, Map.of("Content-Type", "application/json"),
                JSON.writeValueAsBytes(JSON.createObjectNode().put("error", message)));
    }

    private static void send(HttpExchange ex, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach(ex.getResponseHeaders()::add);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private synchronized void log(HttpExchange ex) {
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + (range != null ? " range=" + range : "")
                + (ex.getRequestHeaders().containsKey("Authorization") ? " auth" : ""));
    }

    private static boolean isLfs(String name) {
        return name.endsWith(".safetensors") || name.endsWith(".bin");
    }

    public static String gitBlobSha1(byte[] content) {
        byte[] header = ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + content.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(content, 0, all, header.length, content.length);
        return hex("SHA-1", all);
    }

    public static String hex(String algorithm, byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stalled.countDown();
        hub.stop(0);
        cdn.stop(0);
        threads.shutdownNow();
    }
}
