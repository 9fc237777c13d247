package io.linguaflow.analysis.neurontypes;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Neuron-type dynamics (Zhang et al. 2025, Fig. 3-5, Table 4): the layer profile of one checkpoint with the
 * paper's four phases marked by explicit criteria (the paper reads them off its figure; docs/definitions.md),
 * and the changes between two checkpoints (or models).
 */
public final class TypeDynamics {

    private TypeDynamics() {
    }

    /**
     * The four phases over layers, or {@code marked = false} with the reason when the criteria do not apply.
     * Layers {@code [0, understandingEnd)} are "multilingual understanding", {@code [understandingEnd, sharedEnd)}
     * "shared semantic space reasoning", {@code [sharedEnd, L - 1)} "multilingual output space transformation" and
     * layer L − 1 "vocabulary space outputting".
     *
     * @param lowThreshold a layer is "low" when specific + related ≤ lowThreshold · max over layers 0..L−2
     * @param checks       the paper's qualitative claims, tested on this profile: general neurons higher in the
     *                     shared phase than in both others (mean per layer), their minimum over 0..L−2 inside the
     *                     output-transformation phase, their maximum at the last layer
     */
    public record Phases(boolean marked, String reason, int understandingEnd, int sharedEnd, int layers,
                         double lowThreshold, Map<String, Boolean> checks) {
    }

    /**
     * Phase criteria: the last layer is phase 4. Over layers 0..L−2, let S_l = specific_l + related_l; the
     * shared-semantic phase is the longest run of consecutive layers with S_l ≤ θ · max S (the first such run on
     * ties), and it must have layers on both sides (phases 1 and 3 non-empty).
     */
    public static Phases phases(int[] specific, int[] related, int[] general, double theta) {
        int layers = specific.length;
        if (!(theta >= 0 && theta < 1)) {
            throw new IllegalArgumentException("phase threshold " + theta + " must be in [0, 1)");
        }
        if (layers < 4) {
            return new Phases(false, layers + " layers: the four phases need at least 4", 0, 0, layers, theta, Map.of());
        }
        int inner = layers - 1;
        int max = 0;
        for (int l = 0; l < inner; l++) {
            max = Math.max(max, specific[l] + related[l]);
        }
        if (max == 0) {
            return new Phases(false, "no specific or related neuron before the last layer", 0, 0, layers, theta, Map.of());
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int l = 0; l < inner; ) {
            if (specific[l] + related[l] <= theta * max) {
                int s = l;
                while (l < inner && specific[l] + related[l] <= theta * max) {
                    l++;
                }
                if (l - s > bestLen) {
                    bestStart = s;
                    bestLen = l - s;
                }
            } else {
                l++;
            }
        }
        if (bestLen == 0) {
            return new Phases(false, "no layer with specific + related <= " + theta + " x max", 0, 0, layers, theta, Map.of());
        }
        int end = bestStart + bestLen;
        if (bestStart == 0 || end == inner) {
            return new Phases(false, "the low run (layers " + bestStart + ".." + (end - 1) + ") touches the first layer"
                    + " or the last layer before the output", bestStart, end, layers, theta, Map.of());
        }
        double g1 = mean(general, 0, bestStart);
        double g2 = mean(general, bestStart, end);
        double g3 = mean(general, end, inner);
        int argMin = 0;
        int argMax = 0;
        for (int l = 0; l < layers; l++) {
            argMin = l < inner && general[l] < general[argMin] ? l : argMin;
            argMax = general[l] > general[argMax] ? l : argMax;
        }
        Map<String, Boolean> checks = new java.util.LinkedHashMap<>();
        checks.put("general_highest_in_shared_phase", g2 > g1 && g2 > g3);
        checks.put("general_minimum_in_output_transformation", argMin >= end && argMin < inner);
        checks.put("general_maximum_at_last_layer", argMax == inner);
        return new Phases(true, "", bestStart, end, layers, theta, checks);
    }

    private static double mean(int[] a, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += a[i];
        }
        return s / (to - from);
    }

    /**
     * Overlap of one type's neuron sets A (first checkpoint) and B (second): the paper's Table 4 "overlap ratio"
     * has no stated denominator, so all three are given: |A∩B|/|A∪B|, |A∩B|/|A|, |A∩B|/|B| (0 for an empty
     * denominator).
     */
    public record Overlap(int sizeA, int sizeB, int shared, double jaccard, double overFirst, double overSecond) {
    }

    /**
     * Changes from {@code a} to {@code b} (same L and D): per type, per-layer counts of both, their difference
     * b − a (Fig. 4) and the overlap of the type's sets, over the whole model and per layer.
     */
    public record Changes(Map<TypeSets.Kind, int[]> deltaPerLayer, Map<TypeSets.Kind, Overlap> overlap,
                         Map<TypeSets.Kind, Overlap[]> overlapPerLayer) {
    }

    public static Changes changes(TypeSets a, TypeSets b) {
        if (a.layers() != b.layers() || a.neuronsPerLayer() != b.neuronsPerLayer()) {
            throw new IllegalArgumentException("cannot compare " + a.layers() + " x " + a.neuronsPerLayer()
                    + " neurons with " + b.layers() + " x " + b.neuronsPerLayer());
        }
        Map<TypeSets.Kind, int[]> delta = new EnumMap<>(TypeSets.Kind.class);
        Map<TypeSets.Kind, Overlap> overlap = new EnumMap<>(TypeSets.Kind.class);
        Map<TypeSets.Kind, Overlap[]> perLayer = new EnumMap<>(TypeSets.Kind.class);
        int d = a.neuronsPerLayer();
        for (TypeSets.Kind k : TypeSets.Kind.values()) {
            int[] ca = a.perLayer(k);
            int[] cb = b.perLayer(k);
            int[] dl = new int[a.layers()];
            for (int l = 0; l < dl.length; l++) {
                dl[l] = cb[l] - ca[l];
            }
            delta.put(k, dl);
            overlap.put(k, overlap(a.types().get(k), b.types().get(k), -1, d));
            Overlap[] ol = new Overlap[a.layers()];
            for (int l = 0; l < ol.length; l++) {
                ol[l] = overlap(a.types().get(k), b.types().get(k), l, d);
            }
            perLayer.put(k, ol);
        }
        return new Changes(delta, overlap, perLayer);
    }

    /** Overlap of two flat-id sets, restricted to {@code layer} (−1: all layers). */
    static Overlap overlap(int[] a, int[] b, int layer, int d) {
        Set<Integer> sa = new HashSet<>();
        for (int f : a) {
            if (layer < 0 || f / d == layer) {
                sa.add(f);
            }
        }
        int sizeB = 0;
        int shared = 0;
        for (int f : b) {
            if (layer < 0 || f / d == layer) {
                sizeB++;
                shared += sa.contains(f) ? 1 : 0;
            }
        }
        int union = sa.size() + sizeB - shared;
        return new Overlap(sa.size(), sizeB, shared, ratio(shared, union), ratio(shared, sa.size()), ratio(shared, sizeB));
    }

    private static double ratio(int num, int den) {
        return den == 0 ? 0 : (double) num / den;
    }
}
