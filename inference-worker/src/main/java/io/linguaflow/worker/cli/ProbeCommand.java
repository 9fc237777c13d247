package io.linguaflow.worker.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.linguaflow.analysis.probes.LanguageProbe;
import io.linguaflow.analysis.probes.ProbeJson;
import io.linguaflow.worker.runtime.Ablation;
import io.linguaflow.worker.runtime.Capture;
import io.linguaflow.worker.runtime.LanguageModel;
import io.linguaflow.worker.runtime.SampleActivations;
import io.linguaflow.worker.runtime.TokenSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code linguaflow probe}: language-identification probes per layer of a checkpoint (Riemenschneider &amp; Frank
 * 2025), on a seeded sample of token vectors per sentence; the math is {@link LanguageProbe}.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {
            "Language-identification probes: per layer, a multinomial logistic regression (Tribuo) predicts the language",
            "of sampled tokens from their hidden state; k-fold cross-validated accuracy (folds by sentence, stratified by",
            "language) for each seed, mean and standard deviation over seeds. Holds N*T*layers*W float32 in memory."})
public final class ProbeCommand implements Callable<Integer> {

    /** Rows per forward-pass chunk. */
    private static final int CHUNK = 256;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--corpus", required = true, paramLabel = "C.tsv", description = "TSV with header id, lang, text")
    Path corpus;

    @Option(names = "--out", required = true, paramLabel = "P.json", description = "output JSON file")
    Path out;

    @Option(names = "--tokens-per-sentence", paramLabel = "T", defaultValue = "4",
            description = "tokens sampled per sentence, uniformly without replacement, BOS excluded (default ${DEFAULT-VALUE})")
    int tokensPerSentence;

    @Option(names = "--token-seed", paramLabel = "SEED", defaultValue = "1", description = "seed of the token sample (default ${DEFAULT-VALUE})")
    long tokenSeed;

    @Option(names = "--token-source", paramLabel = "block_output|mlp_activation", defaultValue = "block_output",
            description = "the token's vector: the layer's hidden state (default) or its MLP activation")
    String tokenSource;

    @Option(names = "--layers", split = ",", paramLabel = "M", description = "layers to probe (0-based; default all)")
    List<Integer> layers;

    @Option(names = "--folds", defaultValue = "5", description = "k of the k-fold cross-validation (default ${DEFAULT-VALUE})")
    int folds;

    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "one cross-validation per seed (default ${DEFAULT-VALUE})")
    List<Long> seeds;

    @Option(names = "--epochs", defaultValue = "10", description = "SGD epochs (default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--learning-rate", defaultValue = "1.0", description = "AdaGrad initial learning rate (default ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--no-standardise", description = "train on raw features (default: z-scored with the training fold's statistics)")
    boolean noStandardise;

    @Override
    public Integer call() throws Exception {
        return Cli.run(() -> {
            io.linguaflow.analysis.corpus.Corpus c = Corpus.read(corpus);
            LanguageProbe.Options options = new LanguageProbe.Options(folds, seeds, epochs, learningRate, !noStandardise);
            if (tokensPerSentence < 1) {
                throw new IllegalArgumentException("--tokens-per-sentence must be >= 1, got " + tokensPerSentence);
            }
            Capture capture = Capture.NONE.withTokens(tokensPerSentence, tokenSeed, CaptureOptions.source(tokenSource));
            long t0 = System.nanoTime();
            try (LanguageModel m = modelOptions.load(capture)) {
                int[] probed = probedLayers(m.config().numLayers());
                List<List<float[]>> features = new ArrayList<>();
                Arrays.stream(probed).forEach(l -> features.add(new ArrayList<>()));
                List<String> langs = new ArrayList<>();
                List<Integer> sentences = new ArrayList<>();
                for (int start = 0; start < c.size(); start += CHUNK) {
                    int end = Math.min(c.size(), start + CHUNK);
                    List<SampleActivations> acts = m.activations(c.texts().subList(start, end), Ablation.none(), false);
                    for (int i = start; i < end; i++) {
                        TokenSample s = acts.get(i - start).tokenSample();
                        for (int p = 0; p < s.positions().length; p++) {
                            for (int j = 0; j < probed.length; j++) {
                                float[] v = s.vectors()[probed[j]];
                                features.get(j).add(Arrays.copyOfRange(v, p * s.width(), (p + 1) * s.width()));
                            }
                            langs.add(c.langs().get(i));
                            sentences.add(i);
                        }
                    }
                }
                int[] sentenceIds = sentences.stream().mapToInt(Integer::intValue).toArray();
                List<LanguageProbe.LayerResult> results = new ArrayList<>();
                for (int j = 0; j < probed.length; j++) {
                    LanguageProbe.Tokens t = new LanguageProbe.Tokens(features.get(j).toArray(new float[0][]), langs,
                            sentenceIds);
                    features.set(j, null); // free the layer once its tokens are wrapped
                    LanguageProbe.LayerResult r = LanguageProbe.crossValidate(probed[j], t, options, corpus.toString());
                    System.err.printf("probe: layer %d accuracy %.4f +- %.4f%n", r.layer(), r.accuracyMean(), r.accuracyStd());
                    results.add(r);
                }
                ObjectNode json = ProbeJson.toJson(results, options);
                ObjectNode o = (ObjectNode) json.get("options");
                o.put("tokens_per_sentence", tokensPerSentence);
                o.put("token_seed", tokenSeed);
                o.put("token_source", capture.tokenSource().name().toLowerCase(java.util.Locale.ROOT));
                json.put("tokens", langs.size());
                json.put("sentences", c.size());
                c.languages().forEach(json.putArray("languages")::add);
                ProbeJson.write(json, out);
                System.err.printf("probe: %d layers, %d tokens of %d sentences, %.1f s -> %s%n", probed.length,
                        langs.size(), c.size(), (System.nanoTime() - t0) / 1e9, out);
            }
            return 0;
        });
    }

    private int[] probedLayers(int count) {
        if (layers == null || layers.isEmpty()) {
            int[] all = new int[count];
            Arrays.setAll(all, i -> i);
            return all;
        }
        for (int l : layers) {
            if (l < 0 || l >= count) {
                throw new IllegalArgumentException("--layers " + l + ": the model has layers 0.." + (count - 1));
            }
        }
        return layers.stream().mapToInt(Integer::intValue).toArray();
    }
}
