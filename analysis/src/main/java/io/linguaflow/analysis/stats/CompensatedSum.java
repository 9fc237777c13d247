package io.linguaflow.analysis.stats;

/**
 * An order-independent float64 sum (docs/math.md §10): the running sum is kept as a double-double hi + lo, renormalised
 * after every addition so that hi is always the float64 value of hi + lo rounded to nearest. Reading returns hi, so the
 * sum is rounded once, when read. The exact sum of the terms is kept exactly whenever the terms and partial sums span at
 * most 105 bits, so the result is the correctly rounded exact sum in every order, grouping and merge tree; otherwise
 * hi + lo is within about n·2⁻¹⁰⁶·max|partial sum| of the exact sum, and two orders can round differently only when the
 * exact sum lies that close to a rounding boundary.
 *
 * <p>The static methods update element k of a pair of arrays in place, for the D-wide sums of {@link GroupSums}.
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

    /** (hi[k], lo[k]) += x. */
    public static void add(double[] hi, double[] lo, int k, double x) {
        double a = hi[k];
        double s = a + x;
        double e = twoSumError(a, x, s);
        double t = lo[k] + e;
        double h = s + t;
        lo[k] = twoSumError(s, t, h);
        hi[k] = h;
    }

    /** (hi[k], lo[k]) += (xHi, xLo), another double-double sum; commutative bit for bit. */
    public static void add(double[] hi, double[] lo, int k, double xHi, double xLo) {
        double a = hi[k];
        double s = a + xHi;
        double e = twoSumError(a, xHi, s);
        double t = (lo[k] + xLo) + e;
        double h = s + t;
        lo[k] = twoSumError(s, t, h);
        hi[k] = h;
    }

    /** Renormalises every element of a double-double array pair (hi[k] = fl(hi[k] + lo[k])). */
    public static void renormalise(double[] hi, double[] lo) {
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
