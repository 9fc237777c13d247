package io.linguaflow.streams.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.linguaflow.analysis.batch.AnalysisOptions;
import io.linguaflow.analysis.batch.AnalysisResult;
import io.linguaflow.analysis.batch.Analyzer;
import io.linguaflow.analysis.batch.ArrayVectors;
import io.linguaflow.analysis.batch.NpyVectors;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.corpus.CorpusTsv;
import io.linguaflow.analysis.io.Npy;
import io.linguaflow.analysis.neurontypes.ActivationProbabilities;
import io.linguaflow.analysis.similarity.SimilarityMap;
import io.linguaflow.analysis.stats.LayerVector;
import io.linguaflow.analysis.testkit.SharedData;
import io.linguaflow.schemas.Keys;
import io.linguaflow.schemas.avro.ActivationRecord;
import io.linguaflow.schemas.avro.CheckpointEvent;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.streams.avro.CheckpointPlan;
import io.linguaflow.streams.common.PlannedSamples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The bloom-tiny reference kit as the worker would publish it: the 450 corpus rows as {@link Sentence}s and the raw
 * pooled means of {@code layer_means.npy} [450, L, D] as one {@link ActivationRecord} per (sample, layer), values in
 * float32 as on the wire. The fixture has no positive-activation counts, so the records carry synthetic ones
 * (deterministic per sample and layer); neuron types are checked against {@code analysis.neurontypes} on the same counts.
 */
public final class Fixture {

    public static final String MODEL = "bloom-tiny";
    public static final String CORPUS = "fixture";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Fixture loaded;

    public final Corpus corpus;
    public final JsonNode reference;
    public final int layers;
    public final int neurons;
    /** [N][L·D], float32-rounded raw means, layer-major. */
    private final double[][] rows;
    private final int[] tokens;

    private Fixture(Corpus corpus, JsonNode reference, double[][] rows, int layers, int[] tokens) {
        this.corpus = corpus;
        this.reference = reference;
        this.rows = rows;
        this.layers = layers;
        this.neurons = rows[0].length / layers;
        this.tokens = tokens;
    }

    /** Loads the kit once per JVM; skips the test (loudly) when ../shared is absent. */
    public static synchronized Fixture load() {
        if (loaded == null) {
            Path dir = SharedData.require(SharedData.fixtures().resolve("reference").resolve(MODEL));
            try {
                Corpus corpus = CorpusTsv.read(SharedData.fixtures().resolve("corpus.tsv"));
                JsonNode ref = JSON.readTree(dir.resolve("reference.json").toFile());
                double[][] rows;
                try (Npy npy = Npy.open(dir.resolve("layer_means.npy"))) {
                    rows = new double[(int) npy.shape()[0]][];
                    for (int i = 0; i < rows.length; i++) {
                        double[] r = npy.row(i);
                        for (int k = 0; k < r.length; k++) {
                            r[k] = (float) r[k];
                        }
                        rows[i] = r;
                    }
                }
                int[] tokens = new int[rows.length];
                for (int i = 0; i < rows.length; i++) {
                    tokens[i] = ref.get("samples").get(i).get("n_tokens").asInt();
                }
                loaded = new Fixture(corpus, ref, rows, ref.at("/meta/n_layers").asInt(), tokens);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return loaded;
    }

    public int samples() {
        return rows.length;
    }

    public List<String> languages() {
        return corpus.languages();
    }

    public Sentence sentence(int i) {
        Corpus.Row r = corpus.row(i);
        return Sentence.newBuilder().setCorpus(CORPUS).setMeaningId(r.id()).setLang(r.lang()).setText(r.text()).setIndex(i)
                .setCorpusSize(samples()).setSource("corpus.tsv line " + r.line()).build();
    }

    public String sentenceKey(int i) {
        return Keys.sentence(CORPUS, corpus.row(i).lang(), corpus.row(i).id());
    }

    public CheckpointEvent checkpoint(String checkpointId, String contentHash) {
        return CheckpointEvent.newBuilder().setCheckpointId(checkpointId).setModel(MODEL).setStep(0L).setPath("/models/" + MODEL)
                .setContentHash(contentHash).setCorpus(CORPUS).setThreshold(2.0).setLfCompat(false).setArchitecture("bloom")
                .setLayers(layers).setNeuronsPerLayer(neurons).setLandedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    public CheckpointPlan plan(String checkpointId) {
        return PlannedSamples.ofRows(corpus.langs(), corpus.ids()).writeTo(CheckpointPlan.newBuilder())
                .setCheckpointId(checkpointId).setModel(MODEL).setStep(0L).setContentHash("hash")
                .setCorpus(CORPUS).setSamplesExpected(samples()).setLayers(layers).setThreshold(2.0)
                .setLfCompat(false).setBatches(1).setPlannedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }

    /** Index of the corpus row of sample (lang, meaning). */
    public int index(String lang, String meaningId) {
        for (int i = 0; i < samples(); i++) {
            if (corpus.row(i).lang().equals(lang) && corpus.row(i).id().equals(meaningId)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no sample (" + lang + ", " + meaningId + ")");
    }

    public double[] slice(int sample, int layer) {
        double[] out = new double[neurons];
        System.arraycopy(rows[sample], layer * neurons, out, 0, neurons);
        return out;
    }

    /** Synthetic, deterministic per-neuron positive counts of (sample, layer), in [0, tokens]. */
    public int[] positiveCounts(int sample, int layer) {
        SplittableRandom random = new SplittableRandom(31L * sample + layer);
        double[] h = slice(sample, layer);
        int t = tokens[sample];
        int[] out = new int[neurons];
        for (int k = 0; k < neurons; k++) {
            out[k] = h[k] > 0 ? t - random.nextInt(1 + t / 3) : random.nextInt(1 + t / 2);
        }
        return out;
    }

    public ActivationRecord record(String checkpointId, int i, int layer) {
        Corpus.Row r = corpus.row(i);
        double[] h = slice(i, layer);
        ByteBuffer values = ByteBuffer.allocate(4 * neurons).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : h) {
            values.putFloat((float) x);
        }
        ByteBuffer counts = ByteBuffer.allocate(4 * neurons).order(ByteOrder.LITTLE_ENDIAN);
        for (int c : positiveCounts(i, layer)) {
            counts.putInt(c);
        }
        return ActivationRecord.newBuilder().setCheckpointId(checkpointId).setCorpus(CORPUS).setSampleId(r.lang() + "|" + r.id())
                .setIndex(i).setLang(r.lang()).setMeaningId(r.id()).setLayer(layer).setLayers(layers).setNeuronsPerLayer(neurons)
                .setValues(values.flip()).setPositiveCounts(counts.flip()).setTokenCount(tokens[i])
                .setLayerNorm(LayerVector.norm(h)).setWholeModelNorm(LayerVector.norm(rows[i]))
                .setMeanNll(reference.get("samples").get(i).get("mean_nll").asDouble()).setWorker("fixture").build();
    }

    /** Every (sample, layer) record of a checkpoint, in a seeded random order. */
    public List<ActivationRecord> shuffledRecords(String checkpointId, long seed) {
        List<ActivationRecord> out = new ArrayList<>();
        for (int i = 0; i < samples(); i++) {
            for (int m = 0; m < layers; m++) {
                out.add(record(checkpointId, i, m));
            }
        }
        Collections.shuffle(out, new Random(seed));
        return out;
    }

    /** The float32-rounded raw means as the records carry them, [N][L·D]. */
    public ArrayVectors vectors() {
        return new ArrayVectors(rows, layers);
    }

    /** {@code <lang>|<meaningId>} of every sample, in corpus order. */
    public List<String> sampleIds() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < samples(); i++) {
            out.add(corpus.row(i).lang() + "|" + corpus.row(i).id());
        }
        return out;
    }

    /** reference/bloom-tiny/similarity.npy: the oracle's whole-model map [N][N] on the float64 means. */
    public double[][] referenceSimilarity() {
        try (Npy npy = Npy.open(SharedData.fixtures().resolve("reference").resolve(MODEL).resolve("similarity.npy"))) {
            double[][] out = new double[(int) npy.rows()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = npy.row(i);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The batch per-layer map ({@code SimilarityMap.layer}) of the oracle's float64 {@code layer_means.npy}. */
    public SimilarityMap referenceLayerMap(int layer) {
        try (NpyVectors v = NpyVectors.open(SharedData.fixtures().resolve("reference").resolve(MODEL).resolve("layer_means.npy"), null)) {
            return SimilarityMap.layer(v, layer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The batch analysis of the same float32 vectors (the analysis module's reference implementation). */
    public AnalysisResult batch() {
        try {
            return Analyzer.analyze(vectors(), corpus, AnalysisOptions.defaults());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Activation probabilities from the synthetic counts summed per language by brute force. */
    public ActivationProbabilities probabilities() {
        List<String> languages = languages();
        long[][] positive = new long[languages.size()][layers * neurons];
        long[] tokenSums = new long[languages.size()];
        for (int i = 0; i < samples(); i++) {
            int l = languages.indexOf(corpus.row(i).lang());
            for (int m = 0; m < layers; m++) {
                int[] c = positiveCounts(i, m);
                for (int k = 0; k < neurons; k++) {
                    positive[l][m * neurons + k] += c[k];
                }
            }
            tokenSums[l] += tokens[i];
        }
        // every layer of a sample counts the same tokens, so a language's token total is per layer
        return ActivationProbabilities.fromCounts("fixture", languages, layers, neurons, positive, tokenSums);
    }

    /** reference.json analysis.key_neurons.indices of one language. */
    public List<Integer> referenceKeyNeurons(String lang) {
        List<Integer> out = new ArrayList<>();
        reference.at("/analysis/key_neurons/indices/" + lang).forEach(n -> out.add(n.asInt()));
        return out;
    }
}
