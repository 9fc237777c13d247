package io.linguaflow.bench.streams;

import io.linguaflow.analysis.batch.AnalysisOptions;
import io.linguaflow.analysis.batch.AnalysisResult;
import io.linguaflow.analysis.batch.Analyzer;
import io.linguaflow.analysis.batch.NpyVectors;
import io.linguaflow.analysis.similarity.SimilarityMap;
import java.util.ArrayList;
import java.util.List;

/** The references measured in the same run: the batch analysis of the same {@code .npy}, and the brute-force N×N maps. */
final class BatchRun {

    /** The incremental batch analysis ({@link Analyzer}: the same sufficient statistics, two passes over the file). */
    record Incremental(double seconds, long heapPeak, AnalysisResult result) {
    }

    /** LRDS/SADS from the whole-model map and from each layer's map, by the definition (O(N²·M·D) each). */
    record BruteForce(double seconds, long heapPeak, BruteForceMetrics wholeModel, List<BruteForceMetrics> perLayer) {
    }

    private BatchRun() {
    }

    static Incremental incremental(BenchData data) throws Exception {
        try (HeapPeak heap = new HeapPeak(); NpyVectors vectors = NpyVectors.open(data.file(), null)) {
            long start = System.nanoTime();
            AnalysisResult result = Analyzer.analyze(vectors, data.corpus(), AnalysisOptions.defaults());
            return new Incremental((System.nanoTime() - start) / 1e9, heap.peak(), result);
        }
    }

    static BruteForce bruteForce(BenchData data) throws Exception {
        try (HeapPeak heap = new HeapPeak(); NpyVectors vectors = NpyVectors.open(data.file(), null)) {
            long start = System.nanoTime();
            BruteForceMetrics whole = BruteForceMetrics.of(SimilarityMap.wholeModel(vectors), data.corpus());
            List<BruteForceMetrics> layers = new ArrayList<>();
            for (int m = 0; m < data.layers(); m++) {
                layers.add(BruteForceMetrics.of(SimilarityMap.layer(vectors, m), data.corpus()));
            }
            return new BruteForce((System.nanoTime() - start) / 1e9, heap.peak(), whole, layers);
        }
    }
}
