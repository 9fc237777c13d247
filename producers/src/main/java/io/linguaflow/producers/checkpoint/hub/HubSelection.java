package io.linguaflow.producers.checkpoint.hub;

import io.linguaflow.checkpoint.CheckpointInspector;
import io.linguaflow.checkpoint.HfConfig;
import io.linguaflow.checkpoint.SafeTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which files of a hub revision make a checkpoint the project reads: {@code config.json} and {@code tokenizer.json}
 * (required), {@code tokenizer_config.json}, {@code special_tokens_map.json}, {@code generation_config.json} when
 * present, and {@code model.safetensors}, else {@code model.safetensors.index.json} (its shards follow once it is
 * read: {@link HubCache}). Pickled weights ({@code pytorch_model.bin}) are never loaded: a revision that has only
 * those is refused, with how to convert it.
 */
final class HubSelection {

    static final List<String> REQUIRED = List.of(HfConfig.FILE, CheckpointInspector.TOKENIZER);
    static final List<String> OPTIONAL = List.of("tokenizer_config.json", "special_tokens_map.json",
            "generation_config.json");
    static final List<String> PICKLES = List.of("pytorch_model.bin", "pytorch_model.bin.index.json");

    private HubSelection() {
    }

    /** The files to fetch first; the last is the weights file or the shard index. */
    static List<HubFile> select(HubRevision rev, HubClient.Listing listing) throws HubException {
        List<HubFile> out = new ArrayList<>();
        for (String name : REQUIRED) {
            out.add(listing.file(name).orElseThrow(() -> new HubException("hub " + rev + ": the revision has no "
                    + name + " (it has " + names(listing) + ")")));
        }
        for (String name : OPTIONAL) {
            listing.file(name).ifPresent(out::add);
        }
        Optional<HubFile> weights = listing.file(SafeTensors.SINGLE).or(() -> listing.file(SafeTensors.INDEX));
        if (weights.isPresent()) {
            out.add(weights.get());
            return out;
        }
        if (PICKLES.stream().anyMatch(p -> listing.file(p).isPresent())) {
            throw new HubException("hub " + rev + ": the revision has only pickled weights (pytorch_model.bin), "
                    + "which are not loaded (a pickle can run code). Convert them to safetensors and land the "
                    + "directory: with HF transformers, AutoModelForCausalLM.from_pretrained('" + rev.repo()
                    + "', revision='" + rev.revision() + "').save_pretrained(DIR, safe_serialization=True) and "
                    + "AutoTokenizer.from_pretrained(same).save_pretrained(DIR), then land-checkpoints DIR; or let "
                    + "the hub's converter (https://huggingface.co/spaces/safetensors/convert) open a pull request "
                    + "and land that (--hub " + rev.repo() + "@refs/pr/N)");
        }
        throw new HubException("hub " + rev + ": the revision has neither " + SafeTensors.SINGLE + " nor "
                + SafeTensors.INDEX + " (it has " + names(listing) + ")");
    }

    /** The shards an index lists, each of which the revision must have. */
    static List<HubFile> shards(HubRevision rev, HubClient.Listing listing, Iterable<String> names)
            throws HubException {
        List<HubFile> out = new ArrayList<>();
        for (String name : names) {
            out.add(listing.file(name).orElseThrow(() -> new HubException("hub " + rev + ": " + SafeTensors.INDEX
                    + " lists shard " + name + ", which the revision does not have")));
        }
        return out;
    }

    private static String names(HubClient.Listing listing) {
        List<String> names = listing.files().stream().map(HubFile::name).sorted().toList();
        return names.isEmpty() ? "no files" : String.join(", ", names);
    }
}
