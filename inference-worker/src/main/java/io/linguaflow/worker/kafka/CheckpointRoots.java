package io.linguaflow.worker.kafka;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * The directories under which the worker opens checkpoints ({@code --checkpoint-root}): a request naming a path
 * elsewhere is dead-lettered, so whoever can write to the request topics cannot make the worker read arbitrary files.
 * Symbolic links and {@code ..} are resolved before the check, on both sides.
 *
 * @param roots real paths (symbolic links resolved) of existing directories
 */
public record CheckpointRoots(List<Path> roots) {

    /**
     * Every file-system root: no restriction. For in-process runs whose requests name only checkpoints the same
     * process was given (tests, the in-JVM pipeline); {@code linguaflow worker} requires its roots.
     */
    public static final CheckpointRoots ANYWHERE = new CheckpointRoots(
            StreamSupport.stream(FileSystems.getDefault().getRootDirectories().spliterator(), false).toList());

    public CheckpointRoots {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("no checkpoint root given (--checkpoint-root DIR)");
        }
        roots = List.copyOf(roots);
    }

    /**
     * The roots as given, each resolved to its real path.
     *
     * @throws IllegalArgumentException naming a root that is not an existing directory
     */
    public static CheckpointRoots of(List<Path> dirs) {
        List<Path> real = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("checkpoint root " + dir + " is not an existing directory");
            }
            try {
                real.add(dir.toRealPath());
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot resolve checkpoint root " + dir + ": " + e.getMessage());
            }
        }
        return new CheckpointRoots(real);
    }

    /**
     * The real path of a request's checkpoint directory, which must lie under a root.
     *
     * @param where names the request in the rejection
     * @throws RejectedRequestException when the path is malformed, outside every root (checked before saying whether
     *                                  it exists, so requests cannot probe the file system) or not an existing directory
     */
    Path resolve(String checkpointPath, String where) throws RejectedRequestException {
        Path path;
        try {
            path = Path.of(checkpointPath).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new RejectedRequestException(where + ": checkpointPath is not a path", e);
        }
        Path real = path;
        if (Files.exists(path)) {
            try {
                real = path.toRealPath();
            } catch (IOException e) {
                throw new RejectedRequestException(where + ": cannot resolve checkpoint directory " + path, e);
            }
        }
        Path resolved = real;
        if (roots.stream().noneMatch(resolved::startsWith)) {
            throw new RejectedRequestException(where + ": checkpoint path " + checkpointPath
                    + (resolved.toString().equals(checkpointPath) ? "" : " (resolves to " + resolved + ")")
                    + " is outside the worker's checkpoint roots " + roots);
        }
        if (!Files.isDirectory(resolved)) {
            throw new RejectedRequestException(where + ": checkpoint directory " + resolved + " does not exist");
        }
        return resolved;
    }
}
