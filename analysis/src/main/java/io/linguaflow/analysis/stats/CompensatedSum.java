package io.linguaflow.analysis.stats;

/**
 * An order-independent float64 sum (docs/math.md §10): the running sum is kept as a double-double hi + lo, renormalised
 * after every addition so that hi is always the float64 value of hi + lo rounded to nearest. Reading returns hi, so the
 * sum is rounded once, when read. The exact sum of the terms is kept exactly whenever the terms and partial sums span at
 * most 105 bits, so the result is the correctly rounded exact sum in every order, grouping and merge tree; otherwise
 * hi + lo is within about n·2⁻¹⁰⁶·max|partial sum| of the exact sum, and two orders can round differently only when the
 * exact sum lies that close to a rounding boundary.
 *
 * <p>The static methods update a pair of arrays in place, element by element, for the D-wide sums of {@link GroupSums}.
 */
public final class CompensatedSum {

    private double hi;
    private double lo;

    public CompensatedSum() {
    }

    /** A sum stored as (hi, lo) by {@link #value()} and {@link #low()}; lo = 0 for a plain float64 sum. */
    public static CompensatedSum of(double hi, double lo) {
        CompensatedSum s = new CompensatedSum();
        s.hi = hi;
        s.lo = lo;
        s.renormalise();
        return s;
    }

    public void add(double x) {
        double s = hi + x;
        double e = twoSumError(hi, x, s);
        double t = lo + e;
        hi = s + t;
        lo = twoSumError(s, t, hi);
    }

    /** Adds another sum (of a disjoint set of terms); commutative bit for bit. */
    public void add(CompensatedSum other) {
        double s = hi + other.hi;
        double e = twoSumError(hi, other.hi, s);
        double t = (lo + other.lo) + e;
        hi = s + t;
        lo = twoSumError(s, t, hi);
    }

    /** The sum rounded to float64. */
    public double value() {
        return hi;
    }

    /** The part of the sum below {@link #value()}: value + low is the double-double sum. */
    public double low() {
        return lo;
    }

    private void renormalise() {
        double h = hi + lo;
        lo = twoSumError(hi, lo, h);
        hi = h;
    }

    // The array updates below take two passes, a TwoSum into (hi, lo) and then renormalise, where one fused pass per element
    // would do: the same operations in the same order (bit for bit), but C2 vectorises each pass and not the fused one
    // (about 4x faster at D = 16384, docs/math.md §10 "Cost").

    /** (hi[k], lo[k]) += x[k] for every k. */
    public static void addAll(double[] hi, double[] lo, double[] x) {
        for (int k = 0; k < hi.length; k++) {
            double a = hi[k];
            double s = a + x[k];
            lo[k] += twoSumError(a, x[k], s);
            hi[k] = s;
        }
        renormalise(hi, lo);
    }

    /** (hi[k], lo[k]) += x[k]² for every k. */
    public static void addSquaresAll(double[] hi, double[] lo, double[] x) {
        for (int k = 0; k < hi.length; k++) {
            double a = hi[k];
            double b = x[k] * x[k];
            double s = a + b;
            lo[k] += twoSumError(a, b, s);
            hi[k] = s;
        }
        renormalise(hi, lo);
    }

    /** (hi[k], lo[k]) += (xHi[k], xLo[k]) for every k, another double-double sum; commutative bit for bit. */
    public static void addAll(double[] hi, double[] lo, double[] xHi, double[] xLo) {
        for (int k = 0; k < hi.length; k++) {
            double a = hi[k];
            double s = a + xHi[k];
            lo[k] = (lo[k] + xLo[k]) + twoSumError(a, xHi[k], s);
            hi[k] = s;
        }
        renormalise(hi, lo);
    }

    /** Renormalises every element of a double-double array pair (hi[k] = fl(hi[k] + lo[k])). */
    private static void renormalise(double[] hi, double[] lo) {
        for (int k = 0; k < hi.length; k++) {
            double h = hi[k] + lo[k];
            lo[k] = twoSumError(hi[k], lo[k], h);
            hi[k] = h;
        }
    }

    /** Knuth's TwoSum: the exact rounding error (a + b) − s of s = fl(a + b), whatever the magnitudes of a and b. */
    static double twoSumError(double a, double b, double s) {
        double bb = s - a;
        return (a - (s - bb)) + (b - bb);
    }

    @Override
    public String toString() {
        return hi + " + " + lo;
    }
}
