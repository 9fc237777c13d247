package io.linguaflow.analysis.stats;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.Arrays;

/**
 * Sufficient statistics of one group of samples (a language, a meaning, or all samples) in one layer,
 * accumulated as order-independent double-double sums ({@link CompensatedSum}, docs/math.md §10): the
 * count, the sums of the normalised slices in both normalisations, their squared norms, and the sums of
 * the samples' squared norms. A language group also keeps per neuron the
 * sum of squares of the whole-model slices (for the contribution scores), and, when the samples carry
 * them, the positive-activation counts and the token count (for neuron types).
 *
 * <p>This is the unit of state: the streams layer stores one encoded {@code GroupSums} per
 * (checkpoint, layer, group), so an update reads and writes a few vectors of D doubles. {@link #add}
 * costs O(D). Every float64 sum is read rounded once from its double-double, and the squared norms of the sums are
 * recomputed from those rounded sums in index order, so the statistics are a function of the set of samples added or
 * merged, whatever the order, grouping or merge tree (docs/math.md §10 says when two orders can still differ).
 * Not thread-safe, reads included: the first read after an update computes the norms of the sums.
 */
public final class GroupSums {

    /** First byte of every encoding; bumped when the layout changes. */
    public static final byte ENCODING_VERSION = 2;
    /** Plain float64 sums, no low parts: read with lo = 0 (docs/state-layout.md). */
    private static final byte ENCODING_VERSION_PLAIN = 1;
    private static final int FLAG_NEURON_STATISTICS = 1;
    private static final int FLAG_ACTIVATION_COUNTS = 2;
    /** Version, flags, D, count, tokens and the six scalars (version 1: four). */
    private static final int HEADER_BYTES = 1 + 1 + 4 + 8 + 8 + 6 * 8;
    private static final int HEADER_BYTES_PLAIN = HEADER_BYTES - 2 * 8;

    private final int dimension;
    private final boolean neuronStatistics;
    private long count;
    /** Σᵢ xᵢ per normalisation: the rounded sums and their low parts (hi + lo is the double-double sum). */
    private final double[] sumModel;
    private final double[] sumModelLow;
    private final double[] sumLayer;
    private final double[] sumLayerLow;
    /** ‖sumModel‖², ‖sumLayer‖², recomputed from the rounded sums in index order when read after an update. */
    private double sumNormSquaredModel;
    private double sumNormSquaredLayer;
    private boolean sumNormsStale;
    /** Σᵢ‖xᵢ‖² per normalisation. */
    private CompensatedSum normSquaredSumModel = new CompensatedSum();
    private CompensatedSum normSquaredSumLayer = new CompensatedSum();
    /** Σᵢ xᵢ(k)² of the whole-model slices and their low parts; language groups only. */
    private final double[] squaresModel;
    private final double[] squaresModelLow;
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
        this.sumModelLow = new double[dimension];
        this.sumLayer = new double[dimension];
        this.sumLayerLow = new double[dimension];
        this.squaresModel = neuronStatistics ? new double[dimension] : null;
        this.squaresModelLow = neuronStatistics ? new double[dimension] : null;
    }

    /** A group whose sums feed only the pair-class metrics (a meaning, the total, a pseudo-group). */
    public static GroupSums vectorSums(int dimension) {
        return new GroupSums(dimension, false);
    }

    /** A language group: also per-neuron squares and activation counts. */
    public static GroupSums withNeuronStatistics(int dimension) {
        return new GroupSums(dimension, true);
    }

    /**
     * One sample's slice of a layer normalised both ways, x = h̄ᵐ/‖h̄‖ and x = h̄ᵐ/‖h̄ᵐ‖ (docs/math.md §2), with its squared
     * norms: computed once per sample by {@link #slice} and added to each of its groups (total, language, meaning).
     */
    public record Slice(double[] model, double[] layer, double normSquaredModel, double normSquaredLayer, int[] positiveCounts,
            long tokenCount) {

        public int dimension() {
            return model.length;
        }
    }

    /** The sample's slice in both normalisations; its squared norms are summed in index order. */
    public static Slice slice(LayerVector v) {
        return slice(v, new double[v.dimension()], new double[v.dimension()]);
    }

    /**
     * {@link #slice(LayerVector)} into the given arrays of D elements, which the slice then holds: for a caller that adds
     * one sample at a time and reuses them for the next (a streams task: no 2·8·D bytes of garbage per record).
     */
    public static Slice slice(LayerVector v, double[] xm, double[] xl) {
        double[] h = v.values();
        if (xm.length != h.length || xl.length != h.length) {
            throw new IllegalArgumentException("slice arrays of " + xm.length + " and " + xl.length + " for " + h.length + " neurons");
        }
        double mn = v.modelNorm();
        double ln = v.layerNorm();
        for (int k = 0; k < h.length; k++) {
            xm[k] = h[k] / mn;
            xl[k] = h[k] / ln;
        }
        // apart from the divisions, so that C2 vectorises them (the sums in index order cannot be)
        double selfM = 0, selfL = 0;
        for (int k = 0; k < h.length; k++) {
            selfM += xm[k] * xm[k];
            selfL += xl[k] * xl[k];
        }
        if (!Double.isFinite(selfM + selfL)) {
            throw new IllegalArgumentException("non-finite value in layer vector");
        }
        return new Slice(xm, xl, selfM, selfL, v.positiveCounts(), v.tokenCount());
    }

    /** Adds one sample's slice of this layer. O(D). */
    public void add(LayerVector v) {
        add(slice(v));
    }

    /**
     * Adds one sample's normalised slice ({@link #slice}), the same for each group it joins. O(D). Its values are at most 1
     * in magnitude (a slice of a normalised vector), so no sum of them can overflow.
     */
    public void add(Slice x) {
        if (x.dimension() != dimension) {
            throw new IllegalArgumentException("layer vector has " + x.dimension() + " neurons, group has " + dimension);
        }
        CompensatedSum.addAll(sumModel, sumModelLow, x.model());
        CompensatedSum.addAll(sumLayer, sumLayerLow, x.layer());
        if (squaresModel != null) {
            CompensatedSum.addSquaresAll(squaresModel, squaresModelLow, x.model());
        }
        sumNormsStale = true;
        normSquaredSumModel.add(x.normSquaredModel());
        normSquaredSumLayer.add(x.normSquaredLayer());
        count++;
        if (x.positiveCounts() != null && neuronStatistics) {
            long[] pos = positives();
            int[] p = x.positiveCounts();
            for (int k = 0; k < dimension; k++) {
                pos[k] += p[k];
            }
            tokenCount += x.tokenCount();
        }
    }

    /**
     * Empties the group, keeping its arrays: a caller that retires one group as it starts the next (a streams task's
     * meaning groups, 4·8·D bytes each) reuses them rather than leaving them to the garbage collector.
     *
     * @return this group, as {@link #vectorSums} or {@link #withNeuronStatistics} of its dimension would make it
     */
    public GroupSums clear() {
        for (double[] a : new double[][] {sumModel, sumModelLow, sumLayer, sumLayerLow, squaresModel, squaresModelLow}) {
            if (a != null) {
                Arrays.fill(a, 0);
            }
        }
        count = 0;
        sumNormSquaredModel = 0;
        sumNormSquaredLayer = 0;
        sumNormsStale = false;
        normSquaredSumModel = new CompensatedSum();
        normSquaredSumLayer = new CompensatedSum();
        positiveCounts = null;
        tokenCount = 0;
        return this;
    }

    /**
     * Adds all samples of {@code other}, a disjoint set of samples: of the same group, or, into a vector-sums group, of
     * a group with neuron statistics (whose statistics it does not keep), e.g. the total T as the union of the language
     * groups (every sample is in exactly one language).
     */
    public void merge(GroupSums other) {
        if (other.dimension != dimension || (neuronStatistics && !other.neuronStatistics)) {
            throw new IllegalArgumentException("cannot merge groups of different shape: " + describe() + " and " + other.describe());
        }
        CompensatedSum.addAll(sumModel, sumModelLow, other.sumModel, other.sumModelLow);
        CompensatedSum.addAll(sumLayer, sumLayerLow, other.sumLayer, other.sumLayerLow);
        if (squaresModel != null) {
            CompensatedSum.addAll(squaresModel, squaresModelLow, other.squaresModel, other.squaresModelLow);
        }
        sumNormsStale = true;
        normSquaredSumModel.add(other.normSquaredSumModel);
        normSquaredSumLayer.add(other.normSquaredSumLayer);
        count += other.count;
        if (!neuronStatistics) {
            return;
        }
        if (other.positiveCounts != null) {
            long[] pos = positives();
            for (int k = 0; k < dimension; k++) {
                pos[k] += other.positiveCounts[k];
            }
        }
        tokenCount += other.tokenCount;
    }

    /**
     * ‖ΣxM‖² and ‖ΣxL‖² from the rounded sums in index order, once after any number of updates: a pass per update would
     * cost as much as the update itself (the sequential sums do not vectorise).
     */
    private void refreshSumNorms() {
        if (!sumNormsStale) {
            return;
        }
        double sqM = 0, sqL = 0;
        for (int k = 0; k < dimension; k++) {
            sqM += sumModel[k] * sumModel[k];
            sqL += sumLayer[k] * sumLayer[k];
        }
        sumNormSquaredModel = sqM;
        sumNormSquaredLayer = sqL;
        sumNormsStale = false;
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
        refreshSumNorms();
        return n == Normalisation.MODEL
                ? new GroupScalars(count, sumNormSquaredModel, normSquaredSumModel.value())
                : new GroupScalars(count, sumNormSquaredLayer, normSquaredSumLayer.value());
    }

    /** Σᵢ xᵢ rounded to float64 (the live array: read only). */
    public double[] sum(Normalisation n) {
        return n == Normalisation.MODEL ? sumModel : sumLayer;
    }

    /** Σᵢ xᵢ(k)² of the whole-model slices rounded to float64 (the live array: read only); language groups only. */
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
     * Compact binary value (little-endian), version 2: version byte, flags byte, int D, long count, long tokens,
     * 6 doubles (‖ΣxM‖², ‖ΣxL‖², Σ‖xM‖² and its low part, Σ‖xL‖² and its low part), D doubles ΣxM, D doubles of
     * their low parts, the same for ΣxL, [D doubles Σx(k)², D doubles of their low parts], [D unsigned varints of
     * positive counts]. Doubles are stored bit-exact. Version 1 had no low parts (docs/state-layout.md).
     */
    public byte[] encode() {
        refreshSumNorms();
        int size = encodedSize();
        byte[] out = new byte[size];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ENCODING_VERSION);
        b.put((byte) ((neuronStatistics ? FLAG_NEURON_STATISTICS : 0) | (positiveCounts != null ? FLAG_ACTIVATION_COUNTS : 0)));
        b.putInt(dimension).putLong(count).putLong(tokenCount);
        b.putDouble(sumNormSquaredModel).putDouble(sumNormSquaredLayer)
                .putDouble(normSquaredSumModel.value()).putDouble(normSquaredSumModel.low())
                .putDouble(normSquaredSumLayer.value()).putDouble(normSquaredSumLayer.low());
        DoubleBuffer vectors = b.asDoubleBuffer().put(sumModel).put(sumModelLow).put(sumLayer).put(sumLayerLow);
        if (squaresModel != null) {
            vectors.put(squaresModel).put(squaresModelLow);
        }
        if (positiveCounts != null) {
            putCounts(out, b.position() + 8 * dimension * vectorCount(neuronStatistics, true));
        }
        return out;
    }

    /** Exact size of {@link #encode()}. */
    public int encodedSize() {
        return HEADER_BYTES + 8 * dimension * vectorCount(neuronStatistics, true) + (positiveCounts != null ? countsSize() : 0);
    }

    /** D-wide double arrays in an encoding: two or three sums, each with its low parts from version 2 on. */
    private static int vectorCount(boolean neuronStatistics, boolean lowParts) {
        return (neuronStatistics ? 3 : 2) * (lowParts ? 2 : 1);
    }

    /**
     * Decodes {@link #encode()}, or a version 1 value (plain float64 sums) with low parts 0; throws with a clear message
     * on a foreign version or a damaged value.
     */
    public static GroupSums decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte version = b.get();
            if (version != ENCODING_VERSION && version != ENCODING_VERSION_PLAIN) {
                throw new IllegalArgumentException("GroupSums encoding version " + version + " is not supported (this build reads "
                        + ENCODING_VERSION_PLAIN + " and " + ENCODING_VERSION + ")");
            }
            boolean lowParts = version == ENCODING_VERSION;
            int flags = b.get();
            if ((flags & ~(FLAG_NEURON_STATISTICS | FLAG_ACTIVATION_COUNTS)) != 0) {
                throw new IllegalArgumentException("GroupSums value has unknown flags " + flags);
            }
            int dimension = b.getInt();
            int vectors = vectorCount((flags & FLAG_NEURON_STATISTICS) != 0, lowParts);
            // check the length before allocating, so a damaged D cannot exhaust the heap
            if (dimension <= 0 || b.remaining() < (lowParts ? HEADER_BYTES : HEADER_BYTES_PLAIN) - 6 + 8L * dimension * vectors) {
                throw new IllegalArgumentException("GroupSums value is truncated or damaged (" + bytes.length + " bytes for D = " + dimension + ")");
            }
            GroupSums g = new GroupSums(dimension, (flags & FLAG_NEURON_STATISTICS) != 0);
            g.count = b.getLong();
            g.tokenCount = b.getLong();
            g.sumNormSquaredModel = b.getDouble();
            g.sumNormSquaredLayer = b.getDouble();
            g.normSquaredSumModel = CompensatedSum.of(b.getDouble(), lowParts ? b.getDouble() : 0);
            g.normSquaredSumLayer = CompensatedSum.of(b.getDouble(), lowParts ? b.getDouble() : 0);
            DoubleBuffer values = b.asDoubleBuffer();
            values.get(g.sumModel);
            if (lowParts) {
                values.get(g.sumModelLow);
            }
            values.get(g.sumLayer);
            if (lowParts) {
                values.get(g.sumLayerLow);
            }
            if (g.neuronStatistics) {
                values.get(g.squaresModel);
                if (lowParts) {
                    values.get(g.squaresModelLow);
                }
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

    /** First byte of {@link #encodeActivationCounts()}. */
    private static final byte COUNTS_ENCODING_VERSION = 1;

    /**
     * The activation counts alone (little-endian): version byte, int D, varint token count, D unsigned varints of positive
     * counts; null when the group has none. What a store logs of a group whose sums it rebuilds from elsewhere: the
     * similarity vectors carry the values but not the counts (docs/state-layout.md).
     */
    public byte[] encodeActivationCounts() {
        if (positiveCounts == null) {
            return null;
        }
        byte[] out = new byte[1 + 4 + varLongSize(tokenCount) + countsSize()];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).put(COUNTS_ENCODING_VERSION).putInt(dimension);
        putCounts(out, putVarLong(out, 5, tokenCount));
        return out;
    }

    /**
     * Replaces this group's activation counts and token count with those of {@link #encodeActivationCounts()}: the counts
     * of the same samples as its sums, restored apart from them.
     */
    public void restoreActivationCounts(byte[] encoded) {
        try {
            ByteBuffer b = ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
            if (b.get() != COUNTS_ENCODING_VERSION || b.getInt() != dimension || !neuronStatistics) {
                throw new IllegalArgumentException("activation counts (version " + encoded[0] + ", " + encoded.length
                        + " bytes) do not fit " + describe() + " (this build reads version " + COUNTS_ENCODING_VERSION + ")");
            }
            long[] tokens = new long[1];
            long[] pos = new long[dimension];
            int at = getVarLong(encoded, 5, tokens, 0);
            for (int k = 0; k < dimension; k++) {
                at = getVarLong(encoded, at, pos, k);
            }
            if (at != encoded.length) {
                throw new IllegalArgumentException("activation counts have " + (encoded.length - at) + " trailing bytes");
            }
            positiveCounts = pos;
            tokenCount = tokens[0];
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("activation counts are truncated (" + encoded.length + " bytes)", e);
        }
    }

    /** Bytes of the positive counts as varints (both encodings end with them). */
    private int countsSize() {
        int size = 0;
        for (long c : positiveCounts) {
            size += varLongSize(c);
        }
        return size;
    }

    /** Writes the positive counts as varints from {@code at}. */
    private void putCounts(byte[] out, int at) {
        for (long c : positiveCounts) {
            at = putVarLong(out, at, c);
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
