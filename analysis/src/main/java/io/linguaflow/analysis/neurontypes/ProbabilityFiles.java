package io.linguaflow.analysis.neurontypes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.io.Npy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Reads activation probabilities from files: a float32 {@code [L, D, K]} .npy, or NJUNLP count files. */
public final class ProbabilityFiles {

    /** Entry names of an NJUNLP counts archive {@code <lang>.npz}. */
    static final String FULL = "over_zero_full.npy";
    static final String PREFIX = "over_zero_prefix.npy";

    private ProbabilityFiles() {
    }

    /** A float32 C-order .npy of shape [L, D, K] whose last axis follows {@code languages}. */
    public static ActivationProbabilities readNpy(Path file, List<String> languages) throws IOException {
        try (Npy npy = Npy.open(file)) {
            long[] shape = npy.shape();
            if (!npy.dtype().equals("<f4") || shape.length != 3) {
                throw new IOException(file + ": expected float32 (<f4) activation probabilities of shape [L, D, K], got "
                        + npy.dtype() + " " + Arrays.toString(shape));
            }
            if (shape[2] != languages.size()) {
                throw new IOException(file + ": last axis has " + shape[2] + " languages but " + languages.size()
                        + " were given " + languages);
            }
            if (shape[0] * shape[1] * shape[2] > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": too large (" + Arrays.toString(shape) + ")");
            }
            float[] values = npy.readFloats(0, (int) npy.size());
            return ActivationProbabilities.of(file.toString(), languages, (int) shape[0], (int) shape[1], values);
        }
    }

    /**
     * The language order of {@code P.npy} from the sidecar {@code P.json} ({@code "languages": [...]}, as
     * {@code extract} writes beside {@code activation_probabilities.npy}); null when there is no sidecar.
     */
    public static List<String> sidecarLanguages(Path npy) throws IOException {
        String name = npy.getFileName().toString();
        Path json = npy.resolveSibling((name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name) + ".json");
        if (!Files.isRegularFile(json)) {
            return null;
        }
        List<String> langs = new ArrayList<>();
        new ObjectMapper().readTree(json.toFile()).path("languages").forEach(l -> langs.add(l.asText()));
        if (langs.isEmpty()) {
            throw new IOException(json + ": no 'languages' array (the order of " + npy + "'s last axis)");
        }
        return langs;
    }

    /**
     * The NJUNLP counts layout: {@code dir/tokens.json} ({@code languages}, {@code layers},
     * {@code neurons_per_layer}, {@code total_tokens.<lang>.{full,prefix}}) and per language {@code dir/<lang>.npz}
     * with int64 {@code [L, D]} entries {@code over_zero_full.npy} and {@code over_zero_prefix.npy}; p is the
     * response-only probability of {@link ActivationProbabilities#fromResponseCounts}.
     *
     * @param languages the language order of the result; null = the order of tokens.json
     */
    public static ActivationProbabilities readNjunlpCounts(Path dir, List<String> languages) throws IOException {
        Path tokensFile = dir.resolve("tokens.json");
        if (!Files.isRegularFile(tokensFile)) {
            throw new IOException(tokensFile + ": not found (the counts folder needs tokens.json and <lang>.npz)");
        }
        JsonNode tok = new ObjectMapper().readTree(tokensFile.toFile());
        int layers = requiredInt(tok, "layers", tokensFile);
        int neurons = requiredInt(tok, "neurons_per_layer", tokensFile);
        List<String> langs = languages;
        if (langs == null) {
            langs = new ArrayList<>();
            for (JsonNode l : tok.path("languages")) {
                langs.add(l.asText());
            }
        }
        int kk = langs.size();
        long[][] full = new long[kk][];
        long[][] prefix = new long[kk][];
        long[] tokFull = new long[kk];
        long[] tokPrefix = new long[kk];
        long[] shape = {layers, neurons};
        for (int k = 0; k < kk; k++) {
            String lang = langs.get(k);
            JsonNode t = tok.path("total_tokens").path(lang);
            if (!t.path("full").canConvertToLong() || !t.path("prefix").canConvertToLong()) {
                throw new IOException(tokensFile + ": no integer total_tokens." + lang + ".full / .prefix");
            }
            tokFull[k] = t.path("full").asLong();
            tokPrefix[k] = t.path("prefix").asLong();
            Path npz = dir.resolve(lang + ".npz");
            if (!Files.isRegularFile(npz)) {
                throw new IOException(npz + ": not found (counts of language " + lang + ")");
            }
            try (ZipFile z = new ZipFile(npz.toFile())) {
                full[k] = entry(z, npz, FULL, shape);
                prefix[k] = entry(z, npz, PREFIX, shape);
            }
        }
        return ActivationProbabilities.fromResponseCounts(dir.toString(), langs, layers, neurons, full, prefix,
                tokFull, tokPrefix);
    }

    private static long[] entry(ZipFile z, Path npz, String name, long[] shape) throws IOException {
        ZipEntry e = z.getEntry(name);
        if (e == null) {
            throw new IOException(npz + ": no entry " + name);
        }
        try (InputStream in = z.getInputStream(e)) {
            return Npy.parseLongs(in.readAllBytes(), npz + "!" + name, shape);
        }
    }

    private static int requiredInt(JsonNode node, String field, Path file) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new IOException(file + ": missing or invalid positive integer '" + field + "'");
        }
        return v.asInt();
    }
}
