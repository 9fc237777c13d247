package io.linguaflow.producers.checkpoint.hub;

import io.linguaflow.checkpoint.TrainingStep;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One revision of a model repository on the HuggingFace hub: {@code org/name@rev} (a branch, tag or commit).
 *
 * <p>Naming of the landed checkpoint: model = the repository id with {@code /} as {@code --}, the hub cache's own
 * separator ({@code bigscience/bloom-560m-intermediate} → {@code bigscience--bloom-560m-intermediate}; a checkpoint id
 * must not contain {@code /}, it is a REST path segment); step = the revision's name read as {@link TrainingStep}
 * reads a directory name ({@code global_step1000} → 1000), else none (the id then ends in the content hash).
 */
public record HubRevision(String repo, String revision) {

    /** Repository ids as the hub allows them: {@code name} or {@code org/name}. */
    static final Pattern REPO = Pattern.compile("(?:[A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*");
    static final String DEFAULT_REVISION = "main";

    public HubRevision {
        if (repo == null || !REPO.matcher(repo).matches() || repo.contains("..") || repo.contains("--")) {
            throw new IllegalArgumentException("not a hub repository id (org/name): '" + repo + "'");
        }
        if (revision == null || revision.isBlank() || revision.contains("..") || revision.startsWith("/")) {
            throw new IllegalArgumentException("not a revision of " + repo + ": '" + revision + "'");
        }
    }

    /** {@code REPO@REV[,REV...]}; without {@code @} the revision is {@code main}. */
    public static List<HubRevision> parse(String spec) {
        int at = spec.indexOf('@');
        String repo = at < 0 ? spec : spec.substring(0, at);
        List<HubRevision> out = new ArrayList<>();
        if (at < 0) {
            out.add(new HubRevision(repo, DEFAULT_REVISION));
            return out;
        }
        for (String rev : spec.substring(at + 1).split(",", -1)) {
            out.add(new HubRevision(repo, rev.trim()));
        }
        return out;
    }

    /** The model name of the landed checkpoint. */
    public String modelName() {
        return repo.replace("/", "--");
    }

    /** The training step the revision's name carries, or null. */
    public Long step() {
        return TrainingStep.ofName(revision);
    }

    /** Whether the revision is a full commit hash (then it cannot move and needs no ref). */
    boolean isCommit() {
        return revision.matches("[0-9a-f]{40}");
    }

    @Override
    public String toString() {
        return repo + "@" + revision;
    }
}
