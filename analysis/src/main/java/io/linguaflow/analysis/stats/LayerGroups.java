package io.linguaflow.analysis.stats;

import io.linguaflow.analysis.metrics.PairClassSums;
import java.util.Collection;
import java.util.List;

/**
 * The groups of one layer as the metrics read them: the total, the languages and the meanings. The
 * streams layer implements it over its store (one {@link GroupSums} value per group); {@link LayerStatistics}
 * implements it in memory.
 */
public interface LayerGroups {

    GroupSums total();

    /** The language groups in the given order; each must exist. */
    List<GroupSums> languageGroups(List<String> order);

    /** All language groups, any order. */
    Collection<GroupSums> languageGroups();

    /** All meaning groups, any order. */
    Collection<GroupSums> meaningGroups();

    /** Sums and counts of the pair classes SL, SM, DD of this layer in one normalisation. */
    default PairClassSums pairClassSums(Normalisation n) {
        return PairClassSums.of(total().scalars(n), languageGroups().stream().map(g -> g.scalars(n)).toList(),
                meaningGroups().stream().map(g -> g.scalars(n)).toList());
    }
}
