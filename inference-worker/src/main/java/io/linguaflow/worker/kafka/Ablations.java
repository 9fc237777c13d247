package io.linguaflow.worker.kafka;

import io.linguaflow.schemas.avro.AblationRequest;
import io.linguaflow.schemas.avro.AblationResult;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.checkpoint.ModelConfig;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.Perplexity;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Answers an {@link AblationRequest} (Lingua Franca deactivation): per-language perplexity of the corpus with
 * nothing zeroed, with each neuron set zeroed at every token of every layer, and, when a seed is given, with a
 * random set of the same size per set. The batch {@code table1} command answers its own request with it, so the
 * streamed and the batch Table 1 are the same computation.
 */
public final class Ablations {

    private Ablations() {
    }

    public static AblationResult compute(LanguageModel model, AblationRequest request, List<Sentence> corpus)
            throws RejectedRequestException {
        String where = "ablation request '" + request.getRequestId() + "' (checkpoint '" + request.getCheckpointId() + "')";
        ModelConfig c = model.config();
        if (corpus.isEmpty()) {
            throw new RejectedRequestException(where + ": corpus '" + request.getCorpus() + "' has no sentences");
        }
        Integer expected = corpus.get(0).getCorpusSize();
        if (expected != null && corpus.size() < expected) {
            // perplexities over part of a corpus would silently differ from the whole corpus' values
            throw new RejectedRequestException(where + ": corpus '" + request.getCorpus() + "' is incomplete: "
                    + corpus.size() + " of " + expected + " sentences on the topic");
        }
        if (request.getWindow() != null && request.getWindow() != c.contextLength()) {
            // the runtime scores long texts in windows of the context length only
            throw new RejectedRequestException(where + ": window " + request.getWindow() + " is not supported; the "
                    + "worker scores in windows of the model's context length " + c.contextLength());
        }
        Map<String, Ablation> sets = new TreeMap<>();
        for (Map.Entry<String, List<Integer>> set : request.getSets().entrySet()) {
            try {
                sets.put(set.getKey(), Ablation.ofFlatIds(set.getValue().stream().mapToInt(Integer::intValue).toArray(),
                        c.numLayers(), c.intermediateSize()));
            } catch (IllegalArgumentException e) {
                throw new RejectedRequestException(where + ": set '" + set.getKey() + "': " + e.getMessage(), e);
            }
        }
        List<String> texts = corpus.stream().map(Sentence::getText).toList();
        List<String> langs = corpus.stream().map(Sentence::getLang).toList();
        Map<String, Perplexity.Totals> baseline = Perplexity.totals(model, texts, langs, Ablation.none());
        Map<String, Map<String, Double>> ablated = new TreeMap<>();
        Map<String, Map<String, Double>> random = new TreeMap<>();
        for (Map.Entry<String, Ablation> set : sets.entrySet()) {
            ablated.put(set.getKey(), Perplexity.perGroup(model, texts, langs, set.getValue()));
            if (request.getRandomBaselineSeed() != null) {
                int[] ids = randomNeurons(request.getRandomBaselineSeed(), set.getValue().size(), c.numNeurons());
                random.put(set.getKey(), Perplexity.perGroup(model, texts, langs,
                        Ablation.ofFlatIds(ids, c.numLayers(), c.intermediateSize())));
            }
        }
        Map<String, Double> baselinePpl = new TreeMap<>();
        Map<String, Long> predicted = new TreeMap<>();
        baseline.forEach((lang, t) -> {
            baselinePpl.put(lang, t.perplexity());
            predicted.put(lang, t.predicted());
        });
        return AblationResult.newBuilder()
                .setRequestId(request.getRequestId())
                .setCheckpointId(request.getCheckpointId())
                .setBaseline(baselinePpl)
                .setAblated(ablated)
                .setRandomBaseline(random)
                .setPredictedTokens(predicted)
                .setComputedAt(Instant.ofEpochMilli(System.currentTimeMillis()))
                .build();
    }

    /**
     * {@code count} distinct neuron ids drawn uniformly from {@code [0, neurons)}: the first {@code count} steps of a
     * Fisher–Yates shuffle driven by {@code new java.util.Random(seed)}, so a recorded seed reproduces the set.
     */
    static int[] randomNeurons(long seed, int count, int neurons) {
        if (count > neurons) {
            throw new IllegalArgumentException(count + " random neurons requested from " + neurons);
        }
        int[] ids = new int[neurons];
        for (int i = 0; i < neurons; i++) {
            ids[i] = i;
        }
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(neurons - i);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        return Arrays.copyOf(ids, count);
    }
}
