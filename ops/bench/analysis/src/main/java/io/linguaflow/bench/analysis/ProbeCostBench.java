package io.linguaflow.bench.analysis;

import io.linguaflow.analysis.experts.ExpertNeurons;
import io.linguaflow.analysis.experts.Responses;
import io.linguaflow.analysis.probes.LanguageProbe;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The cost of one layer's instruments as the streams run them, at a given shape; BLOOM-7b1 by default (hidden size
 * 4096, MLP width 16384, 9 languages x 100 meanings, 4 sampled tokens per sentence): the language probe
 * ({@code LanguageProbe.crossValidate} with {@code Options.DEFAULTS}: 5 folds x 3 seeds x 10 epochs) on synthetic
 * tokens, Gaussian around a per-language mean so the SGD does the work it does on real data, and the layer's expert
 * ranking ({@code ExpertNeurons.find}, top 500, 10 concepts) on random maxima. Prints CPU and wall time of the thread.
 *
 * <p>Usage: {@code ProbeCostBench [width] [languages] [meanings] [tokensPerSentence] [neurons]} (defaults 4096 9 100 4 16384).
 */
public final class ProbeCostBench {

    private ProbeCostBench() {
    }

    public static void main(String[] args) {
        int width = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int languages = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int meanings = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int perSentence = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int neurons = args.length > 4 ? Integer.parseInt(args[4]) : 16384;
        SplittableRandom random = new SplittableRandom(42);
        float[][] centres = new float[languages][width];
        for (float[] c : centres) {
            for (int j = 0; j < width; j++) {
                c[j] = (float) (0.05 * random.nextGaussian());
            }
        }
        List<float[]> features = new ArrayList<>();
        List<String> langs = new ArrayList<>();
        List<Integer> sentences = new ArrayList<>();
        for (int s = 0; s < languages * meanings; s++) {
            int lang = s / meanings;
            for (int t = 0; t < perSentence; t++) {
                float[] x = new float[width];
                for (int j = 0; j < width; j++) {
                    x[j] = centres[lang][j] + (float) random.nextGaussian();
                }
                features.add(x);
                langs.add("l" + lang);
                sentences.add(s);
            }
        }
        LanguageProbe.Tokens tokens = new LanguageProbe.Tokens(features.toArray(new float[0][]), langs,
                sentences.stream().mapToInt(Integer::intValue).toArray());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        LanguageProbe.LayerResult r = LanguageProbe.crossValidate(0, tokens, LanguageProbe.Options.DEFAULTS, "bench");
        double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        double wall = (System.nanoTime() - wall0) / 1e9;
        System.out.printf("probe of one layer: width %d, %d sentences, %d tokens, 5 folds x 3 seeds x 10 epochs: "
                + "%.1f s CPU, %.1f s wall; accuracy %.4f +- %.4f%n", width, languages * meanings, features.size(), cpu, wall,
                r.accuracyMean(), r.accuracyStd());

        int rows = languages * meanings;
        float[][] maxima = new float[rows][neurons];
        List<String> rowLangs = new ArrayList<>(rows);
        List<Set<String>> concepts = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < neurons; j++) {
                maxima[i][j] = (float) random.nextGaussian();
            }
            rowLangs.add("l" + i / meanings);
            concepts.add(Set.of("c" + (i % meanings) % 10));
        }
        cpu0 = threads.getCurrentThreadCpuTime();
        wall0 = System.nanoTime();
        ExpertNeurons.Result e = ExpertNeurons.find(Responses.of(maxima), rowLangs, concepts, 500, "bench");
        System.out.printf("experts of one layer: %d neurons, %d rows, %d concepts, top 500: %.1f s CPU, %.1f s wall%n", neurons,
                rows, e.concepts().size(), (threads.getCurrentThreadCpuTime() - cpu0) / 1e9, (System.nanoTime() - wall0) / 1e9);
    }
}
