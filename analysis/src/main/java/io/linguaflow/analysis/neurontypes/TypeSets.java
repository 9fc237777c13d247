package io.linguaflow.analysis.neurontypes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The neuron sets of one classification (Zhang et al. 2025), as flat ids f = layer * D + n: per language its mask
 * (selected with p &gt; τ), and the three types: <b>specific</b> = in exactly one mask, <b>related</b> = in
 * 1 &lt; N &lt; K masks, <b>general</b> = N = K over all neurons ({@link NeuronTypesResult}).
 *
 * @param masks per language (in the classification's order), its mask as ascending flat ids
 */
public record TypeSets(List<String> languages, int layers, int neuronsPerLayer, Map<String, int[]> masks,
                       Map<Kind, int[]> types) {

    /** The three neuron types of Zhang et al. */
    public enum Kind {
        SPECIFIC("specific"), RELATED("related"), GENERAL("general");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Kind of(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown neuron type '" + id + "' (specific, related, general)");
        }
    }

    /** The sets of a classification result. */
    public static TypeSets of(NeuronTypesResult r) {
        Map<String, int[][]> perLayer = new LinkedHashMap<>();
        for (int k = 0; k < r.languages().size(); k++) {
            int[][] m = new int[r.layers()][];
            for (int l = 0; l < r.layers(); l++) {
                m[l] = r.mask(k, l);
            }
            perLayer.put(r.languages().get(k), m);
        }
        int[][] general = new int[r.layers()][];
        for (int l = 0; l < r.layers(); l++) {
            general[l] = r.general(l);
        }
        return build(r.languages(), r.layers(), r.neuronsPerLayer(), perLayer, general);
    }

    /**
     * The sets of a classification given as flat ids f = layer * D + n (the streams {@code NeuronTypes} record):
     * per language its mask, and the general neurons. {@code source} names the input in error messages.
     */
    public static TypeSets ofFlatIds(String source, List<String> languages, int layers, int neuronsPerLayer,
                                     Map<String, int[]> masks, int[] general) {
        if (languages.size() < 2 || layers <= 0 || neuronsPerLayer <= 0) {
            throw new IllegalArgumentException(source + ": needs at least 2 languages, layers > 0 and neurons per layer > 0");
        }
        Map<String, int[][]> perLayer = new LinkedHashMap<>();
        for (String lang : languages) {
            int[] m = masks.get(lang);
            if (m == null) {
                throw new IllegalArgumentException(source + ": no mask for language '" + lang + "'");
            }
            perLayer.put(lang, byLayer(m, layers, neuronsPerLayer, source + " mask." + lang));
        }
        return build(languages, layers, neuronsPerLayer, perLayer, byLayer(general, layers, neuronsPerLayer, source + " general"));
    }

    private static int[][] byLayer(int[] flat, int layers, int d, String what) {
        int[] counts = new int[layers];
        for (int f : flat) {
            if (f < 0 || f >= layers * d) {
                throw new IllegalArgumentException(what + " has neuron id " + f + " outside [0, " + layers * d + ")");
            }
            counts[f / d]++;
        }
        int[][] out = new int[layers][];
        for (int l = 0; l < layers; l++) {
            out[l] = new int[counts[l]];
        }
        int[] fill = new int[layers];
        for (int f : flat) {
            out[f / d][fill[f / d]++] = f % d;
        }
        return out;
    }

    /** The sets of a {@code neuron-types} JSON file (its {@code mask} and {@code general} per layer). */
    public static TypeSets read(Path file) throws IOException {
        JsonNode o = new ObjectMapper().readTree(file.toFile());
        List<String> langs = new ArrayList<>();
        o.path("languages").forEach(x -> langs.add(x.asText()));
        int layers = o.path("layers").asInt();
        int d = o.path("neurons_per_layer").asInt();
        if (langs.size() < 2 || layers <= 0 || d <= 0 || !o.path("mask").isObject()) {
            throw new IOException(file + ": not a neuron-types result (needs languages, layers, neurons_per_layer, mask)");
        }
        if (!o.path("general").isArray() || o.path("general").size() != layers) {
            throw new IOException(file + ": no per-layer 'general' neuron ids (written by neuron-types since the "
                    + "neuron-type dynamics; rerun neuron-types)");
        }
        Map<String, int[][]> masks = new LinkedHashMap<>();
        for (String lang : langs) {
            JsonNode m = o.path("mask").path(lang);
            if (!m.isArray() || m.size() != layers) {
                throw new IOException(file + ": mask of language '" + lang + "' must list " + layers + " layers");
            }
            masks.put(lang, ids(m, file, "mask." + lang, d));
        }
        return build(langs, layers, d, masks, ids(o.path("general"), file, "general", d));
    }

    private static int[][] ids(JsonNode perLayer, Path file, String what, int d) throws IOException {
        int[][] out = new int[perLayer.size()][];
        for (int l = 0; l < out.length; l++) {
            JsonNode a = perLayer.get(l);
            out[l] = new int[a.size()];
            for (int i = 0; i < a.size(); i++) {
                int n = a.get(i).asInt(-1);
                if (n < 0 || n >= d || !a.get(i).canConvertToInt()) {
                    throw new IOException(file + ": " + what + " layer " + l + " has neuron id " + a.get(i)
                            + " outside [0, " + d + ")");
                }
                out[l][i] = n;
            }
        }
        return out;
    }

    private static TypeSets build(List<String> langs, int layers, int d, Map<String, int[][]> masksPerLayer,
                                  int[][] general) {
        int kk = langs.size();
        int[] memberships = new int[layers * d];
        Map<String, int[]> masks = new LinkedHashMap<>();
        for (String lang : langs) {
            TreeSet<Integer> s = new TreeSet<>();
            int[][] m = masksPerLayer.get(lang);
            for (int l = 0; l < layers; l++) {
                for (int n : m[l]) {
                    s.add(l * d + n);
                }
            }
            s.forEach(f -> memberships[f]++);
            masks.put(lang, s.stream().mapToInt(Integer::intValue).toArray());
        }
        List<Integer> specific = new ArrayList<>();
        List<Integer> related = new ArrayList<>();
        for (int f = 0; f < memberships.length; f++) {
            if (memberships[f] == 1) {
                specific.add(f);
            } else if (memberships[f] > 1 && memberships[f] < kk) {
                related.add(f);
            }
        }
        TreeSet<Integer> gen = new TreeSet<>();
        for (int l = 0; l < layers; l++) {
            for (int n : general[l]) {
                gen.add(l * d + n);
            }
        }
        Map<Kind, int[]> types = new LinkedHashMap<>();
        types.put(Kind.SPECIFIC, specific.stream().mapToInt(Integer::intValue).toArray());
        types.put(Kind.RELATED, related.stream().mapToInt(Integer::intValue).toArray());
        types.put(Kind.GENERAL, gen.stream().mapToInt(Integer::intValue).toArray());
        return new TypeSets(List.copyOf(langs), layers, d, masks, types);
    }

    /** Per layer, the number of neurons of type {@code kind}. */
    public int[] perLayer(Kind kind) {
        int[] out = new int[layers];
        for (int f : types.get(kind)) {
            out[f / neuronsPerLayer]++;
        }
        return out;
    }

    /**
     * Ablation sets in the {@code perplexity --ablate} format (named arrays of flat ids): with {@code perLanguage},
     * per language its mask neurons of the given types, plus every general neuron when general is among them
     * (a general neuron is active in every language: Zhang et al.'s "specific + related + general" setting); else
     * one set named by the types joined with '+', the union of the types.
     */
    public Map<String, int[]> ablationSets(List<Kind> kinds, boolean perLanguage) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("no neuron type given (specific, related, general)");
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        if (!perLanguage) {
            TreeSet<Integer> all = new TreeSet<>();
            kinds.forEach(k -> Arrays.stream(types.get(k)).forEach(all::add));
            out.put(String.join("+", kinds.stream().map(Kind::id).toList()), all.stream().mapToInt(Integer::intValue).toArray());
            return out;
        }
        for (String lang : languages) {
            TreeSet<Integer> s = new TreeSet<>();
            for (Kind k : kinds) {
                if (k == Kind.GENERAL) {
                    Arrays.stream(types.get(k)).forEach(s::add);
                } else {
                    TreeSet<Integer> typed = new TreeSet<>();
                    Arrays.stream(types.get(k)).forEach(typed::add);
                    Arrays.stream(masks.get(lang)).filter(typed::contains).forEach(s::add);
                }
            }
            out.put(lang, s.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }
}
