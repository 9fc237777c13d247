package io.linguaflow.streams.planner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.linguaflow.schemas.avro.Sentence;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Planning#batches}: whole meanings by mean text length, batch size rounded to whole meanings. */
class PlanningBatchesTest {

    private static Sentence row(int index, String lang, String meaning, int length) {
        return Sentence.newBuilder().setCorpus("c").setLang(lang).setMeaningId(meaning).setText("x".repeat(length)).setIndex(index).build();
    }

    /** One row per (language, meaning); meaning s has texts of length lengths[s] + language index. */
    private static List<Sentence> corpus(int languages, int... lengths) {
        List<Sentence> rows = new ArrayList<>();
        for (int l = 0; l < languages; l++) {
            for (int s = 0; s < lengths.length; s++) {
                rows.add(row(rows.size(), "l" + l, "s" + s, lengths[s] + l));
            }
        }
        return rows;
    }

    private static List<String> ids(List<Sentence> batch) {
        return batch.stream().map(r -> r.getLang() + "|" + r.getMeaningId()).toList();
    }

    @Test
    void meaningsGoShortestFirstWithTheirRowsByLength() {
        List<List<Sentence>> batches = Planning.batches(corpus(2, 30, 10, 20), 4);
        assertEquals(List.of(List.of("l0|s1", "l1|s1", "l0|s2", "l1|s2"), List.of("l0|s0", "l1|s0")), batches.stream().map(b -> ids(b)).toList());
    }

    @Test
    void theBatchSizeIsRoundedToWholeMeanings() {
        assertEquals(List.of(6, 6), Planning.batches(corpus(3, 1, 2, 3, 4), 5).stream().map(List::size).toList(), "5 rounds to 6");
        assertEquals(List.of(3, 3, 3, 3), Planning.batches(corpus(3, 1, 2, 3, 4), 4).stream().map(List::size).toList(), "4 rounds to 3");
    }

    @Test
    void aMeaningLargerThanTheBatchSizeIsCut() {
        List<List<Sentence>> batches = Planning.batches(corpus(5, 1, 100), 2);
        assertEquals(List.of(2, 2, 1, 2, 2, 1), batches.stream().map(List::size).toList());
        assertEquals(List.of("l0|s0", "l1|s0"), ids(batches.get(0)));
    }

    @Test
    void unbalancedMeaningsStayWhole() {
        List<Sentence> rows = new ArrayList<>(corpus(2, 5, 6));
        rows.add(row(4, "l2", "s1", 7));
        assertEquals(List.of(List.of("l0|s0", "l1|s0"), List.of("l0|s1", "l1|s1", "l2|s1")),
                Planning.batches(rows, 3).stream().map(b -> ids(b)).toList());
    }
}
