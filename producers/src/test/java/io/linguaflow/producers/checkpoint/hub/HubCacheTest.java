package io.linguaflow.producers.checkpoint.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linguaflow.checkpoint.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub client and cache against a real HTTP server in the hub's layout, faults included. */
class HubCacheTest {

    @TempDir
    Path tmp;

    private HubTestServer server;
    private HubCache cache;
    private HubClient client;

    @BeforeEach
    void start() throws Exception {
        server = new HubTestServer();
        cache = new HubCache(tmp.resolve("cache"));
        client = new HubClient(server.endpoint(), Optional.empty());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void revisionLandsInTheHubCacheLayoutAndIsServedOfflineAfterwards() throws Exception {
        Map<String, byte[]> files = HubRepoFiles.single(tmp.resolve("src"), 64);
        String commit = server.commit("org/tiny", "global_step1000", files);
        HubRevision rev = new HubRevision("org/tiny", "global_step1000");

        Path snapshot = cache.snapshot(rev, client);

        Path repo = tmp.resolve("cache/models--org--tiny");
        assertEquals(repo.resolve("snapshots").resolve(commit), snapshot);
        assertEquals(commit, Files.readString(repo.resolve("refs/global_step1000")));
        assertEquals(files.keySet(), names(snapshot));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            assertArrayEquals(f.getValue(), Files.readAllBytes(snapshot.resolve(f.getKey())), f.getKey());
        }
        // blobs are named by ETag: the sha256 of an LFS file, the git blob sha1 of any other
        byte[] weights = files.get(SafeTensors.SINGLE);
        assertEquals(Path.of("../../blobs/" + HubTestServer.hex("SHA-256", weights)),
                Files.readSymbolicLink(snapshot.resolve(SafeTensors.SINGLE)));
        assertEquals(Path.of("../../blobs/" + HubTestServer.gitBlobSha1(files.get("config.json"))),
                Files.readSymbolicLink(snapshot.resolve("config.json")));
        assertTrue(server.requests().get(0).startsWith("GET /api/models/org/tiny/revision/global_step1000?blobs=true"),
                server.requests().toString());
        // content is asked for by commit, so a branch that moves meanwhile cannot mix two commits
        assertTrue(server.requests().contains("GET /org/tiny/resolve/" + commit + "/config.json"),
                server.requests().toString());

        server.close();
        assertEquals(snapshot, cache.snapshot(rev, client), "complete in the cache: no network");
        assertEquals(snapshot, new HubCache(tmp.resolve("cache")).snapshot(rev, null), "offline");
        HubException e = assertThrows(HubException.class,
                () -> cache.snapshot(new HubRevision("org/tiny", "global_step2000"), null));
        assertTrue(e.getMessage().contains("hub org/tiny@global_step2000: not in the cache")
                && e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
    }

    @Test
    void aDroppedConnectionIsResumedWithRange() throws Exception {
        Map<String, byte[]> files = HubRepoFiles.single(tmp.resolve("src"), 64);
        byte[] weights = files.get(SafeTensors.SINGLE);
        server.commit("org/tiny", "main", files);
        server.dropAt(weights, 5000, 1);

        Path snapshot = cache.snapshot(new HubRevision("org/tiny", "main"), client);

        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve(SafeTensors.SINGLE)));
        String blob = "GET /blobs/" + HubTestServer.hex("SHA-256", weights);
        assertEquals(List.of(blob, blob + " range=bytes=5000-"), blobRequests(), "the second GET resumes at the drop");
    }

    @Test
    void aStalledConnectionIsAbandonedAndResumed() throws Exception {
        Map<String, byte[]> files = HubRepoFiles.single(tmp.resolve("src"), 64);
        byte[] weights = files.get(SafeTensors.SINGLE);
        server.commit("org/tiny", "main", files);
        server.stallAt(weights, 7000);
        HubClient impatient = new HubClient(server.endpoint(), Optional.empty(), Duration.ofSeconds(3));

        Path snapshot = cache.snapshot(new HubRevision("org/tiny", "main"), impatient);

        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve(SafeTensors.SINGLE)));
        String blob = "GET /blobs/" + HubTestServer.hex("SHA-256", weights);
        assertEquals(List.of(blob, blob + " range=bytes=7000-"), blobRequests());
    }

    @Test
    void aDownloadThatKeepsDroppingStopsAndTheNextRunResumesIt() throws Exception {
        Map<String, byte[]> files = HubRepoFiles.single(tmp.resolve("src"), 64);
        byte[] weights = files.get(SafeTensors.SINGLE);
        String sha = HubTestServer.hex("SHA-256", weights);
        server.commit("org/tiny", "main", files);
        // the first GET ends at byte 3000, then every resumed one at once
        server.dropAt(weights, 3000, 1 + HubClient.MAX_ATTEMPTS_WITHOUT_PROGRESS);
        HubRevision rev = new HubRevision("org/tiny", "main");

        HubException e = assertThrows(HubException.class, () -> cache.snapshot(rev, client));
        assertTrue(e.getMessage().startsWith("hub org/tiny@main: model.safetensors: download stopped at byte 3000 of "
                + weights.length + " after 5 attempts without progress"), e.getMessage());
        Path partial = tmp.resolve("cache/models--org--tiny/blobs/" + sha + ".incomplete");
        assertEquals(3000, Files.size(partial));
        assertEquals(Optional.empty(), cache.cached(rev), "not complete: no manifest yet");

        int before = blobRequests().size();
        Path snapshot = cache.snapshot(rev, client);
        assertEquals(List.of("GET /blobs/" + sha + " range=bytes=3000-"), blobRequests().subList(before,
                blobRequests().size()), "the next run asks only for the rest");
        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve(SafeTensors.SINGLE)));
        assertFalse(Files.exists(partial));
    }

    @Test
    void aWrongChecksumDeletesTheDownloadAndNamesExpectedAndActual() throws Exception {
        Map<String, byte[]> files = HubRepoFiles.single(tmp.resolve("src"), 64);
        byte[] weights = files.get(SafeTensors.SINGLE);
        String sha = HubTestServer.hex("SHA-256", weights);
        server.commit("org/tiny", "global_step7", files);
        server.flipAByte(weights, 1);
        HubRevision rev = new HubRevision("org/tiny", "global_step7");

        HubException e = assertThrows(HubException.class, () -> cache.snapshot(rev, client));
        byte[] flipped = weights.clone();
        flipped[flipped.length / 2] ^= 1;
        assertEquals("hub org/tiny@global_step7: model.safetensors: sha256 (the hub's LFS metadata) mismatch: expected "
                + sha + ", got " + HubTestServer.hex("SHA-256", flipped)
                + "; the download was deleted, run again to fetch it anew", e.getMessage());
        Path blobs = tmp.resolve("cache/models--org--tiny/blobs");
        assertFalse(Files.exists(blobs.resolve(sha)));
        assertFalse(Files.exists(blobs.resolve(sha + ".incomplete")));

        // a file in git (not LFS) is checked against its git blob sha1 (a fresh cache: config.json is in this one)
        byte[] config = files.get("config.json");
        server.flipAByte(config, 1);
        e = assertThrows(HubException.class, () -> new HubCache(tmp.resolve("other")).snapshot(rev, client));
        assertTrue(e.getMessage().startsWith("hub org/tiny@global_step7: config.json: git blob sha1 mismatch: expected "
                + HubTestServer.gitBlobSha1(config) + ", got "), e.getMessage());

        assertArrayEquals(weights, Files.readAllBytes(cache.snapshot(rev, client).resolve(SafeTensors.SINGLE)));
    }

    @Test
    void shardsAreFetchedAsTheirIndexLists() throws Exception {
        Map<String, byte[]> files = HubRepoFiles.sharded(tmp.resolve("src"));
        files.put("README.md", "# not fetched".getBytes());
        server.commit("org/sharded", "main", files);

        Path snapshot = cache.snapshot(new HubRevision("org/sharded", "main"), client);

        assertEquals(Set.of("config.json", "tokenizer.json", SafeTensors.INDEX, "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors"), names(snapshot));
        try (SafeTensors st = SafeTensors.open(snapshot)) {
            assertEquals(Set.of("a", "b"), Set.copyOf(st.names()));
        }
    }

    @Test
    void missingRevisionsAndRepositoriesAreNamed() throws Exception {
        server.commit("org/tiny", "main", HubRepoFiles.single(tmp.resolve("src"), 4));
        HubException e = assertThrows(HubException.class,
                () -> cache.snapshot(new HubRevision("org/tiny", "global_step9"), client));
        assertEquals("hub org/tiny@global_step9: revision 'global_step9' not found in org/tiny (hub: Invalid rev id: "
                + "global_step9)", e.getMessage());
        e = assertThrows(HubException.class, () -> cache.snapshot(new HubRevision("org/nope", "main"), client));
        assertEquals("hub org/nope@main: repository org/nope not found (a private one needs HF_TOKEN) (hub: Repository "
                + "not found)", e.getMessage());
    }

    @Test
    void aGatedRepositoryNeedsTheTokenWhichNeverLeavesTheHubOrigin() throws Exception {
        byte[] weights = HubRepoFiles.single(tmp.resolve("src"), 8).get(SafeTensors.SINGLE);
        server.commit("org/gated", "main", HubRepoFiles.single(tmp.resolve("src"), 8));
        server.gate("org/gated", "hf_secret");
        HubRevision rev = new HubRevision("org/gated", "main");

        HubException e = assertThrows(HubException.class, () -> cache.snapshot(rev, client));
        assertTrue(e.getMessage().startsWith("hub org/gated@main: gated repository: accept its conditions on "
                + server.endpoint() + "/org/gated and set HF_TOKEN to a token with access to org/gated"), e.getMessage());
        HubClient wrong = new HubClient(server.endpoint(), Optional.of("hf_other"));
        e = assertThrows(HubException.class, () -> cache.snapshot(rev, wrong));
        assertTrue(e.getMessage().contains("the token in HF_TOKEN has no access to org/gated"), e.getMessage());

        Path snapshot = cache.snapshot(rev, new HubClient(server.endpoint(), Optional.of("hf_secret")));
        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve(SafeTensors.SINGLE)));
        List<String> authorized = server.requests().stream().filter(r -> r.endsWith(" auth")).toList();
        assertTrue(authorized.stream().anyMatch(r -> r.startsWith("GET /org/gated/resolve/")), authorized.toString());
        assertEquals(List.of("GET /blobs/" + HubTestServer.hex("SHA-256", weights)), blobRequests(),
                "the CDN a redirect names gets no token");
    }

    @Test
    void picklesAreRefusedWithHowToConvert() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>(HubRepoFiles.single(tmp.resolve("src"), 4));
        files.put("pytorch_model.bin", files.remove(SafeTensors.SINGLE));
        server.commit("bigscience/bloom-560m-intermediate", "global_step1000", files);

        HubException e = assertThrows(HubException.class, () -> cache.snapshot(
                new HubRevision("bigscience/bloom-560m-intermediate", "global_step1000"), client));
        assertTrue(e.getMessage().startsWith("hub bigscience/bloom-560m-intermediate@global_step1000: the revision has "
                + "only pickled weights (pytorch_model.bin), which are not loaded"), e.getMessage());
        assertTrue(e.getMessage().contains("from_pretrained('bigscience/bloom-560m-intermediate', "
                + "revision='global_step1000').save_pretrained(DIR, safe_serialization=True)"), e.getMessage());
        assertEquals(1, server.requests().size(), "nothing downloaded: " + server.requests());
    }

    @Test
    void revisionsAndTheirNames() {
        List<HubRevision> revs = HubRevision.parse("bigscience/bloom-560m-intermediate@global_step1000,global_step2000");
        assertEquals(List.of(new HubRevision("bigscience/bloom-560m-intermediate", "global_step1000"),
                new HubRevision("bigscience/bloom-560m-intermediate", "global_step2000")), revs);
        assertEquals("bigscience--bloom-560m-intermediate", revs.get(0).modelName());
        assertEquals(1000L, revs.get(0).step());
        assertEquals(List.of(new HubRevision("gpt2", "main")), HubRevision.parse("gpt2"));
        assertEquals(null, new HubRevision("gpt2", "main").step());
        for (String bad : new String[] {"a/b/c@main", "../x@main", "org/x@", "org/x@a,,b", "@main", "org/x@../y"}) {
            assertThrows(IllegalArgumentException.class, () -> HubRevision.parse(bad), bad);
        }
    }

    @Test
    void environment() {
        HubEnvironment env = HubEnvironment.of(Map.of("HF_ENDPOINT", "http://mirror:8080/", "HF_TOKEN", "hf_x",
                "HF_HOME", "/h", "HF_HUB_OFFLINE", "1"));
        assertEquals("http://mirror:8080", env.endpoint().toString());
        assertEquals(Optional.of("hf_x"), env.token());
        assertEquals(Path.of("/h/hub"), env.cache());
        assertTrue(env.offline());
        assertFalse(env.toString().contains("hf_x"), "the token is never printed");
        HubEnvironment defaults = HubEnvironment.of(Map.of("HF_HUB_CACHE", "/c", "HF_HOME", "/h"));
        assertEquals("https://huggingface.co", defaults.endpoint().toString());
        assertEquals(Optional.empty(), defaults.token());
        assertEquals(Path.of("/c"), defaults.cache());
        assertFalse(defaults.offline());
    }

    private List<String> blobRequests() {
        return server.requests().stream().filter(r -> r.startsWith("GET /blobs/")).toList();
    }

    private static Set<String> names(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }
}
