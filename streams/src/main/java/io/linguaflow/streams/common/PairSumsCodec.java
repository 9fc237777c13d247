package io.linguaflow.streams.common;

import io.linguaflow.analysis.metrics.PairClassSums;
import io.linguaflow.streams.avro.PairSums;

/** {@link PairClassSums} (analysis) ⇄ {@link PairSums} (the Avro record carrying it), field for field. */
public final class PairSumsCodec {

    private PairSumsCodec() {
    }

    public static PairSums toAvro(PairClassSums p) {
        return new PairSums(p.sameLanguageSum(), p.sameMeaningSum(), p.differentSum(), p.sameLanguagePairs(), p.sameMeaningPairs(),
                p.differentPairs(), p.samples());
    }

    public static PairClassSums fromAvro(PairSums p) {
        return new PairClassSums(p.getSameLanguageSum(), p.getSameMeaningSum(), p.getDifferentSum(), p.getSameLanguagePairs(),
                p.getSameMeaningPairs(), p.getDifferentPairs(), p.getSamples());
    }
}
