package io.linguaflow.analysis.stats;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;

/**
 * Sufficient statistics of one group of samples (a language, a meaning, or all samples) in one layer,
 * accumulated in float64: the count, the sums of the normalised slices in both normalisations, their
 * squared norms, and the sums of the samples' squared norms. A language group also keeps per neuron the
 * sum of squares of the whole-model slices (for the contribution scores), and, when the samples carry
 * them, the positive-activation counts and the token count (for neuron types).
 *
 * <p>This is the unit of state: the streams layer stores one encoded {@code GroupSums} per
 * (checkpoint, layer, group), so an update reads and writes a few vectors of D doubles. {@link #add}
 * costs O(D); {@link #merge} is exact and commutative up to float64 rounding.
 */
public final class GroupSums {

    /** First byte of every encoding; bumped when the layout changes. */
    public static final byte ENCODING_VERSION = 1;
    private static final int FLAG_NEURON_STATISTICS = 1;
    private static final int FLAG_ACTIVATION_COUNTS = 2;
    /** Version, flags, D, count, tokens and the four scalars. */
    private static final int HEADER_BYTES = 1 + 1 + 4 + 8 + 8 + 4 * 8;

    private final int dimension;
    private final boolean neuronStatistics;
    private long count;
    private final double[] sumModel;
    private final double[] sumLayer;
    /** ‖sumModel‖², ‖sumLayer‖², recomputed exactly from the vectors on every update (same O(D) pass). */
    private double sumNormSquaredModel;
    private double sumNormSquaredLayer;
    /** Σᵢ‖xᵢ‖² per normalisation. */
    private double normSquaredSumModel;
    private double normSquaredSumLayer;
    /** Σᵢ xᵢ(k)² of the whole-model slices; language groups only. */
    private final double[] squaresModel;
    /** Σᵢ #{tokens of i with activation(k) &gt; 0}; language groups with counts only, else null. */
    private long[] positiveCounts;
    private long tokenCount;

    private GroupSums(int dimension, boolean neuronStatistics) {
        if (dimension <= 0) {
            throw new IllegalArgumentException("dimension must be > 0, got " + dimension);
        }
        this.dimension = dimension;
        this.neuronStatistics = neuronStatistics;
        this.sumModel = new double[dimension];
        this.sumLayer = new double[dimension];
        this.squaresModel = neuronStatistics ? new double[dimension] : null;
    }

    /** A group whose sums feed only the pair-class metrics (a meaning, the total, a pseudo-group). */
    public static GroupSums vectorSums(int dimension) {
        return new GroupSums(dimension, false);
    }

    /** A language group: also per-neuron squares and activation counts. */
    public static GroupSums withNeuronStatistics(int dimension) {
        return new GroupSums(dimension, true);
    }

    /** Adds one sample's slice of this layer. O(D). */
    public void add(LayerVector v) {
        if (v.dimension() != dimension) {
            throw new IllegalArgumentException("layer vector has " + v.dimension() + " neurons, group has " + dimension);
        }
        double[] h = v.values();
        double mn = v.modelNorm();
        double ln = v.layerNorm();
        double sqM = 0, sqL = 0, selfM = 0, selfL = 0;
        for (int k = 0; k < dimension; k++) {
            double xm = h[k] / mn;
            double xl = h[k] / ln;
            double um = sumModel[k] + xm;
            double ul = sumLayer[k] + xl;
            sumModel[k] = um;
            sumLayer[k] = ul;
            sqM += um * um;
            sqL += ul * ul;
            selfM += xm * xm;
            selfL += xl * xl;
            if (squaresModel != null) {
                squaresModel[k] += xm * xm;
            }
        }
        if (!Double.isFinite(sqM + sqL)) {
            throw new IllegalArgumentException("non-finite value in layer vector");
        }
        sumNormSquaredModel = sqM;
        sumNormSquaredLayer = sqL;
        normSquaredSumModel += selfM;
        normSquaredSumLayer += selfL;
        count++;
        if (v.positiveCounts() != null && neuronStatistics) {
            long[] pos = positives();
            int[] p = v.positiveCounts();
            for (int k = 0; k < dimension; k++) {
                pos[k] += p[k];
            }
            tokenCount += v.tokenCount();
        }
    }

    /** Adds all samples of {@code other} (a disjoint set of samples of the same group). */
    public void merge(GroupSums other) {
        if (other.dimension != dimension || other.neuronStatistics != neuronStatistics) {
            throw new IllegalArgumentException("cannot merge groups of different shape: " + describe() + " and " + other.describe());
        }
        double sqM = 0, sqL = 0;
        for (int k = 0; k < dimension; k++) {
            double um = sumModel[k] + other.sumModel[k];
            double ul = sumLayer[k] + other.sumLayer[k];
            sumModel[k] = um;
            sumLayer[k] = ul;
            sqM += um * um;
            sqL += ul * ul;
            if (squaresModel != null) {
                squaresModel[k] += other.squaresModel[k];
            }
        }
        sumNormSquaredModel = sqM;
        sumNormSquaredLayer = sqL;
        normSquaredSumModel += other.normSquaredSumModel;
        normSquaredSumLayer += other.normSquaredSumLayer;
        count += other.count;
        if (other.positiveCounts != null) {
            long[] pos = positives();
            for (int k = 0; k < dimension; k++) {
                pos[k] += other.positiveCounts[k];
            }
        }
        tokenCount += other.tokenCount;
    }

    private long[] positives() {
        if (positiveCounts == null) {
            positiveCounts = new long[dimension];
        }
        return positiveCounts;
    }

    // ---------------------------------------------------------------- accessors

    public int dimension() {
        return dimension;
    }

    public long count() {
        return count;
    }

    public boolean hasNeuronStatistics() {
        return neuronStatistics;
    }

    /** The scalars the pair-class metrics need, in one normalisation. */
    public GroupScalars scalars(Normalisation n) {
        return n == Normalisation.MODEL
                ? new GroupScalars(count, sumNormSquaredModel, normSquaredSumModel)
                : new GroupScalars(count, sumNormSquaredLayer, normSquaredSumLayer);
    }

    /** Σᵢ xᵢ (the live array: read only). */
    public double[] sum(Normalisation n) {
        return n == Normalisation.MODEL ? sumModel : sumLayer;
    }

    /** Σᵢ xᵢ(k)² of the whole-model slices (the live array: read only); language groups only. */
    public double[] squaresModel() {
        if (squaresModel == null) {
            throw new IllegalStateException("per-neuron squares are kept for language groups only");
        }
        return squaresModel;
    }

    /** Per-neuron count of tokens with a positive activation, or null when no sample carried counts. */
    public long[] positiveCounts() {
        return positiveCounts;
    }

    /** Tokens of the samples that carried activation counts. */
    public long tokenCount() {
        return tokenCount;
    }

    private String describe() {
        return (neuronStatistics ? "language group" : "group") + " of " + dimension + " neurons";
    }

    // ---------------------------------------------------------------- encoding

    /**
     * Compact binary value (little-endian): version byte, flags byte, int D, long count, long tokens,
     * 4 doubles (‖ΣxM‖², ‖ΣxL‖², Σ‖xM‖², Σ‖xL‖²), D doubles ΣxM, D doubles ΣxL, [D doubles Σx(k)²],
     * [D unsigned varints of positive counts]. Doubles are stored bit-exact.
     */
    public byte[] encode() {
        int size = encodedSize();
        byte[] out = new byte[size];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ENCODING_VERSION);
        b.put((byte) ((neuronStatistics ? FLAG_NEURON_STATISTICS : 0) | (positiveCounts != null ? FLAG_ACTIVATION_COUNTS : 0)));
        b.putInt(dimension).putLong(count).putLong(tokenCount);
        b.putDouble(sumNormSquaredModel).putDouble(sumNormSquaredLayer).putDouble(normSquaredSumModel).putDouble(normSquaredSumLayer);
        DoubleBuffer vectors = b.asDoubleBuffer().put(sumModel).put(sumLayer);
        if (squaresModel != null) {
            vectors.put(squaresModel);
        }
        if (positiveCounts != null) {
            int at = b.position() + 8 * dimension * (neuronStatistics ? 3 : 2);
            for (long c : positiveCounts) {
                at = putVarLong(out, at, c);
            }
        }
        return out;
    }

    /** Exact size of {@link #encode()}. */
    public int encodedSize() {
        int size = HEADER_BYTES + 8 * dimension * (neuronStatistics ? 3 : 2);
        if (positiveCounts != null) {
            for (long c : positiveCounts) {
                size += varLongSize(c);
            }
        }
        return size;
    }

    /** Decodes {@link #encode()}; throws with a clear message on a foreign version or a damaged value. */
    public static GroupSums decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte version = b.get();
            if (version != ENCODING_VERSION) {
                throw new IllegalArgumentException("GroupSums encoding version " + version + " is not supported (this build reads "
                        + ENCODING_VERSION + ")");
            }
            int flags = b.get();
            if ((flags & ~(FLAG_NEURON_STATISTICS | FLAG_ACTIVATION_COUNTS)) != 0) {
                throw new IllegalArgumentException("GroupSums value has unknown flags " + flags);
            }
            int dimension = b.getInt();
            int vectors = (flags & FLAG_NEURON_STATISTICS) != 0 ? 3 : 2;
            // check the length before allocating, so a damaged D cannot exhaust the heap
            if (dimension <= 0 || b.remaining() < HEADER_BYTES - 6 + 8L * dimension * vectors) {
                throw new IllegalArgumentException("GroupSums value is truncated or damaged (" + bytes.length + " bytes for D = " + dimension + ")");
            }
            GroupSums g = new GroupSums(dimension, (flags & FLAG_NEURON_STATISTICS) != 0);
            g.count = b.getLong();
            g.tokenCount = b.getLong();
            g.sumNormSquaredModel = b.getDouble();
            g.sumNormSquaredLayer = b.getDouble();
            g.normSquaredSumModel = b.getDouble();
            g.normSquaredSumLayer = b.getDouble();
            DoubleBuffer values = b.asDoubleBuffer().get(g.sumModel).get(g.sumLayer);
            if (g.neuronStatistics) {
                values.get(g.squaresModel);
            }
            int at = b.position() + 8 * dimension * vectors;
            if ((flags & FLAG_ACTIVATION_COUNTS) != 0) {
                long[] pos = g.positives();
                for (int k = 0; k < dimension; k++) {
                    // one byte per count below 128, the common case: no loop
                    if (at < bytes.length && bytes[at] >= 0) {
                        pos[k] = bytes[at++];
                    } else {
                        at = getVarLong(bytes, at, pos, k);
                    }
                }
            }
            if (at != bytes.length) {
                throw new IllegalArgumentException("GroupSums value has " + (bytes.length - at) + " trailing bytes");
            }
            return g;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("GroupSums value is truncated (" + bytes.length + " bytes)", e);
        }
    }

    /** Writes v as an unsigned LEB128 varint at {@code at}; returns the index after it. */
    private static int putVarLong(byte[] out, int at, long v) {
        while ((v & ~0x7FL) != 0) {
            out[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[at++] = (byte) v;
        return at;
    }

    /** Bytes of v as an unsigned LEB128 varint: 7 bits per byte, at least one byte. */
    private static int varLongSize(long v) {
        return (63 - Long.numberOfLeadingZeros(v | 1)) / 7 + 1;
    }

    /** Reads a varint at {@code at} into {@code into[k]}; returns the index after it. */
    private static int getVarLong(byte[] in, int at, long[] into, int k) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at >= in.length) {
                throw new BufferUnderflowException();
            }
            byte x = in[at++];
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                into[k] = v;
                return at;
            }
        }
        throw new IllegalArgumentException("GroupSums value has a malformed varint");
    }
}
