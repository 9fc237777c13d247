package io.linguaflow.producers.checkpoint.hub;

/**
 * A file of a hub revision as its API lists it ({@code siblings} with {@code ?blobs=true}).
 *
 * @param name   file name in the repository ({@code rfilename})
 * @param size   size in bytes of the file's content
 * @param blobId git blob sha1 ({@code blobId}); of the LFS pointer for an LFS file
 * @param sha256 sha256 of the content for an LFS file ({@code lfs.sha256}), else null
 */
public record HubFile(String name, long size, String blobId, String sha256) {

    public boolean isLfs() {
        return sha256 != null;
    }

    /**
     * The file's ETag as the hub sends it ({@code X-Linked-Etag} for LFS files: the sha256; else the git blob sha1),
     * which is the blob's file name in the cache, as in huggingface_hub's.
     */
    public String etag() {
        return isLfs() ? sha256 : blobId;
    }
}
