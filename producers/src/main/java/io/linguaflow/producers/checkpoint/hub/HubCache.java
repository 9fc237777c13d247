package io.linguaflow.producers.checkpoint.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Hub checkpoints on local disk, in huggingface_hub's cache layout (so either can use what the other fetched):
 * <pre>
 * ROOT/models--org--name/blobs/&lt;etag&gt;                the content, named by its ETag (LFS: sha256; else git sha1)
 *                        blobs/&lt;etag&gt;.incomplete     a download in progress, resumed with Range
 *                        refs/&lt;revision&gt;             the commit the revision resolved to
 *                        snapshots/&lt;commit&gt;/&lt;file&gt;   a relative symlink to ../../blobs/&lt;etag&gt;
 *                        .linguaflow/&lt;commit&gt;.json   ours: the files fetched for the commit, written last
 * ROOT/.locks/models--org--name/&lt;etag&gt;.lock        one download of a blob at a time
 * </pre>
 * A blob enters {@code blobs/} only after its size (every file) and checksum (sha256 of an LFS file, the git blob
 * sha1 of any other) matched the hub's listing; a mismatch deletes the download and fails naming repository,
 * revision, file, expected and actual. A revision whose ref and manifest are present and whose snapshot holds every
 * manifest file at its size is served from disk without any network access.
 */
public final class HubCache {

    static final String MANIFEST_DIR = ".linguaflow";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    public HubCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** The snapshot directory of {@code rev}: from the cache when complete there, else fetched through {@code client}. */
    public Path snapshot(HubRevision rev, HubClient client) throws HubException {
        Optional<Path> cached = cached(rev);
        if (cached.isPresent()) {
            return cached.get();
        }
        if (client == null) {
            throw new HubException("hub " + rev + ": not in the cache " + root + ", and HF_HUB_OFFLINE forbids "
                    + "downloading it");
        }
        return fetch(rev, client);
    }

    /** The snapshot of {@code rev} when the cache holds it complete; reads the disk only. */
    public Optional<Path> cached(HubRevision rev) throws HubException {
        try {
            Optional<String> commit = rev.isCommit() ? Optional.of(rev.revision()) : readRef(rev);
            if (commit.isEmpty() || !Files.isRegularFile(manifest(rev, commit.get()))) {
                return Optional.empty();
            }
            Path snapshot = snapshotDir(rev, commit.get());
            for (JsonNode f : JSON.readTree(manifest(rev, commit.get()).toFile()).path("files")) {
                Path file = snapshot.resolve(f.path("name").asText());
                if (!Files.isRegularFile(file) || Files.size(file) != f.path("size").asLong()) {
                    return Optional.empty();
                }
            }
            return Optional.of(snapshot);
        } catch (IOException e) {
            throw new HubException("hub " + rev + ": unreadable cache " + repoDir(rev) + ": " + e, e);
        }
    }

    private Path fetch(HubRevision rev, HubClient client) throws HubException {
        HubClient.Listing listing = client.list(rev);
        String commit = listing.commit();
        List<HubFile> files = new ArrayList<>(HubSelection.select(rev, listing));
        try {
            for (HubFile f : List.copyOf(files)) {
                store(rev, commit, f, client);
            }
            Path index = snapshotDir(rev, commit).resolve(SafeTensors.INDEX);
            if (listing.file(SafeTensors.SINGLE).isEmpty()) {
                Iterable<String> shardNames;
                try {
                    shardNames = SafeTensors.shardNames(index);
                } catch (CheckpointException e) {
                    throw new HubException("hub " + rev + ": " + e.getMessage(), e);
                }
                for (HubFile shard : HubSelection.shards(rev, listing, shardNames)) {
                    store(rev, commit, shard, client);
                    files.add(shard);
                }
            }
            if (!rev.isCommit()) {
                writeAtomically(ref(rev), commit.getBytes(StandardCharsets.UTF_8));
            }
            writeManifest(rev, commit, files);
        } catch (HubException e) {
            throw e;
        } catch (IOException e) {
            throw new HubException("hub " + rev + ": cannot write the cache " + repoDir(rev) + ": " + e, e);
        }
        return snapshotDir(rev, commit);
    }

    /** Puts {@code f} in {@code blobs/} (downloaded and checked unless there already) and links it into the snapshot. */
    private void store(HubRevision rev, String commit, HubFile f, HubClient client) throws IOException {
        Path blobs = Files.createDirectories(repoDir(rev).resolve("blobs"));
        Path blob = blobs.resolve(f.etag());
        if (!Files.exists(blob)) {
            Path locks = Files.createDirectories(root.resolve(".locks").resolve(repoDir(rev).getFileName()));
            try (FileChannel lockFile = FileChannel.open(locks.resolve(f.etag() + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
                if (!Files.exists(blob)) { // else another process finished it while we waited
                    Path partial = blobs.resolve(f.etag() + ".incomplete");
                    client.download(rev, commit, f, partial);
                    verify(rev, f, partial);
                    Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
        Path link = Files.createDirectories(snapshotDir(rev, commit)).resolve(f.name());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, link.getParent().relativize(blob));
    }

    /** Size, then checksum, against the hub's listing; a mismatch deletes the download. */
    static void verify(HubRevision rev, HubFile f, Path partial) throws IOException {
        long size = Files.size(partial);
        String expected;
        String actual;
        String what;
        if (size != f.size()) {
            what = "size";
            expected = f.size() + " bytes";
            actual = size + " bytes";
        } else if (f.isLfs()) {
            what = "sha256 (the hub's LFS metadata)";
            expected = f.sha256();
            actual = digest("SHA-256", null, partial);
        } else {
            what = "git blob sha1";
            expected = f.blobId();
            actual = digest("SHA-1", ("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII), partial);
        }
        if (!expected.equalsIgnoreCase(actual)) {
            Files.delete(partial);
            throw new HubException("hub " + rev + ": " + f.name() + ": " + what + " mismatch: expected " + expected
                    + ", got " + actual + "; the download was deleted, run again to fetch it anew");
        }
    }

    private static String digest(String algorithm, byte[] prefix, Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has " + algorithm, e);
        }
        if (prefix != null) {
            md.update(prefix);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private void writeManifest(HubRevision rev, String commit, List<HubFile> files) throws IOException {
        ObjectNode m = JSON.createObjectNode().put("repo", rev.repo()).put("commit", commit);
        ArrayNode list = m.putArray("files");
        for (HubFile f : files) {
            list.addObject().put("name", f.name()).put("size", f.size()).put("etag", f.etag());
        }
        writeAtomically(manifest(rev, commit), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
    }

    private Optional<String> readRef(HubRevision rev) throws IOException {
        Path ref = ref(rev);
        return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref).trim()) : Optional.empty();
    }

    private static void writeAtomically(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code models--org--name}, as huggingface_hub names a model repository's folder. */
    Path repoDir(HubRevision rev) {
        return root.resolve("models--" + rev.repo().replace("/", "--"));
    }

    Path snapshotDir(HubRevision rev, String commit) {
        return repoDir(rev).resolve("snapshots").resolve(commit);
    }

    private Path ref(HubRevision rev) {
        return repoDir(rev).resolve("refs").resolve(rev.revision());
    }

    private Path manifest(HubRevision rev, String commit) {
        return repoDir(rev).resolve(MANIFEST_DIR).resolve(commit + ".json");
    }
}
