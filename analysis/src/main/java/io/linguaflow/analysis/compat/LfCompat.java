package io.linguaflow.analysis.compat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Switches and constants that reproduce the released code of Zeng et al. (X-LANCE/LinguaFranca run.py,
 * commit 15792b87; IMPLEMENTATION-NOTES §1.5–1.6) where it departs from the paper's definitions:
 * <ul>
 *   <li>the neuron score adds ε = 1e-5 to every normalised element and divides by the pair count twice
 *       ({@code ContributionScores.lfCompat});</li>
 *   <li>SADS regroups the language-major rows with stride S+1 instead of S ({@link BlockLabels}); the
 *       per-layer SADS call omits sample_num, so it always uses stride 100+1.</li>
 * </ul>
 * Rows are ordered as the authors build {@code outputs}: language-major in their language order, then
 * by meaning.
 */
public final class LfCompat {

    /** run.py l.314: {@code hs / norm + 10e-6}, i.e. 1e-5 added to each normalised element. */
    public static final double EPSILON = 10e-6;

    /** run.py's default {@code sample_num}, used by the per-layer SADS call (l.622) whatever S is. */
    public static final int DEFAULT_SAMPLE_NUM = 100;

    /** run.py l.573: the Bible language list, which fixes the row order of {@code outputs}. */
    public static final List<String> AUTHORS_LANGUAGE_ORDER = List.of("en", "zh", "fr", "es", "pt", "ar", "vi", "hi", "id");

    private LfCompat() {
    }

    /**
     * The authors' row order of languages: {@code explicit} when given (it must name exactly the corpus
     * languages), else the authors' Bible order restricted to the corpus languages followed by the other
     * corpus languages in corpus order.
     */
    public static List<String> languageOrder(List<String> corpusLanguages, List<String> explicit) {
        if (explicit != null && !explicit.isEmpty()) {
            if (!new LinkedHashSet<>(explicit).equals(new LinkedHashSet<>(corpusLanguages)) || explicit.size() != corpusLanguages.size()) {
                throw new IllegalArgumentException("--lf-language-order " + String.join(",", explicit)
                        + " must list each corpus language exactly once: " + String.join(",", corpusLanguages));
            }
            return List.copyOf(explicit);
        }
        Set<String> order = new LinkedHashSet<>();
        for (String l : AUTHORS_LANGUAGE_ORDER) {
            if (corpusLanguages.contains(l)) {
                order.add(l);
            }
        }
        order.addAll(corpusLanguages);
        return new ArrayList<>(order);
    }
}
