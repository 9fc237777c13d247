package io.linguaflow.worker.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.linguaflow.checkpoint.CheckpointException;
import io.linguaflow.checkpoint.ModelConfig;
import io.linguaflow.worker.model.CausalLM;
import io.linguaflow.worker.model.Checkpoint;
import io.linguaflow.worker.model.MlpHook;
import io.linguaflow.worker.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A checkpoint loaded for inference: tokenizer + forward pass + pooling, on CPU or GPU. This is the API the
 * batch commands and the Kafka worker call. Not thread-safe: one model per worker thread.
 *
 * <pre>{@code
 * try (LanguageModel m = LanguageModel.load(dir, Device.cpu())) {
 *     List<SampleActivations> acts = m.activations(texts, Ablation.none(), true);
 * }
 * }</pre>
 */
public final class LanguageModel implements AutoCloseable {

    /** Most float64 log-probabilities materialised at once when gathering target-token NLL (256 MiB). */
    private static final long LOGIT_BLOCK = 1L << 25;

    private final NDManager manager;
    private final CausalLM model;
    private final TextTokenizer tokenizer;
    private final RuntimeOptions options;
    private final Path dir;
    private int leadingSpecial = -1;

    private LanguageModel(NDManager manager, CausalLM model, TextTokenizer tokenizer, RuntimeOptions options, Path dir) {
        this.dir = dir;
        this.manager = manager;
        this.model = model;
        this.tokenizer = tokenizer;
        this.options = options;
    }

    /** Loads {@code dir} (config.json, safetensors, tokenizer.json) with the default options. */
    public static LanguageModel load(Path dir, Device device) throws CheckpointException {
        return load(dir, device, RuntimeOptions.DEFAULT);
    }

    /**
     * Loads a checkpoint directory. Every tensor is validated against config.json before any weight is loaded.
     *
     * @throws CheckpointException naming the file (and tensor) that is missing, mis-shaped, truncated or unsupported
     */
    public static LanguageModel load(Path dir, Device device, RuntimeOptions options) throws CheckpointException {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir, Files.exists(dir) ? "is not a directory (a model is a checkpoint directory)"
                    : "model directory does not exist");
        }
        TextTokenizer tok = TextTokenizer.load(dir);
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            tok.checkIdsBelow(ckpt.config().vocabSize(), dir.resolve("config.json"));
            Engine engine = Engine.getEngine("PyTorch");
            if (options.threads() > 0) {
                JniUtils.setNumThreads(options.threads());
            }
            NDManager manager = engine.newBaseManager(device);
            try {
                return new LanguageModel(manager, CausalLM.load(ckpt, manager), tok, options, dir);
            } catch (CheckpointException | RuntimeException e) {
                manager.close();
                throw e;
            }
        } catch (CheckpointException | RuntimeException e) {
            tok.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return model.config();
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public RuntimeOptions options() {
        return options;
    }

    /** The checkpoint directory it was loaded from (for its other files, e.g. the generation config). */
    public Path dir() {
        return dir;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** libtorch intra-op threads in use. */
    public static int threads() {
        return JniUtils.getNumThreads();
    }

    /** Token ids of each text, as {@link TextTokenizer#encode} gives them. */
    public List<long[]> encode(List<String> texts) {
        List<long[]> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(tokenizer.encode(t));
        }
        return out;
    }

    /**
     * Pooled activations of each text (in input order), optionally with its next-token NLL.
     *
     * @param ablation neurons zeroed at every token ({@link Ablation#none()} for the plain model)
     * @param withNll  also compute the token NLL (runs the LM head on the predicted positions only)
     */
    public List<SampleActivations> activations(List<String> texts, Ablation ablation, boolean withNll) {
        return activationsOfIds(encode(texts), ablation, withNll);
    }

    /**
     * As {@link #activations} for already-encoded samples; the maxima and sampled token vectors of
     * {@link RuntimeOptions#capture()} are captured in the same pass.
     */
    public List<SampleActivations> activationsOfIds(List<long[]> ids, Ablation ablation, boolean withNll) {
        Scored[] r = run(ids, ablation, true, withNll, false);
        ModelConfig c = config();
        List<SampleActivations> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            int n = ids.get(i).length;
            float[][] means = new float[c.numLayers()][c.intermediateSize()];
            double[] layerNorms = new double[c.numLayers()];
            double total = 0;
            for (int l = 0; l < c.numLayers(); l++) {
                double sq = 0;
                for (int d = 0; d < c.intermediateSize(); d++) {
                    double mean = r[i].sums[l][d] / n; // h̄ᵐ_d = (1/n) Σ_t h_t,d
                    means[l][d] = (float) mean;
                    sq += mean * mean;
                }
                layerNorms[l] = Math.sqrt(sq);
                total += sq;
            }
            double nll = withNll ? sum(r[i].tokenNll) : 0;
            out.add(new SampleActivations(ids.get(i), means, r[i].positives, layerNorms, Math.sqrt(total), nll,
                    withNll ? n - 1 : 0, r[i].maxima, r[i].tokens));
        }
        return out;
    }

    /**
     * Next-token NLL of every predicted position: {@code nll[t] = −log p(ids[t+1] | ids[0..t])}, t = 0..n−2,
     * from float64 log-softmax of the float32 logits. Full-vocabulary logits exist only for a block of positions.
     */
    public List<double[]> tokenNll(List<long[]> ids, Ablation ablation) {
        Scored[] r = run(ids, ablation, false, true, false);
        List<double[]> out = new ArrayList<>(ids.size());
        for (Scored s : r) {
            out.add(s.tokenNll);
        }
        return out;
    }

    /** Float32 logits at the last position of each sample (for parity checks and next-token use). */
    public List<float[]> lastTokenLogits(List<long[]> ids) {
        return lastTokenLogits(ids, Ablation.none());
    }

    /** As {@link #lastTokenLogits(List)} with neurons zeroed at every token (generation after deactivation). */
    public List<float[]> lastTokenLogits(List<long[]> ids, Ablation ablation) {
        Scored[] r = run(ids, ablation, false, false, true);
        List<float[]> out = new ArrayList<>(ids.size());
        for (Scored s : r) {
            out.add(s.lastLogits);
        }
        return out;
    }

    private static double sum(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s;
    }

    /** Per-sample outputs of one batched pass. */
    private static final class Scored {
        double[][] sums;
        int[][] positives;
        double[] tokenNll;
        float[] lastLogits;
        float[][] maxima;
        TokenSample tokens;
    }

    private Scored[] run(List<long[]> ids, Ablation ablation, boolean pool, boolean nll, boolean lastLogits) {
        ModelConfig c = config();
        ablation.requireShape(c.numLayers(), c.intermediateSize());
        int[] lengths = new int[ids.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = ids.get(i).length;
            if (lengths[i] == 0) {
                throw new IllegalArgumentException("sample " + i + " has no tokens (empty text?)");
            }
        }
        Scored[] out = new Scored[ids.size()];
        for (int[] batch : Batches.plan(lengths, options.batchSize(), options.tokenBudget(),
                Batches.passCost(device(), options.tokenBudget()))) {
            try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
                scope.suppressNotUsedWarning();
                runBatch(m, ids, batch, ablation, pool, nll, lastLogits, out);
            }
        }
        return out;
    }

    private void runBatch(NDManager m, List<long[]> ids, int[] batch, Ablation ablation, boolean pool, boolean nll,
                          boolean lastLogits, Scored[] out) {
        ModelConfig c = config();
        int b = batch.length;
        int t = 0;
        for (int i : batch) {
            t = Math.max(t, ids.get(i).length);
        }
        // right padding: real tokens at positions 0..n-1 of each row, as in an unpadded run
        long[] flatIds = new long[b * t];
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            long[] s = ids.get(batch[r]);
            System.arraycopy(s, 0, flatIds, r * t, s.length);
            lengths[r] = s.length;
        }
        Capture capture = options.capture();
        int[][] sampled = null;
        if (pool && capture.tokens()) {
            sampled = new int[b][];
            for (int r = 0; r < b; r++) {
                sampled[r] = TokenSample.positions(ids.get(batch[r]), leadingSpecialTokens(), capture.tokensPerSample(),
                        capture.tokenSeed());
            }
        }
        PoolingHook hook = pool || !ablation.isEmpty()
                ? new PoolingHook(m, lengths, t, ablation, c.numLayers(), pool, capture, sampled,
                        capture.maxima() ? leadingSpecialTokens() : 0) : null;
        NDArray hidden = model.forward(m.create(flatIds, new Shape(b, t)), lengths, hook == null ? MlpHook.NONE : hook)
                .reshape((long) b * t, c.hiddenSize());

        for (int r = 0; r < b; r++) {
            out[batch[r]] = new Scored();
        }
        if (pool) {
            // one transfer per statistic: [B, L, D] (the per-layer [B, 1, D] results side by side)
            int d = c.intermediateSize();
            int layers = c.numLayers();
            double[] sums = NDArrays.concat(new NDList(hook.sums), 1).toDoubleArray();
            long[] pos = NDArrays.concat(new NDList(hook.positives), 1).toLongArray();
            for (int r = 0; r < b; r++) {
                Scored s = out[batch[r]];
                s.sums = new double[layers][];
                s.positives = new int[layers][d];
                for (int l = 0; l < layers; l++) {
                    int base = (r * layers + l) * d;
                    s.sums[l] = Arrays.copyOfRange(sums, base, base + d);
                    for (int k = 0; k < d; k++) {
                        s.positives[l][k] = (int) pos[base + k];
                    }
                }
            }
            if (capture.maxima()) {
                float[] max = NDArrays.concat(new NDList(hook.maxima), 1).toFloatArray(); // [B, L, D]
                for (int r = 0; r < b; r++) {
                    float[][] x = new float[layers][];
                    for (int l = 0; l < layers; l++) {
                        int base = (r * layers + l) * d;
                        x[l] = Arrays.copyOfRange(max, base, base + d);
                    }
                    out[batch[r]].maxima = x;
                }
            }
            if (capture.tokens()) {
                collectTokens(hook, sampled, batch, layers, out);
            }
        }
        if (nll) {
            gatherNll(m, hidden, ids, batch, t, out);
        }
        if (lastLogits) {
            long[] last = new long[b];
            for (int r = 0; r < b; r++) {
                last[r] = (long) r * t + ids.get(batch[r]).length - 1;
            }
            NDArray logits = model.logits(hidden.get(new NDIndex("{}", m.create(last))));
            float[] all = logits.toFloatArray();
            int v = c.vocabSize();
            for (int r = 0; r < b; r++) {
                out[batch[r]].lastLogits = Arrays.copyOfRange(all, r * v, (r + 1) * v);
            }
        }
    }

    /** Splits each layer's {@code [S, W]} sampled-token vectors into the rows' {@link TokenSample}s. */
    private static void collectTokens(PoolingHook hook, int[][] sampled, int[] batch, int layers, Scored[] out) {
        float[][] perLayer = new float[layers][];
        for (int l = 0; l < layers; l++) {
            perLayer[l] = hook.tokens[l].toFloatArray();
        }
        int w = Math.toIntExact(hook.tokens[0].getShape().get(1));
        int start = 0;
        for (int r = 0; r < batch.length; r++) {
            int n = sampled[r].length;
            float[][] v = new float[layers][];
            for (int l = 0; l < layers; l++) {
                v[l] = Arrays.copyOfRange(perLayer[l], start * w, (start + n) * w);
            }
            out[batch[r]].tokens = new TokenSample(sampled[r], v, w);
            start += n;
        }
    }

    private int leadingSpecialTokens() {
        if (leadingSpecial < 0) {
            leadingSpecial = tokenizer.leadingSpecialTokens();
        }
        return leadingSpecial;
    }

    /** −log softmax(logits)[target] at every predicted position, a block of positions at a time. */
    private void gatherNll(NDManager m, NDArray hidden, List<long[]> ids, int[] batch, int t, Scored[] out) {
        int total = 0;
        for (int i : batch) {
            total += ids.get(i).length - 1;
        }
        long[] rows = new long[total];
        long[] targets = new long[total];
        int k = 0;
        for (int r = 0; r < batch.length; r++) {
            long[] s = ids.get(batch[r]);
            for (int p = 0; p + 1 < s.length; p++) {
                rows[k] = (long) r * t + p;
                targets[k++] = s[p + 1];
            }
        }
        double[] nll = new double[total];
        int block = (int) Math.max(1, LOGIT_BLOCK / config().vocabSize());
        for (int start = 0; start < total; start += block) {
            int n = Math.min(block, total - start);
            long[] rowIdx = Arrays.copyOfRange(rows, start, start + n);
            long[] tgt = Arrays.copyOfRange(targets, start, start + n);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray logp = model.logits(hidden.get(new NDIndex("{}", m.create(rowIdx))))
                        .toType(DataType.FLOAT64, false).logSoftmax(1);
                double[] lp = logp.gather(m.create(tgt, new Shape(n, 1)), 1).toDoubleArray();
                for (int i = 0; i < n; i++) {
                    nll[start + i] = -lp[i];
                }
            }
        }
        k = 0;
        for (int r = 0; r < batch.length; r++) {
            int n = ids.get(batch[r]).length - 1;
            out[batch[r]].tokenNll = Arrays.copyOfRange(nll, k, k + n);
            k += n;
        }
    }

    @Override
    public void close() {
        model.close();
        manager.close();
        tokenizer.close();
    }
}
