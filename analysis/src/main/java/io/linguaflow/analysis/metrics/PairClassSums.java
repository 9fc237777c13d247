package io.linguaflow.analysis.metrics;

import io.linguaflow.analysis.stats.CompensatedSum;
import io.linguaflow.analysis.stats.GroupScalars;
import java.util.List;

/**
 * Sums of the similarities S_ij = aᵢ·aⱼ over the ordered pairs i ≠ j of each class, with the pair counts:
 * SL = same language, different meaning; SM = same meaning, different language; DD = different
 * language and different meaning (docs/math.md §2). LRDS and SADS are differences of class means.
 * On a complete, balanced corpus the class means equal the block means of Zeng et al.'s code.
 */
public record PairClassSums(double sameLanguageSum, double sameMeaningSum, double differentSum,
                            long sameLanguagePairs, long sameMeaningPairs, long differentPairs, long samples) {

    /**
     * From the group scalars of one layer (docs/math.md §3): P_X = Σ_groups ‖sum‖² − Σᵢ‖aᵢ‖²;
     * SL = P_L − P_LS, SM = P_S − P_LS, DD = P_all − P_L − P_S + P_LS, and the same for pair counts.
     * Each (language, meaning) cell holds one sample, so P_LS = 0 and its pair count is 0. The sums over groups are
     * order-independent ({@link CompensatedSum}), so any order of the groups gives the same bits (docs/math.md §10).
     */
    public static PairClassSums of(GroupScalars total, List<GroupScalars> languages, List<GroupScalars> meanings) {
        double pAll = total.pairSum();
        CompensatedSum pL = new CompensatedSum();
        long cL = 0;
        for (GroupScalars g : languages) {
            pL.add(g.sumNormSquared());
            cL += g.pairCount();
        }
        pL.add(-total.normSquaredSum());
        CompensatedSum pS = new CompensatedSum();
        long cS = 0;
        for (GroupScalars g : meanings) {
            pS.add(g.sumNormSquared());
            cS += g.pairCount();
        }
        pS.add(-total.normSquaredSum());
        double sl = pL.value();
        double sm = pS.value();
        return new PairClassSums(sl, sm, pAll - sl - sm, cL, cS, total.pairCount() - cL - cS, total.count());
    }

    /**
     * Whole-model sums from per-layer partials in the whole-model normalisation: aᵢ·aⱼ = Σ_m xᵢᵐ·xⱼᵐ
     * (docs/math.md §3). Every layer must hold the same samples.
     */
    public static PairClassSums sumOverLayers(List<PairClassSums> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("no layers to sum");
        }
        PairClassSums first = layers.get(0);
        CompensatedSum sl = new CompensatedSum();
        CompensatedSum sm = new CompensatedSum();
        CompensatedSum dd = new CompensatedSum();
        for (int m = 0; m < layers.size(); m++) {
            PairClassSums p = layers.get(m);
            if (p.samples != first.samples || p.sameLanguagePairs != first.sameLanguagePairs
                    || p.sameMeaningPairs != first.sameMeaningPairs) {
                throw new IllegalArgumentException("layer " + m + " holds " + p.samples + " samples, layer 0 holds " + first.samples
                        + " (or a different mix): whole-model metrics need every layer complete");
            }
            sl.add(p.sameLanguageSum);
            sm.add(p.sameMeaningSum);
            dd.add(p.differentSum);
        }
        return new PairClassSums(sl.value(), sm.value(), dd.value(), first.sameLanguagePairs, first.sameMeaningPairs, first.differentPairs, first.samples);
    }

    /** Mean S over SL pairs (the authors' LRDS diagonal-block mean); NaN when there are none. */
    public double meanSameLanguage() {
        return mean(sameLanguageSum, sameLanguagePairs);
    }

    /** Mean S over SM pairs (the authors' SADS diagonal-block mean); NaN when there are none. */
    public double meanSameMeaning() {
        return mean(sameMeaningSum, sameMeaningPairs);
    }

    /** Mean S over DD pairs (the authors' off-diagonal-block mean); NaN when there are none. */
    public double meanDifferent() {
        return mean(differentSum, differentPairs);
    }

    /** LRDS = mean S over SL − mean S over DD (Zeng et al. 2025, Eq. 8; docs/math.md §2). */
    public double lrds() {
        return meanSameLanguage() - meanDifferent();
    }

    /** SADS = mean S over SM − mean S over DD (Zeng et al. 2025, Eq. 9; docs/math.md §2). */
    public double sads() {
        return meanSameMeaning() - meanDifferent();
    }

    private static double mean(double sum, long pairs) {
        return pairs == 0 ? Double.NaN : sum / pairs;
    }
}
