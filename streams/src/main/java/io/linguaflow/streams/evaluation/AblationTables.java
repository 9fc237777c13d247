package io.linguaflow.streams.evaluation;

import io.linguaflow.schemas.avro.AblationResult;
import io.linguaflow.schemas.avro.AblationTable;
import io.linguaflow.schemas.avro.KeyRegion;
import io.linguaflow.streams.avro.EvaluationsIssued;
import java.util.LinkedHashMap;
import java.util.Map;

/** Between the Avro {@link AblationTable} and the analysis one, which does every computation. */
public final class AblationTables {

    private AblationTables() {
    }

    /**
     * The table of an ablation result, with the key regions it ablated.
     *
     * @param regions language → its final key region, for every language of {@code issued}
     * @throws IllegalArgumentException when the result lacks a language (the evaluation corpus misses it)
     */
    static AblationTable assemble(EvaluationsIssued issued, Map<String, KeyRegion> regions, AblationResult result) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        long total = 0;
        for (String lang : issued.getLanguages()) {
            KeyRegion r = regions.get(lang);
            counts.put(lang, r.getNeurons().size());
            total = (long) r.getLayers() * r.getNeuronsPerLayer();
        }
        io.linguaflow.analysis.ablation.AblationTable t = io.linguaflow.analysis.ablation.AblationTable.of(issued.getLanguages(), total,
                counts, result.getBaseline(), result.getAblated(), result.getRandomBaseline(), issued.getRandomSeed(), issued.getEvalCorpus());
        return AblationTable.newBuilder().setCheckpointId(issued.getCheckpointId()).setEvalCorpus(t.evalCorpus())
                .setLanguages(t.languages()).setTotalNeurons(t.totalNeurons()).setKeyNeurons(t.keyNeurons())
                .setKeyNeuronsPct(t.keyNeuronsPct()).setBaseline(t.baseline()).setAblated(t.ablated()).setRandom(t.random())
                .setIncreasePct(t.increasePct()).setRandomIncreasePct(t.randomIncreasePct()).setRandomSeed(t.randomSeed())
                .setRequestId(result.getRequestId()).setComputedAt(result.getComputedAt()).build();
    }

    /** The analysis table of a published one (its derived columns are recomputed, to the same values). */
    public static io.linguaflow.analysis.ablation.AblationTable toAnalysis(AblationTable t) {
        return io.linguaflow.analysis.ablation.AblationTable.of(t.getLanguages(), t.getTotalNeurons(), t.getKeyNeurons(), t.getBaseline(),
                t.getAblated(), t.getRandom(), t.getRandomSeed(), t.getEvalCorpus());
    }
}
