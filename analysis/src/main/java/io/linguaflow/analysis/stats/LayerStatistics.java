package io.linguaflow.analysis.stats;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * In-memory statistics of one layer: the total, one {@link GroupSums} per language and per meaning, and
 * the set of (language, meaning) cells seen. A cell holds exactly one sample (a second one is rejected),
 * so the per-cell sum W_ls is that sample's vector and P_LS = 0 (docs/math.md §3); nothing per cell
 * needs storing beyond its presence. Groups keep first-arrival order.
 */
public final class LayerStatistics implements LayerGroups {

    private final int dimension;
    private final GroupSums total;
    private final Map<String, GroupSums> languages = new LinkedHashMap<>();
    private final Map<String, GroupSums> meanings = new LinkedHashMap<>();
    private final Set<List<String>> cells = new HashSet<>();

    public LayerStatistics(int dimension) {
        this.dimension = dimension;
        this.total = GroupSums.vectorSums(dimension);
    }

    /** Adds sample (language, meaning); rejects a second sample of the same cell. O(D). */
    public void add(String language, String meaning, LayerVector v) {
        if (!cells.add(List.of(language, meaning))) {
            throw new IllegalArgumentException("duplicate sample (language '" + language + "', meaning '" + meaning
                    + "'): each (language, meaning) cell holds one sample");
        }
        GroupSums.Slice x = GroupSums.slice(v);
        total.add(x);
        languages.computeIfAbsent(language, k -> GroupSums.withNeuronStatistics(dimension)).add(x);
        meanings.computeIfAbsent(meaning, k -> GroupSums.vectorSums(dimension)).add(x);
    }

    /** Adds the samples of {@code other}, which must be a disjoint set of cells. */
    public void merge(LayerStatistics other) {
        if (other.dimension != dimension) {
            throw new IllegalArgumentException("cannot merge layers of " + other.dimension + " and " + dimension + " neurons");
        }
        for (List<String> cell : other.cells) {
            if (cells.contains(cell)) {
                throw new IllegalArgumentException("duplicate sample (language '" + cell.get(0) + "', meaning '" + cell.get(1)
                        + "') in both parts of a merge");
            }
        }
        cells.addAll(other.cells);
        total.merge(other.total);
        other.languages.forEach((k, g) -> languages.computeIfAbsent(k, x -> GroupSums.withNeuronStatistics(dimension)).merge(g));
        other.meanings.forEach((k, g) -> meanings.computeIfAbsent(k, x -> GroupSums.vectorSums(dimension)).merge(g));
    }

    public int dimension() {
        return dimension;
    }

    @Override
    public GroupSums total() {
        return total;
    }

    /** Language groups in first-arrival order (unmodifiable view). */
    public Map<String, GroupSums> languages() {
        return Collections.unmodifiableMap(languages);
    }

    /** Meaning groups in first-arrival order (unmodifiable view). */
    public Map<String, GroupSums> meanings() {
        return Collections.unmodifiableMap(meanings);
    }

    @Override
    public List<GroupSums> languageGroups(List<String> order) {
        List<GroupSums> out = new ArrayList<>(order.size());
        for (String l : order) {
            GroupSums g = languages.get(l);
            if (g == null) {
                throw new IllegalArgumentException("language '" + l + "' has no samples in this layer");
            }
            out.add(g);
        }
        return out;
    }

    @Override
    public Collection<GroupSums> languageGroups() {
        return Collections.unmodifiableCollection(languages.values());
    }

    @Override
    public Collection<GroupSums> meaningGroups() {
        return Collections.unmodifiableCollection(meanings.values());
    }
}
