package io.linguaflow.producers.corpus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Language codes: the FLORES-200 code mapping and the default language order of multi-file corpora. */
public final class Languages {

    /**
     * FLORES-200 codes of the nine languages of the Lingua Franca paper, in the authors' language order (which is
     * also the row order of {@code fixtures/checkpoints/analysis-corpus.tsv}).
     */
    public static final Map<String, String> FLORES_CODES = orderedMap(
            "eng_Latn", "en", "zho_Hans", "zh", "fra_Latn", "fr", "spa_Latn", "es", "por_Latn", "pt",
            "arb_Arab", "ar", "vie_Latn", "vi", "hin_Deva", "hi", "ind_Latn", "id");

    /** Well-formed code when no explicit set of known languages is configured: {@code en}, {@code eng_Latn}, {@code pt-BR}. */
    public static final Pattern CODE = Pattern.compile("[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*");

    private static final List<String> PAPER_ORDER = List.copyOf(FLORES_CODES.values());

    private Languages() {
    }

    /** Codes in the paper's order first (en, zh, fr, es, pt, ar, vi, hi, id), then the others alphabetically. */
    public static List<String> defaultOrder(Collection<String> codes) {
        List<String> out = new ArrayList<>(codes);
        out.sort(Comparator.comparingInt((String c) -> {
            int i = PAPER_ORDER.indexOf(c);
            return i < 0 ? PAPER_ORDER.size() : i;
        }).thenComparing(Comparator.naturalOrder()));
        return out;
    }

    private static Map<String, String> orderedMap(String... kv) {
        var m = new LinkedHashMap<String, String>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}
