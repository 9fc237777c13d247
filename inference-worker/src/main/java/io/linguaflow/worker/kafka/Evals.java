package io.linguaflow.worker.kafka;

import io.linguaflow.schemas.avro.EvalRequest;
import io.linguaflow.schemas.avro.EvalResult;
import io.linguaflow.schemas.avro.EvalSample;
import io.linguaflow.checkpoint.ModelConfig;
import io.linguaflow.worker.eval.XStoryCloze;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.MultipleChoice;
import io.linguaflow.worker.runtime.MultipleChoice.Question;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Answers an {@link EvalRequest}: zero-shot multiple-choice accuracy per language (lm-eval-harness {@code acc}, as
 * the {@code eval} command computes it: {@link XStoryCloze#read(Path, String, int, boolean)}, monolingual or
 * cross-lingual as the request says, then {@link MultipleChoice#logLikelihoods}), with the request's neurons zeroed
 * at every token. The result carries the request's {@code crossLingual} and {@code region}, and each item's
 * log-likelihoods and label when it asked for {@code samples}. The items are read before the model is loaded
 * ({@link #questions}), so a request naming missing data (or a story without an English counterpart) costs no load.
 */
final class Evals {

    /** The tasks a worker can serve, by their {@code EvalRequest.task} name; each needs {@code --eval-data TASK=DIR}. */
    static final Set<String> TASKS = Set.of(XStoryCloze.TASK);

    private Evals() {
    }

    /** How dead letters and logs name a request. */
    static String describe(EvalRequest request) {
        return "eval request '" + request.getRequestId() + "' (checkpoint '" + request.getCheckpointId() + "')";
    }

    /**
     * The items of every requested language (the first {@code limit} of each), in request order.
     *
     * @param evalData the worker's data folder per task ({@link WorkerSettings#evalData()})
     * @throws RejectedRequestException for an unknown task, a task without configured data, no or repeated
     *                                  languages, a non-positive limit, a language without a data file, a bad file
     */
    static Map<String, List<Question>> questions(EvalRequest request, Map<String, Path> evalData)
            throws RejectedRequestException {
        String where = describe(request);
        String task = request.getTask();
        if (!TASKS.contains(task)) {
            throw new RejectedRequestException(where + ": unknown task '" + task + "' (this worker knows " + TASKS + ")");
        }
        Path dir = evalData.get(task);
        if (dir == null) {
            throw new RejectedRequestException(where + ": no data configured for task '" + task + "' on this worker "
                    + "(start it with --eval-data " + task + "=DIR)");
        }
        if (request.getLanguages().isEmpty()) {
            throw new RejectedRequestException(where + ": no languages given");
        }
        Integer limit = request.getLimit();
        if (limit != null && limit <= 0) {
            throw new RejectedRequestException(where + ": limit must be positive, got " + limit);
        }
        Map<String, List<Question>> out = new LinkedHashMap<>();
        for (String lang : request.getLanguages()) {
            if (out.containsKey(lang)) {
                throw new RejectedRequestException(where + ": language '" + lang + "' is given twice");
            }
            try {
                out.put(lang, XStoryCloze.read(dir, lang, limit == null ? 0 : limit, request.getCrossLingual()));
            } catch (IOException e) {
                throw new RejectedRequestException(where + ": " + e.getMessage(), e);
            }
            if (out.get(lang).isEmpty()) {
                throw new RejectedRequestException(where + ": " + XStoryCloze.file(dir, lang) + " has no items");
            }
        }
        return out;
    }

    /**
     * Scores the items on the loaded model of the request's checkpoint.
     *
     * @throws RejectedRequestException when an ablated neuron id is outside the model
     */
    static EvalResult compute(LanguageModel model, EvalRequest request, Map<String, List<Question>> questions)
            throws RejectedRequestException {
        ModelConfig c = model.config();
        Ablation ablation;
        try {
            ablation = Ablation.ofFlatIds(request.getAblate().stream().mapToInt(Integer::intValue).toArray(),
                    c.numLayers(), c.intermediateSize());
        } catch (IllegalArgumentException e) {
            throw new RejectedRequestException(describe(request) + ": ablate: " + e.getMessage(), e);
        }
        Map<String, Double> accuracy = new TreeMap<>();
        Map<String, Integer> items = new TreeMap<>();
        Map<String, List<EvalSample>> samples = new TreeMap<>();
        questions.forEach((lang, qs) -> {
            double[][] loglik = MultipleChoice.logLikelihoods(model, qs, ablation);
            accuracy.put(lang, MultipleChoice.accuracy(qs, loglik));
            items.put(lang, qs.size());
            if (request.getSamples()) {
                List<EvalSample> list = new ArrayList<>(qs.size());
                for (int q = 0; q < qs.size(); q++) {
                    list.add(new EvalSample(qs.get(q).id(), Arrays.stream(loglik[q]).boxed().toList(), qs.get(q).gold()));
                }
                samples.put(lang, list);
            }
        });
        return EvalResult.newBuilder()
                .setRequestId(request.getRequestId())
                .setCheckpointId(request.getCheckpointId())
                .setTask(request.getTask())
                .setAccuracy(accuracy)
                .setItems(items)
                .setCrossLingual(request.getCrossLingual())
                .setRegion(request.getRegion())
                .setSamples(samples)
                .setComputedAt(Instant.ofEpochMilli(System.currentTimeMillis()))
                .build();
    }
}
