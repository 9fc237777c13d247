package io.linguaflow.training.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Learns byte-level BPE merges from texts (Sennrich et al.): count adjacent symbol pairs over the pre-tokenized
 * pieces (weighted by piece frequency), merge the most frequent pair everywhere, repeat. Ties go to the pair that
 * sorts first ({@code left}, then {@code right}), so the merges depend only on the texts.
 */
public final class BpeTrainer {

    /** A pair seen once only says nothing about the language; merging stops there. */
    private static final int MIN_COUNT = 2;

    private BpeTrainer() {
    }

    /** Up to {@code maxMerges} merges learned from {@code texts}. */
    public static BpeTokenizer train(List<String> texts, int maxMerges) {
        // distinct pieces (sorted: iteration order, and so the result, never depends on hashing) with their counts
        Map<String, Integer> counts = new TreeMap<>();
        for (String t : texts) {
            for (String p : ByteLevel.pieces(t)) {
                counts.merge(p, 1, Integer::sum);
            }
        }
        List<List<String>> words = new ArrayList<>();
        int[] freq = new int[counts.size()];
        for (var e : counts.entrySet()) {
            List<String> symbols = new ArrayList<>();
            e.getKey().chars().forEach(c -> symbols.add(String.valueOf((char) c)));
            freq[words.size()] = e.getValue();
            words.add(symbols);
        }
        List<BpeTokenizer.Merge> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            BpeTokenizer.Merge best = mostFrequentPair(words, freq);
            if (best == null) {
                break;
            }
            merges.add(best);
            for (List<String> w : words) {
                for (int i = 0; i + 1 < w.size(); i++) {
                    if (w.get(i).equals(best.left()) && w.get(i + 1).equals(best.right())) {
                        w.set(i, best.joined());
                        w.remove(i + 1);
                    }
                }
            }
        }
        return new BpeTokenizer(merges);
    }

    private static BpeTokenizer.Merge mostFrequentPair(List<List<String>> words, int[] freq) {
        Map<BpeTokenizer.Merge, Integer> pairs = new HashMap<>();
        for (int k = 0; k < words.size(); k++) {
            List<String> w = words.get(k);
            for (int i = 0; i + 1 < w.size(); i++) {
                pairs.merge(new BpeTokenizer.Merge(w.get(i), w.get(i + 1)), freq[k], Integer::sum);
            }
        }
        BpeTokenizer.Merge best = null;
        int bestCount = MIN_COUNT - 1;
        for (var e : pairs.entrySet()) {
            int c = e.getValue();
            if (c > bestCount || (c == bestCount && best != null && before(e.getKey(), best))) {
                best = e.getKey();
                bestCount = c;
            }
        }
        return best;
    }

    private static boolean before(BpeTokenizer.Merge a, BpeTokenizer.Merge b) {
        int c = a.left().compareTo(b.left());
        return c != 0 ? c < 0 : a.right().compareTo(b.right()) < 0;
    }
}
