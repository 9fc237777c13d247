package io.linguaflow.analysis.similarity;

import io.linguaflow.analysis.batch.ModelNorms;
import io.linguaflow.analysis.batch.VectorSource;
import io.linguaflow.analysis.corpus.Corpus;
import io.linguaflow.analysis.stats.LayerVector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The N×N similarity map S_ij = aᵢ·aⱼ (Zeng et al. 2025 §3.1; docs/math.md §8), accumulated layer by layer
 * as Σ_m h̄ᵢᵐ·h̄ⱼᵐ / (‖h̄ᵢ‖‖h̄ⱼ‖), so only one layer block [N, D] is held at a time, plus the block means
 * by language and by meaning. This is the brute-force O(N²·M·D) object the incremental metrics avoid;
 * it exists for plots and checks.
 *
 * <p>{@link #layerBlock} is the unit of work: one layer's block, computed wherever that layer's vectors are (the
 * streams instance that owns the layer's partition), shipped as {@link #upperTriangle()} bytes and summed with
 * {@link #plus} where the whole-model map is wanted.
 */
public final class SimilarityMap {

    /** Neurons per pass of {@link #layerBlock}: 512 doubles = 4 KB a row, 3.6 MB for 900 rows. */
    private static final int CHUNK = 512;

    private final double[][] s;

    private SimilarityMap(double[][] s) {
        this.s = s;
    }

    /** A map of the given full, square matrix (not copied); for readers of stored maps. */
    static SimilarityMap of(double[][] s) {
        return new SimilarityMap(s);
    }

    /** Whole-model map of all rows of {@code vectors}: the sum of the layers' blocks in the whole-model normalisation. */
    public static SimilarityMap wholeModel(VectorSource vectors) throws IOException {
        double[] norms = ModelNorms.of(vectors, null);
        SimilarityMap sum = layerBlock(slices(vectors, 0), norms);
        for (int m = 1; m < vectors.layers(); m++) {
            sum = sum.plus(layerBlock(slices(vectors, m), norms));
        }
        return sum;
    }

    /** Map of one layer in the per-layer normalisation, S_ij = aᵢᵐ·aⱼᵐ. */
    public static SimilarityMap layer(VectorSource vectors, int layer) throws IOException {
        double[][] v = slices(vectors, layer);
        double[] norms = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            norms[i] = LayerVector.norm(v[i]);
        }
        return layerBlock(v, norms);
    }

    private static double[][] slices(VectorSource vectors, int m) throws IOException {
        double[][] v = new double[vectors.samples()][];
        for (int i = 0; i < v.length; i++) {
            v[i] = vectors.slice(i, m);
        }
        return v;
    }

    /**
     * One layer's block B_ij = (h̄ᵢᵐ/nᵢ)·(h̄ⱼᵐ/nⱼ) (docs/math.md §8): with nᵢ = ‖h̄ᵢᵐ‖ it is the per-layer map, with
     * the whole-model norms nᵢ = ‖[h̄ᵢ¹|…|h̄ᵢᴹ]‖ it is layer m's summand of the whole-model map. The inputs are not
     * modified.
     *
     * @param slices h̄ᵢᵐ of every sample, all of the same length D
     * @param norms  nᵢ, finite and &gt; 0
     */
    public static SimilarityMap layerBlock(double[][] slices, double[] norms) {
        int n = slices.length;
        if (n == 0 || norms.length != n) {
            throw new IllegalArgumentException("a layer block needs one norm per slice and at least one slice, got "
                    + n + " slices and " + norms.length + " norms");
        }
        double[][] unit = new double[n][];
        for (int i = 0; i < n; i++) {
            if (slices[i].length != slices[0].length) {
                throw new IllegalArgumentException("slice " + i + " has " + slices[i].length + " values, slice 0 has " + slices[0].length);
            }
            if (!(norms[i] > 0) || !Double.isFinite(norms[i])) {
                throw new IllegalArgumentException("norm of slice " + i + " must be finite and > 0, got " + norms[i]);
            }
            unit[i] = new double[slices[i].length];
            for (int k = 0; k < unit[i].length; k++) {
                unit[i][k] = slices[i][k] / norms[i];
            }
        }
        double[][] s = new double[n][n];
        // O(N²·D): seconds for 900 samples x 16384 neurons. Neurons in chunks that keep all N rows' chunk in cache, rows
        // in parallel; each entry is a fixed sequence of chunk dots, so the result does not depend on the thread count.
        int d = unit[0].length;
        for (int chunk = 0; chunk < d; chunk += CHUNK) {
            int from = chunk;
            int to = Math.min(d, from + CHUNK);
            IntStream.range(0, n).parallel().forEach(i -> {
                for (int j = i; j < n; j++) {
                    s[i][j] += dot(unit[i], unit[j], from, to);
                }
            });
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                s[i][j] = s[j][i];
            }
        }
        return new SimilarityMap(s);
    }

    /** The element-wise sum; whole model: Σ_m of the layers' blocks (aᵢ·aⱼ = Σ_m h̄ᵢᵐ·h̄ⱼᵐ/(‖h̄ᵢ‖‖h̄ⱼ‖)). */
    public SimilarityMap plus(SimilarityMap other) {
        if (other.size() != size()) {
            throw new IllegalArgumentException("cannot add a " + other.size() + "x" + other.size() + " map to a " + size() + "x" + size() + " map");
        }
        int n = s.length;
        double[][] sum = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                sum[i][j] = s[i][j] + other.s[i][j];
            }
        }
        return new SimilarityMap(sum);
    }

    /** The upper triangle i ≤ j, row-major, as N(N+1)/2 little-endian float64 (the map is symmetric). */
    public byte[] upperTriangle() {
        int n = s.length;
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(8L * n * (n + 1) / 2)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                b.putDouble(s[i][j]);
            }
        }
        return b.array();
    }

    /**
     * Reads {@link #upperTriangle()} bytes.
     *
     * @param source names the bytes in error messages (e.g. the instance and layer they came from)
     */
    public static SimilarityMap fromUpperTriangle(byte[] bytes, String source) {
        long values = bytes.length / 8;
        int n = (int) Math.round((Math.sqrt(8.0 * values + 1) - 1) / 2);
        if (bytes.length % 8 != 0 || values == 0 || (long) n * (n + 1) / 2 != values) {
            throw new IllegalArgumentException(source + ": " + bytes.length
                    + " bytes are not the upper triangle of a square float64 matrix (N(N+1)/2 x 8 bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        double[][] s = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                s[i][j] = b.getDouble();
                s[j][i] = s[i][j];
            }
        }
        return new SimilarityMap(s);
    }

    /** Dot product with four accumulators (the JIT cannot reorder a single float64 reduction). */
    public static double dot(double[] a, double[] b) {
        return dot(a, b, 0, a.length);
    }

    /** The same over elements [from, to). */
    private static double dot(double[] a, double[] b, int from, int to) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = from;
        for (; k + 3 < to; k += 4) {
            s0 += a[k] * b[k];
            s1 += a[k + 1] * b[k + 1];
            s2 += a[k + 2] * b[k + 2];
            s3 += a[k + 3] * b[k + 3];
        }
        for (; k < to; k++) {
            s0 += a[k] * b[k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    public int size() {
        return s.length;
    }

    public double get(int i, int j) {
        return s[i][j];
    }

    /** Row-major copy, for writing as .npy. */
    public double[] flatten() {
        int n = s.length;
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(s[i], 0, out, i * n, n);
        }
        return out;
    }

    /**
     * L×L block means: B[l][l'] = mean S_ij over i ≠ j with lang(i) = l, lang(j) = l' and different meanings
     * (the authors' masked blocks; the diagonal holds the SL mean per language). NaN where no pair exists.
     */
    public double[][] blockMeansByLanguage(Corpus corpus) {
        return blockMeans(corpus, corpus.languages(), true);
    }

    /**
     * S×S block means: B[s][s'] = mean S_ij over i ≠ j with meaning(i) = s, meaning(j) = s' and different
     * languages (the diagonal holds the SM mean per meaning). NaN where no pair exists.
     */
    public double[][] blockMeansByMeaning(Corpus corpus) {
        return blockMeans(corpus, corpus.meanings(), false);
    }

    private double[][] blockMeans(Corpus corpus, List<String> groups, boolean byLanguage) {
        if (corpus.size() != s.length) {
            throw new IllegalArgumentException(corpus.source() + " has " + corpus.size() + " samples, the map has " + s.length);
        }
        int g = groups.size();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < g; i++) {
            index.put(groups.get(i), i);
        }
        double[][] sum = new double[g][g];
        long[][] count = new long[g][g];
        for (int i = 0; i < s.length; i++) {
            Corpus.Row a = corpus.row(i);
            int gi = index.get(byLanguage ? a.lang() : a.id());
            for (int j = 0; j < s.length; j++) {
                Corpus.Row b = corpus.row(j);
                boolean excluded = byLanguage ? a.id().equals(b.id()) : a.lang().equals(b.lang());
                if (i != j && !excluded) {
                    int gj = index.get(byLanguage ? b.lang() : b.id());
                    sum[gi][gj] += s[i][j];
                    count[gi][gj]++;
                }
            }
        }
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < g; j++) {
                sum[i][j] = count[i][j] == 0 ? Double.NaN : sum[i][j] / count[i][j];
            }
        }
        return sum;
    }
}
