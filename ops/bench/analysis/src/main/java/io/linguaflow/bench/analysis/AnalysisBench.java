package io.linguaflow.bench.analysis;

import io.linguaflow.analysis.keyregions.KeyRegions;
import io.linguaflow.analysis.keyregions.LayerScores;
import io.linguaflow.analysis.keyregions.ZScores;
import io.linguaflow.analysis.metrics.PairClassSums;
import io.linguaflow.analysis.similarity.SimilarityMap;
import io.linguaflow.analysis.stats.GroupSums;
import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.analysis.stats.Normalisation;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Incremental sufficient statistics vs the brute-force pairwise computation, on the same synthetic data
 * in the same run, at BLOOM-7b1 shape by default (30 layers x 16384 neurons, 9 languages x 100 meanings).
 * Measures: per-sample update (all layers: total + language + meaning group per layer, as the
 * aggregators do), the same with a binary encode/decode round trip per group value (the RocksDB value
 * path), time from the statistics to LRDS/SADS (whole model and per layer) and key regions, the encoded
 * state, and the brute force: O(N²·M·D) similarities plus O(n_l²·M·D) per-neuron pair sums. Both sides
 * run single-threaded and exclude data generation; times are the CPU time of the benchmark thread. It also
 * checks that both sides agree.
 */
public final class AnalysisBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private int layers = 30;
    private int neurons = 16384;
    private int languages = 9;
    private int meanings = 100;
    private int bruteLayers = -1;
    private int storeSamples = 20;
    private long seed = 42;
    private double threshold = 2;

    public static void main(String[] args) {
        AnalysisBench b = new AnalysisBench();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println("AnalysisBench [--layers 30] [--neurons 16384] [--languages 9] [--meanings 100] [--brute-layers all]"
                        + " [--store-samples 20] [--seed 42] [--threshold 2]");
                return;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--layers" -> b.layers = Integer.parseInt(v);
                case "--neurons" -> b.neurons = Integer.parseInt(v);
                case "--languages" -> b.languages = Integer.parseInt(v);
                case "--meanings" -> b.meanings = Integer.parseInt(v);
                case "--brute-layers" -> b.bruteLayers = Integer.parseInt(v);
                case "--store-samples" -> b.storeSamples = Integer.parseInt(v);
                case "--seed" -> b.seed = Long.parseLong(v);
                case "--threshold" -> b.threshold = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (b.bruteLayers < 0 || b.bruteLayers > b.layers) {
            b.bruteLayers = b.layers;
        }
        b.run();
    }

    private void run() {
        int n = languages * meanings;
        SyntheticActivations data = new SyntheticActivations(seed, meanings, neurons);
        System.out.println("times: CPU time of the benchmark thread (single-threaded on both sides)");
        System.out.printf("shape: %d layers x %d neurons = %d, %d languages x %d meanings = %d samples; brute force on %d layer(s)%n",
                layers, neurons, layers * neurons, languages, meanings, n, bruteLayers);

        // ---- incremental: samples in random order, one record per (sample, layer)
        GroupSums[] total = new GroupSums[layers];
        GroupSums[][] lang = new GroupSums[layers][languages];
        GroupSums[][] meaning = new GroupSums[layers][meanings];
        for (int m = 0; m < layers; m++) {
            total[m] = GroupSums.vectorSums(neurons);
            for (int l = 0; l < languages; l++) {
                lang[m][l] = GroupSums.withNeuronStatistics(neurons);
            }
            for (int s = 0; s < meanings; s++) {
                meaning[m][s] = GroupSums.vectorSums(neurons);
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        double[] modelNorm = new double[n];
        double[][] layerNorm = new double[n][layers];
        long updateNanos = 0;
        for (int i : order) {
            int l = i / meanings;
            int s = i % meanings;
            double[][] slices = new double[layers][];
            double sq = 0;
            for (int m = 0; m < layers; m++) {
                float[] f = data.slice(l, s, m);
                double[] v = new double[neurons];
                double ls = 0;
                for (int k = 0; k < neurons; k++) {
                    v[k] = f[k];
                    ls += v[k] * v[k];
                }
                slices[m] = v;
                layerNorm[i][m] = Math.sqrt(ls);
                sq += ls;
            }
            modelNorm[i] = Math.sqrt(sq);
            long t0 = cpuNanos();
            for (int m = 0; m < layers; m++) {
                GroupSums.Slice x = GroupSums.slice(new LayerVector(slices[m], layerNorm[i][m], modelNorm[i], null, 0));
                total[m].add(x);
                lang[m][l].add(x);
                meaning[m][s].add(x);
            }
            updateNanos += cpuNanos() - t0;
        }

        // ---- metrics and key regions from the statistics: right after the last sample (cold JIT), then again (warm)
        long wall0 = System.nanoTime();
        long t0 = cpuNanos();
        Metrics metrics = metrics(total, lang, meaning);
        long metricsNanos = cpuNanos() - t0;
        long metricsWallNanos = System.nanoTime() - wall0;
        long warm0 = cpuNanos();
        metrics(total, lang, meaning);
        long warmMetricsNanos = cpuNanos() - warm0;
        List<PairClassSums> perLayer = metrics.perLayer();
        List<LayerScores> scores = metrics.scores();
        PairClassSums whole = metrics.whole();
        KeyRegions keyRegions = metrics.keyRegions();

        long stateBytes = 0;
        for (int m = 0; m < layers; m++) {
            stateBytes += total[m].encodedSize();
            for (GroupSums g : lang[m]) {
                stateBytes += g.encodedSize();
            }
            for (GroupSums g : meaning[m]) {
                stateBytes += g.encodedSize();
            }
        }
        // the RocksDB value path, warm: decode, add, encode the three group values of a record (on copies)
        long storeNanos = 0;
        long storedBytes = 0;
        int storeRecords = Math.min(storeSamples, n) * layers;
        for (int pass = 0; pass < 2; pass++) {
            storeNanos = 0;
            storedBytes = 0;
            for (int r = 0; r < Math.min(storeSamples, n); r++) {
                int i = order.get(r);
                int l = i / meanings;
                int s = i % meanings;
                for (int m = 0; m < layers; m++) {
                    byte[][] values = {total[m].encode(), lang[m][l].encode(), meaning[m][s].encode()};
                    LayerVector v = LayerVector.of(toDouble(data.slice(l, s, m)), modelNorm[i]);
                    long t1 = cpuNanos();
                    for (byte[] value : values) {
                        GroupSums g = GroupSums.decode(value);
                        g.add(v);
                        storedBytes += g.encode().length;
                    }
                    storeNanos += cpuNanos() - t1;
                }
            }
        }

        // free the state before the brute force
        total = null;
        lang = null;
        meaning = null;

        // ---- brute force on the same data
        Brute brute = brute(data, modelNorm, layerNorm, n);

        // ---- agreement
        double maxLayerDiff = 0;
        for (int m = 0; m < bruteLayers; m++) {
            maxLayerDiff = Math.max(maxLayerDiff, Math.abs(brute.layerLrds[m] - perLayer.get(m).lrds()));
            maxLayerDiff = Math.max(maxLayerDiff, Math.abs(brute.layerSads[m] - perLayer.get(m).sads()));
        }
        double maxZDiff = 0;
        long keyMismatch = 0;
        for (int m = 0; m < bruteLayers; m++) {
            for (int l = 0; l < languages; l++) {
                for (int k = 0; k < neurons; k++) {
                    double z = scores.get(m).z()[l][k];
                    maxZDiff = Math.max(maxZDiff, Math.abs(z - brute.z[m][l][k]));
                    if ((z > threshold) != (brute.z[m][l][k] > threshold)) {
                        keyMismatch++;
                    }
                }
            }
        }

        double perSampleUs = updateNanos / 1e3 / n;
        double perRecordUs = perSampleUs / layers;
        double bruteAllLayersS = brute.nanos / 1e9 * layers / bruteLayers;
        System.out.println();
        System.out.println("| measure | value |");
        System.out.println("|---|---|");
        row("per-sample update, all " + layers + " layers (3 groups per layer)", String.format("%.1f us", perSampleUs));
        row("per-record update (one layer, 3 groups)", String.format("%.1f us", perRecordUs));
        row("per neuron per group update", String.format("%.2f ns", updateNanos / (double) n / layers / neurons / 3));
        if (storeRecords > 0) {
            row("per-record update with decode+encode of the 3 values", String.format("%.1f us (%.0f KB written per record)",
                    storeNanos / 1e3 / storeRecords, storedBytes / 1e3 / storeRecords));
        }
        row("metrics + key regions from the statistics, right after the last sample", String.format("%.1f ms CPU (%.1f ms wall)",
                metricsNanos / 1e6, metricsWallNanos / 1e6));
        row("metrics + key regions, warm (second computation)", String.format("%.1f ms CPU", warmMetricsNanos / 1e6));
        row("state (encoded, " + layers * (1 + languages + meanings) + " values)", String.format("%.1f MB (%d bytes)", stateBytes / 1e6, stateBytes));
        row("largest value (language group)", String.format("%.1f KB", (8.0 * 3 * neurons + 66) / 1e3));
        row("brute force (" + bruteLayers + " layer(s) measured)", String.format("%.2f s", brute.nanos / 1e9));
        row("brute force, all " + layers + " layers" + (bruteLayers < layers ? " (extrapolated)" : ""), String.format("%.2f s", bruteAllLayersS));
        row("ratio brute force / (metrics from statistics)", String.format("%.0fx", bruteAllLayersS * 1e9 / metricsNanos));
        row("ratio brute force / (all updates + metrics)", String.format("%.1fx", bruteAllLayersS * 1e9 / (updateNanos + metricsNanos)));
        row("max |LRDS, SADS per layer| incremental - brute", String.format("%.2e", maxLayerDiff));
        row("max |z| incremental - brute", String.format("%.2e", maxZDiff));
        row("key-neuron decisions that differ", Long.toString(keyMismatch));
        if (bruteLayers == layers) {
            row("whole-model LRDS / SADS incremental", String.format("%.9f / %.9f", whole.lrds(), whole.sads()));
            row("whole-model LRDS / SADS brute force", String.format("%.9f / %.9f", brute.wholeLrds, brute.wholeSads));
        }
        row("SKLR", keyRegions.sklr() + String.format(" (%.4f of all neurons; max reachable z %.3f)", keyRegions.sklrFraction(),
                ZScores.maxReachable(languages)));
    }

    /** CPU time of this thread: the machines these run on are shared, wall time would measure the neighbours. */
    private static long cpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static double[] toDouble(float[] f) {
        double[] v = new double[f.length];
        for (int k = 0; k < f.length; k++) {
            v[k] = f[k];
        }
        return v;
    }

    private record Metrics(PairClassSums whole, List<PairClassSums> perLayer, List<LayerScores> scores, KeyRegions keyRegions) {
    }

    /** Everything reported, from the group statistics: pair classes per layer and whole model, scores, z, key regions. */
    private Metrics metrics(GroupSums[] total, GroupSums[][] lang, GroupSums[][] meaning) {
        List<PairClassSums> modelParts = new ArrayList<>();
        List<PairClassSums> perLayer = new ArrayList<>();
        List<String> langNames = new ArrayList<>();
        for (int l = 0; l < languages; l++) {
            langNames.add("lang" + l);
        }
        KeyRegions.Builder regions = new KeyRegions.Builder(langNames, layers, neurons, threshold);
        List<LayerScores> scores = new ArrayList<>();
        for (int m = 0; m < layers; m++) {
            for (Normalisation norm : Normalisation.values()) {
                List<GroupSums> ls = Arrays.asList(lang[m]);
                List<GroupSums> ms = Arrays.asList(meaning[m]);
                PairClassSums p = PairClassSums.of(total[m].scalars(norm), ls.stream().map(g -> g.scalars(norm)).toList(),
                        ms.stream().map(g -> g.scalars(norm)).toList());
                (norm == Normalisation.MODEL ? modelParts : perLayer).add(p);
            }
            LayerScores sc = LayerScores.of(Arrays.asList(lang[m]), false);
            scores.add(sc);
            regions.addLayer(m, sc.z());
        }
        return new Metrics(PairClassSums.sumOverLayers(modelParts), perLayer, scores, regions.build());
    }

    private static void row(String what, String value) {
        System.out.println("| " + what + " | " + value + " |");
    }

    private record Brute(long nanos, double[] layerLrds, double[] layerSads, double wholeLrds, double wholeSads, double[][][] z) {
    }

    /** Pairwise: per layer the raw Gram matrix in neuron tiles, class means, and per-neuron pair sums per language. */
    private Brute brute(SyntheticActivations data, double[] modelNorm, double[][] layerNorm, int n) {
        double[][] whole = new double[n][n];
        double[] layerLrds = new double[bruteLayers];
        double[] layerSads = new double[bruteLayers];
        double[][][] z = new double[bruteLayers][][];
        int tile = 256;
        long nanos = 0;
        for (int m = 0; m < bruteLayers; m++) {
            double[][] block = new double[n][];
            for (int i = 0; i < n; i++) {
                float[] f = data.slice(i / meanings, i % meanings, m);
                double[] v = new double[neurons];
                for (int k = 0; k < neurons; k++) {
                    v[k] = f[k];
                }
                block[i] = v;
            }
            long t0 = cpuNanos();
            double[][] gram = new double[n][n];
            double[][] chunk = new double[n][tile];
            for (int k0 = 0; k0 < neurons; k0 += tile) {
                int w = Math.min(tile, neurons - k0);
                if (w != tile) {
                    chunk = new double[n][w];
                }
                for (int i = 0; i < n; i++) {
                    System.arraycopy(block[i], k0, chunk[i], 0, w);
                }
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        gram[i][j] += SimilarityMap.dot(chunk[i], chunk[j]);
                    }
                }
            }
            double[] layerSums = new double[3];
            long[] counts = new long[3];
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    whole[i][j] += gram[i][j] / (modelNorm[i] * modelNorm[j]);
                    classify(i, j, gram[i][j] / (layerNorm[i][m] * layerNorm[j][m]), layerSums, counts);
                }
            }
            layerLrds[m] = layerSums[0] / counts[0] - layerSums[2] / counts[2];
            layerSads[m] = layerSums[1] / counts[1] - layerSums[2] / counts[2];
            // per-neuron pair sums Σ_{i<j∈l} aᵢ(k)aⱼ(k) / (n_l(n_l−1)/2) with a = h/‖h‖ (whole-model)
            double[][] c = new double[languages][neurons];
            for (int l = 0; l < languages; l++) {
                for (int a = l * meanings; a < (l + 1) * meanings; a++) {
                    for (int b = a + 1; b < (l + 1) * meanings; b++) {
                        double scale = 1 / (modelNorm[a] * modelNorm[b]);
                        double[] x = block[a];
                        double[] y = block[b];
                        double[] cl = c[l];
                        for (int k = 0; k < neurons; k++) {
                            cl[k] += x[k] * y[k] * scale;
                        }
                    }
                }
                double pairs = meanings * (meanings - 1) / 2.0;
                for (int k = 0; k < neurons; k++) {
                    c[l][k] /= pairs;
                }
            }
            z[m] = ZScores.of(c);
            nanos += cpuNanos() - t0;
        }
        double wl = Double.NaN, ws = Double.NaN;
        if (bruteLayers == layers) {
            double[] sums = new double[3];
            long[] counts = new long[3];
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    classify(i, j, whole[i][j], sums, counts);
                }
            }
            wl = sums[0] / counts[0] - sums[2] / counts[2];
            ws = sums[1] / counts[1] - sums[2] / counts[2];
        }
        return new Brute(nanos, layerLrds, layerSads, wl, ws, z);
    }

    /** Adds S_ij to SL (0), SM (1) or DD (2); sample i = language i / meanings, meaning i % meanings. */
    private void classify(int i, int j, double s, double[] sums, long[] counts) {
        boolean sameLang = i / meanings == j / meanings;
        boolean sameMeaning = i % meanings == j % meanings;
        int c = sameLang ? (sameMeaning ? -1 : 0) : (sameMeaning ? 1 : 2);
        if (c >= 0) {
            sums[c] += s;
            counts[c]++;
        }
    }
}
