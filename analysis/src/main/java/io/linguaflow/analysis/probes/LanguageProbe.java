package io.linguaflow.analysis.probes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.MutableDataset;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Language-identification probes (Riemenschneider &amp; Frank 2025: "we train a logistic regression classifier for
 * each layer ... with three different random seeds"): a multinomial logistic regression (Tribuo's
 * {@link LinearSGDTrainer} with the {@link LogMulticlass} loss, AdaGrad) predicts a token's language from its
 * representation at one layer; accuracy is k-fold cross-validated for each seed of a fixed list.
 *
 * <p>Folds are drawn over <em>sentences</em>, stratified by language: all sampled tokens of a sentence are in the
 * same fold, so a probe is never tested on another token of a sentence it was trained on.
 */
public final class LanguageProbe {

    /** Held so that the level sticks (JUL keeps loggers weakly): Tribuo logs at INFO on every training. */
    private static final Logger TRIBUO = Logger.getLogger("org.tribuo");

    static {
        TRIBUO.setLevel(Level.WARNING);
    }

    private LanguageProbe() {
    }

    /**
     * @param folds        k of the k-fold cross-validation (every language needs at least k sentences)
     * @param seeds        one cross-validation per seed: the seed shuffles the folds and the SGD
     * @param epochs       SGD passes over the training fold
     * @param learningRate AdaGrad's initial learning rate (epsilon 0.1, Tribuo's defaults)
     * @param standardise  z-score every feature with the training fold's mean and standard deviation
     */
    public record Options(int folds, List<Long> seeds, int epochs, double learningRate, boolean standardise) {
        public static final Options DEFAULTS = new Options(5, List.of(1L, 2L, 3L), 10, 1.0, true);

        public Options {
            if (folds < 2 || seeds.isEmpty() || epochs < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("probe options: folds " + folds + " (>= 2), seeds " + seeds
                        + " (at least one), epochs " + epochs + " (>= 1), learning rate " + learningRate + " (> 0)");
            }
            seeds = List.copyOf(seeds);
        }
    }

    /** Tokens of one layer: features {@code [n][H]}, the language and the sentence of each token. */
    public record Tokens(float[][] features, List<String> languages, int[] sentences) {
        public Tokens {
            if (features.length != languages.size() || features.length != sentences.length) {
                throw new IllegalArgumentException(features.length + " feature rows, " + languages.size()
                        + " languages, " + sentences.length + " sentence ids");
            }
        }
    }

    /** Test accuracy of one fold of one seed; {@code predictions} in the order of the fold's test tokens. */
    public record Fold(long seed, int fold, int trainTokens, int testTokens, double accuracy, List<String> predictions) {
    }

    /**
     * @param accuracyMean mean over seeds of the seed's cross-validated accuracy (correct / all tokens)
     * @param accuracyStd  population standard deviation of those per-seed accuracies (numpy {@code std}, ddof 0)
     */
    public record LayerResult(int layer, double accuracyMean, double accuracyStd, List<Fold> folds) {
    }

    /**
     * Fold of each sentence: per language, the language's sentences (ascending id) are shuffled with
     * {@code seed} and dealt round-robin into k folds.
     *
     * @param source names the input in the error raised when a language has fewer than k sentences
     * @return sentence id to fold
     */
    public static Map<Integer, Integer> foldOfSentence(Tokens t, int k, long seed, String source) {
        Map<String, Set<Integer>> byLang = new LinkedHashMap<>();
        for (int i = 0; i < t.sentences.length; i++) {
            byLang.computeIfAbsent(t.languages.get(i), x -> new HashSet<>()).add(t.sentences[i]);
        }
        if (byLang.size() < 2) {
            throw new IllegalArgumentException(source + ": a language probe needs at least 2 languages, got "
                    + byLang.keySet());
        }
        Map<Integer, Integer> fold = new LinkedHashMap<>();
        for (Map.Entry<String, Set<Integer>> e : byLang.entrySet()) {
            List<Integer> s = new ArrayList<>(e.getValue());
            if (s.size() < k) {
                throw new IllegalArgumentException(source + ": language '" + e.getKey() + "' has " + s.size()
                        + " sentence(s) with sampled tokens, fewer than the " + k + " folds");
            }
            s.sort(null);
            SplittableRandom r = new SplittableRandom(seed ^ e.getKey().hashCode());
            for (int i = s.size() - 1; i > 0; i--) { // Fisher-Yates
                int j = r.nextInt(i + 1);
                Integer x = s.get(i);
                s.set(i, s.get(j));
                s.set(j, x);
            }
            for (int i = 0; i < s.size(); i++) {
                fold.put(s.get(i), i % k);
            }
        }
        return fold;
    }

    /** Cross-validates the probe of one layer for every seed. */
    public static LayerResult crossValidate(int layer, Tokens t, Options o, String source) {
        List<Fold> folds = new ArrayList<>();
        double[] perSeed = new double[o.seeds().size()];
        for (int si = 0; si < perSeed.length; si++) {
            long seed = o.seeds().get(si);
            Map<Integer, Integer> foldOf = foldOfSentence(t, o.folds(), seed, source);
            long correct = 0;
            for (int f = 0; f < o.folds(); f++) {
                List<Integer> train = new ArrayList<>();
                List<Integer> test = new ArrayList<>();
                for (int i = 0; i < t.features.length; i++) {
                    (foldOf.get(t.sentences[i]) == f ? test : train).add(i);
                }
                List<String> predicted = trainAndPredict(t, train, test, o, seed);
                int ok = 0;
                for (int i = 0; i < test.size(); i++) {
                    ok += predicted.get(i).equals(t.languages.get(test.get(i))) ? 1 : 0;
                }
                correct += ok;
                folds.add(new Fold(seed, f, train.size(), test.size(), (double) ok / test.size(), predicted));
            }
            perSeed[si] = (double) correct / t.features.length;
        }
        double mean = 0;
        for (double a : perSeed) {
            mean += a / perSeed.length;
        }
        double var = 0;
        for (double a : perSeed) {
            var += (a - mean) * (a - mean) / perSeed.length;
        }
        return new LayerResult(layer, mean, Math.sqrt(var), folds);
    }

    /** Trains on {@code train} (Tribuo), predicts {@code test}; features standardised with the training rows. */
    static List<String> trainAndPredict(Tokens t, List<Integer> train, List<Integer> test, Options o, long seed) {
        int h = t.features[0].length;
        double[] mean = new double[h];
        double[] scale = new double[h];
        java.util.Arrays.fill(scale, 1.0);
        if (o.standardise()) {
            for (int i : train) {
                for (int j = 0; j < h; j++) {
                    mean[j] += t.features[i][j] / train.size();
                }
            }
            for (int i : train) {
                for (int j = 0; j < h; j++) {
                    double d = t.features[i][j] - mean[j];
                    scale[j] += d * d / train.size();
                }
            }
            for (int j = 0; j < h; j++) {
                double var = scale[j] - 1.0;
                scale[j] = var > 0 ? Math.sqrt(var) : 1.0; // a constant feature stays centred, unscaled
            }
        }
        String[] names = new String[h];
        for (int j = 0; j < h; j++) {
            names[j] = String.format("h%06d", j); // sorted order = dimension order
        }
        LabelFactory labels = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("language probe", labels), labels);
        for (int i : train) {
            data.add(example(t.features[i], mean, scale, names, new Label(t.languages.get(i))));
        }
        LinearSGDTrainer trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(o.learningRate(), 0.1),
                o.epochs(), -1, 1, seed);
        Model<Label> model = trainer.train(data);
        List<String> out = new ArrayList<>(test.size());
        for (int i : test) {
            out.add(model.predict(example(t.features[i], mean, scale, names, LabelFactory.UNKNOWN_LABEL))
                    .getOutput().getLabel());
        }
        return out;
    }

    private static ArrayExample<Label> example(float[] x, double[] mean, double[] scale, String[] names, Label y) {
        double[] v = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            v[j] = (x[j] - mean[j]) / scale[j];
        }
        return new ArrayExample<>(y, names, v);
    }
}
