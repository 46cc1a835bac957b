package io.chunkwise.testing;

import io.chunkwise.DType;
import io.chunkwise.NDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * The test oracle: a tiny dense float64 array on plain Java arrays ({@code double[]} data, {@code long[]} shape,
 * row-major) with NumPy's semantics for everything the public contract has. Plain loops over global indices;
 * obviously correct beats fast. It uses nothing of the library but {@link DType} (a name for rounding) and
 * {@link NDArray} (read only, to take expected values from a host array).
 *
 * <p>Values of every dtype are held as doubles; {@link #roundTo} models storing them in a dtype (float32 rounding,
 * integer truncation and wrapping, bool as 0/1). Tests keep integers small, so doubles hold them exactly.
 */
public final class Dense {
    private final double[] data;
    private final long[] shape;

    private Dense(double[] data, long[] shape) {
        if (size(shape) != data.length) {
            throw new IllegalArgumentException(data.length + " values do not fit shape " + Arrays.toString(shape));
        }
        this.data = data;
        this.shape = shape;
    }

    // ---- creation ----

    /** A copy of {@code data} in {@code shape}. */
    public static Dense of(double[] data, long... shape) { return new Dense(data.clone(), shape.clone()); }

    public static Dense scalar(double v) { return new Dense(new double[]{v}, new long[0]); }

    public static Dense full(double v, long... shape) {
        double[] d = new double[Math.toIntExact(size(shape))];
        Arrays.fill(d, v);
        return new Dense(d, shape.clone());
    }

    /** {@code 0, 1, ..., n-1}. */
    public static Dense arange(long n) {
        double[] d = new double[Math.toIntExact(n)];
        for (int i = 0; i < d.length; i++) d[i] = i;
        return new Dense(d, new long[]{n});
    }

    /** The values of a host array, read element by element with {@link NDArray#getDouble}. */
    public static Dense of(NDArray a) {
        long[] s = a.shape();
        double[] d = new double[Math.toIntExact(size(s))];
        long[] idx = new long[s.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.getDouble(idx);
            increment(idx, s);
        }
        return new Dense(d, s);
    }

    // ---- metadata ----

    public long[] shape() { return shape.clone(); }

    public int ndim() { return shape.length; }

    public int size() { return data.length; }

    /** A copy of the values, row-major. */
    public double[] values() { return data.clone(); }

    public double get(long... index) { return data[flat(index)]; }

    /** The value at flat (row-major) position {@code i}. */
    public double at(int i) { return data[i]; }

    // ---- dtype modelling ----

    /**
     * The values as stored in {@code t}: float32 rounds, integers truncate toward zero and wrap (integer results;
     * {@link #astype} models a cast from floats), bool is 1 for anything non-zero (NaN included).
     */
    public Dense roundTo(DType t) {
        return map(v -> switch (t) {
            case FLOAT64 -> v;
            case FLOAT32 -> (double) (float) v;
            case INT64 -> (double) (long) v;
            case INT32 -> (double) (int) (long) v;
            case BOOL -> v != 0 || Double.isNaN(v) ? 1 : 0;
        });
    }

    /**
     * NumPy's {@code astype(to)} of these values held as {@code from}. From a float to int32 or int64 it is what x86
     * computes: truncation toward zero where the result fits the target, and the target's smallest value
     * (-2^31, -2^63) for NaN, infinities and everything out of range (an int32 target too for values that fit in
     * int64). Otherwise {@link #roundTo}.
     */
    public Dense astype(DType from, DType to) {
        boolean floatToInt = (from == DType.FLOAT32 || from == DType.FLOAT64) && (to == DType.INT32 || to == DType.INT64);
        if (!floatToInt) return roundTo(to);
        double limit = to == DType.INT32 ? 2147483648.0 : 9223372036854775808.0;
        return map(v -> {
            double t = v < 0 ? Math.ceil(v) : Math.floor(v);
            return t >= -limit && t < limit ? t : -limit;
        });
    }

    // ---- elementwise ----

    public Dense map(DoubleUnaryOperator f) {
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) d[i] = f.applyAsDouble(data[i]);
        return new Dense(d, shape.clone());
    }

    /** NumPy broadcasting of two shapes, or an exception naming both. */
    public static long[] broadcastShapes(long[] a, long[] b) {
        int n = Math.max(a.length, b.length);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            int ia = i - (n - a.length), ib = i - (n - b.length);
            long x = ia < 0 ? 1 : a[ia], y = ib < 0 ? 1 : b[ib];
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /** The element of this array that broadcasting maps to output index {@code outIdx}. */
    private double broadcastGet(long[] outIdx) {
        int lead = outIdx.length - shape.length;
        int f = 0;
        for (int a = 0; a < shape.length; a++) {
            long i = shape[a] == 1 ? 0 : outIdx[a + lead];
            f = (int) (f * shape[a] + i);
        }
        return data[f];
    }

    public static Dense zip(Dense a, Dense b, DoubleBinaryOperator f) {
        long[] out = broadcastShapes(a.shape, b.shape);
        double[] d = new double[Math.toIntExact(size(out))];
        long[] idx = new long[out.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = f.applyAsDouble(a.broadcastGet(idx), b.broadcastGet(idx));
            increment(idx, out);
        }
        return new Dense(d, out);
    }

    public Dense add(Dense o) { return zip(this, o, Double::sum); }
    public Dense sub(Dense o) { return zip(this, o, (x, y) -> x - y); }
    public Dense mul(Dense o) { return zip(this, o, (x, y) -> x * y); }
    public Dense div(Dense o) { return zip(this, o, (x, y) -> x / y); }
    public Dense pow(Dense o) { return zip(this, o, Dense::cpow); }
    public Dense maximum(Dense o) { return zip(this, o, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y)); }
    public Dense minimum(Dense o) { return zip(this, o, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y)); }
    public Dense gt(Dense o) { return zip(this, o, (x, y) -> x > y ? 1 : 0); }
    public Dense ge(Dense o) { return zip(this, o, (x, y) -> x >= y ? 1 : 0); }
    public Dense lt(Dense o) { return zip(this, o, (x, y) -> x < y ? 1 : 0); }
    public Dense le(Dense o) { return zip(this, o, (x, y) -> x <= y ? 1 : 0); }
    public Dense eq(Dense o) { return zip(this, o, (x, y) -> x == y ? 1 : 0); }
    public Dense ne(Dense o) { return zip(this, o, (x, y) -> x != y ? 1 : 0); }

    /**
     * C's (and so NumPy's) {@code pow}, which differs from {@link Math#pow} at a few special values:
     * {@code pow(1, y)} is 1 for any y (NaN included) and {@code pow(-1, +-inf)} is 1.
     */
    public static double cpow(double x, double y) {
        if (x == 1.0 || y == 0.0) return 1.0;
        if (x == -1.0 && Double.isInfinite(y)) return 1.0;
        return Math.pow(x, y);
    }

    /** numpy.remainder: the sign of the divisor (integers and floats alike; a zero divisor: NaN, or 0 for integers). */
    public Dense mod(Dense o, boolean integers) { return zip(this, o, (x, y) -> integers ? intMod(x, y) : floatMod(x, y)); }
    /** numpy.floor_divide (a zero integer divisor gives 0). */
    public Dense floorDivide(Dense o, boolean integers) { return zip(this, o, (x, y) -> integers ? intFloorDivide(x, y) : floatFloorDivide(x, y)); }
    public Dense arctan2(Dense o) { return zip(this, o, Math::atan2); }
    public Dense hypot(Dense o) { return zip(this, o, Math::hypot); }
    public Dense logicalAnd(Dense o) { return zip(this, o, (x, y) -> truth(x) && truth(y) ? 1 : 0); }
    public Dense logicalOr(Dense o) { return zip(this, o, (x, y) -> truth(x) || truth(y) ? 1 : 0); }
    public Dense logicalXor(Dense o) { return zip(this, o, (x, y) -> truth(x) != truth(y) ? 1 : 0); }

    private static boolean truth(double v) { return v != 0 || Double.isNaN(v); }

    static double intMod(double x, double y) {
        if (y == 0) return 0;
        long a = (long) x, b = (long) y, r = a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }

    static double intFloorDivide(double x, double y) {
        if (y == 0) return 0;
        long a = (long) x, b = (long) y, q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }

    /** Python's float %: exact (BigDecimal) for finite operands, then rounded once; the special cases as Python's. */
    static double floatMod(double x, double y) {
        if (Double.isNaN(x) || Double.isNaN(y) || Double.isInfinite(x) || y == 0) return Double.NaN;
        if (Double.isInfinite(y)) {
            if (x == 0) return Math.copySign(0.0, y);
            return (x < 0) == (y < 0) ? x : y;
        }
        java.math.BigDecimal a = new java.math.BigDecimal(x), b = new java.math.BigDecimal(y);
        java.math.BigDecimal q = a.divide(b, 0, java.math.RoundingMode.FLOOR);
        double r = a.subtract(q.multiply(b)).doubleValue();
        return r == 0 ? Math.copySign(0.0, y) : r;
    }

    /** Python's float //: floor of the exact quotient; x / y for a zero divisor, NaN for an infinite dividend. */
    static double floatFloorDivide(double x, double y) {
        if (y == 0) return x / y;
        if (Double.isNaN(x) || Double.isNaN(y) || Double.isInfinite(x)) return Double.NaN;
        if (Double.isInfinite(y)) return x == 0 || (x < 0) == (y < 0) ? Math.copySign(0.0, x / y) : -1.0;
        java.math.BigDecimal q = new java.math.BigDecimal(x).divide(new java.math.BigDecimal(y), 0, java.math.RoundingMode.FLOOR);
        double d = q.doubleValue();
        return d == 0 ? Math.copySign(0.0, x / y) : d;
    }

    public Dense sign() { return map(v -> Double.isNaN(v) ? v : v > 0 ? 1 : v < 0 ? -1 : 0.0); }
    public Dense square() { return map(v -> v * v); }
    public Dense expm1() { return map(Math::expm1); }
    public Dense log1p() { return map(Math::log1p); }
    public Dense log2() { return map(v -> Math.log(v) / Math.log(2)); }
    public Dense log10() { return map(Math::log10); }
    public Dense tan() { return map(Math::tan); }
    public Dense arcsin() { return map(Math::asin); }
    public Dense arccos() { return map(Math::acos); }
    public Dense arctan() { return map(Math::atan); }
    public Dense sinh() { return map(Math::sinh); }
    public Dense cosh() { return map(Math::cosh); }
    public Dense floor() { return map(Math::floor); }
    public Dense ceil() { return map(Math::ceil); }
    public Dense trunc() { return map(v -> v < 0 ? -Math.floor(-v) : Math.floor(v)); }
    /** Half to even, written out (not Math.rint): the nearest integer, ties to the even one. */
    public Dense rint() {
        return map(v -> {
            if (Double.isNaN(v) || Double.isInfinite(v) || Math.abs(v) >= 0x1p52) return v;
            double f = Math.floor(v), d = v - f;
            double r = d < 0.5 ? f : d > 0.5 ? f + 1 : (f % 2 == 0 ? f : f + 1);
            return r == 0 ? Math.copySign(0.0, v) : r;
        });
    }
    public Dense isnan() { return map(v -> Double.isNaN(v) ? 1 : 0); }
    public Dense isinf() { return map(v -> Double.isInfinite(v) ? 1 : 0); }
    public Dense isfinite() { return map(v -> Double.isFinite(v) ? 1 : 0); }
    public Dense logicalNot() { return map(v -> truth(v) ? 0 : 1); }

    public Dense neg() { return map(v -> -v); }
    public Dense abs() { return map(Math::abs); }
    public Dense exp() { return map(Math::exp); }
    public Dense log() { return map(Math::log); }
    public Dense sqrt() { return map(Math::sqrt); }
    public Dense sin() { return map(Math::sin); }
    public Dense cos() { return map(Math::cos); }
    public Dense tanh() { return map(Math::tanh); }

    /** {@code cond != 0 ? a : b}, broadcasting all three (NaN counts as true). */
    public static Dense where(Dense cond, Dense a, Dense b) {
        long[] out = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
        double[] d = new double[Math.toIntExact(size(out))];
        long[] idx = new long[out.length];
        for (int i = 0; i < d.length; i++) {
            double c = cond.broadcastGet(idx);
            d[i] = c != 0 || Double.isNaN(c) ? a.broadcastGet(idx) : b.broadcastGet(idx);
            increment(idx, out);
        }
        return new Dense(d, out);
    }

    // ---- reductions ----

    public enum Reduction { SUM, PROD, MIN, MAX, MEAN, VAR, STD }

    /** NumPy's reduction over {@code axes} (none: all axes, 0-d result; negative axes count from the end). */
    public Dense reduce(Reduction r, int... axes) { return reduceGroups(g -> reduceGroup(r, g), axes); }

    public Dense sum(int... axes) { return reduce(Reduction.SUM, axes); }
    public Dense prod(int... axes) { return reduce(Reduction.PROD, axes); }
    public Dense min(int... axes) { return reduce(Reduction.MIN, axes); }
    public Dense max(int... axes) { return reduce(Reduction.MAX, axes); }
    public Dense mean(int... axes) { return reduce(Reduction.MEAN, axes); }
    public Dense var(int... axes) { return reduce(Reduction.VAR, axes); }
    public Dense std(int... axes) { return reduce(Reduction.STD, axes); }

    private static double reduceGroup(Reduction r, List<Double> g) {
        int n = g.size();
        switch (r) {
            case SUM: return exactSum(g);
            case PROD: {
                double p = 1;
                for (double v : g) p *= v;
                return p;
            }
            case MIN:
            case MAX: {
                if (n == 0) throw new IllegalArgumentException("zero-size reduction has no identity");
                double best = g.get(0);
                for (double v : g) {
                    if (Double.isNaN(v) || Double.isNaN(best)) best = Double.NaN;
                    else best = r == Reduction.MAX ? Math.max(best, v) : Math.min(best, v);
                }
                return best;
            }
            default: {
                if (n == 0) return Double.NaN;
                double mean = exactSum(g) / n;
                if (r == Reduction.MEAN) return mean;
                List<Double> sq = new ArrayList<>();
                for (double v : g) sq.add((v - mean) * (v - mean));
                double var = exactSum(sq) / n;
                return r == Reduction.VAR ? var : Math.sqrt(var);
            }
        }
    }

    /** The sum rounded once (BigDecimal), or NaN/inf as IEEE addition gives them in any order. */
    static double exactSum(List<Double> g) {
        boolean nan = false, pos = false, neg = false;
        java.math.BigDecimal s = java.math.BigDecimal.ZERO;
        for (double v : g) {
            if (Double.isNaN(v)) nan = true;
            else if (v == Double.POSITIVE_INFINITY) pos = true;
            else if (v == Double.NEGATIVE_INFINITY) neg = true;
            else s = s.add(new java.math.BigDecimal(v));
        }
        if (nan || (pos && neg)) return Double.NaN;
        if (pos) return Double.POSITIVE_INFINITY;
        if (neg) return Double.NEGATIVE_INFINITY;
        return s.doubleValue();
    }

    /** Index of the largest value along {@code axis}, the first on ties; the first NaN wins (as NumPy). */
    public Dense argmax(int axis) { return arg(axis, true); }

    /** Index of the smallest value along {@code axis}, the first on ties; the first NaN wins (as NumPy). */
    public Dense argmin(int axis) { return arg(axis, false); }

    private Dense arg(int axis, boolean max) {
        int ax = normAxis(axis, shape.length);
        if (shape[ax] == 0) throw new IllegalArgumentException("attempt to get argmax/argmin of an empty sequence");
        boolean[] red = new boolean[shape.length];
        red[ax] = true;
        long[] outShape = keptShape(red);
        int m = Math.toIntExact(size(outShape));
        double[] best = new double[m];
        double[] at = new double[m];
        boolean[] seen = new boolean[m];
        long[] idx = new long[shape.length];
        for (int i = 0; i < data.length; i++) {
            int j = outFlat(idx, red, outShape);
            double v = data[i];
            boolean take;
            if (!seen[j]) take = true;
            else if (Double.isNaN(best[j])) take = false;
            else if (Double.isNaN(v)) take = true;
            else take = max ? v > best[j] : v < best[j];
            if (take) {
                best[j] = v;
                at[j] = idx[ax];
                seen[j] = true;
            }
            increment(idx, shape);
        }
        return new Dense(at, outShape);
    }

    // ---- any/all, NaN-skipping reductions, scans, histogram ----

    /** NumPy's any over {@code axes}: 1 where some element is non-zero (NaN is), else 0 (also over nothing). */
    public Dense any(int... axes) { return reduceGroups(g -> g.stream().anyMatch(v -> v != 0 || Double.isNaN(v)) ? 1 : 0, axes); }

    /** NumPy's all over {@code axes}: 1 where every element is non-zero (NaN is), else 0; 1 over nothing. */
    public Dense all(int... axes) { return reduceGroups(g -> g.stream().allMatch(v -> v != 0 || Double.isNaN(v)) ? 1 : 0, axes); }

    private static List<Double> withoutNan(List<Double> g) { return g.stream().filter(v -> !Double.isNaN(v)).toList(); }

    /** numpy.nansum: the sum of the non-NaN values (0 if none), rounded once. */
    public Dense nansum(int... axes) { return reduceGroups(g -> exactSum(withoutNan(g)), axes); }

    /** numpy.nanmean: NaN where no value is left. */
    public Dense nanmean(int... axes) { return reduceGroups(g -> reduceGroup(Reduction.MEAN, withoutNan(g)), axes); }

    /** numpy.nanvar (ddof 0): NaN where no value is left. */
    public Dense nanvar(int... axes) { return reduceGroups(g -> reduceGroup(Reduction.VAR, withoutNan(g)), axes); }

    /** numpy.nanstd (ddof 0): NaN where no value is left. */
    public Dense nanstd(int... axes) { return reduceGroups(g -> reduceGroup(Reduction.STD, withoutNan(g)), axes); }

    /** numpy.nanmin: NaN for an all-NaN group; an empty group is an error. */
    public Dense nanmin(int... axes) { return nanExtreme(false, axes); }

    /** numpy.nanmax: NaN for an all-NaN group; an empty group is an error. */
    public Dense nanmax(int... axes) { return nanExtreme(true, axes); }

    private Dense nanExtreme(boolean max, int[] axes) {
        return reduceGroups(g -> {
            if (g.isEmpty()) throw new IllegalArgumentException("zero-size reduction has no identity");
            List<Double> left = withoutNan(g);
            return left.isEmpty() ? Double.NaN : reduceGroup(max ? Reduction.MAX : Reduction.MIN, left);
        }, axes);
    }

    /** Each group of values over {@code axes} (in row-major order) reduced by {@code f}. */
    private Dense reduceGroups(java.util.function.ToDoubleFunction<List<Double>> f, int[] axes) {
        boolean[] red = axisFlags(axes);
        long[] outShape = keptShape(red);
        int m = Math.toIntExact(size(outShape));
        List<List<Double>> groups = new ArrayList<>();
        for (int j = 0; j < m; j++) groups.add(new ArrayList<>());
        long[] idx = new long[shape.length];
        for (int i = 0; i < data.length; i++) {
            groups.get(outFlat(idx, red, outShape)).add(data[i]);
            increment(idx, shape);
        }
        double[] d = new double[m];
        for (int j = 0; j < m; j++) d[j] = f.applyAsDouble(groups.get(j));
        return new Dense(d, outShape);
    }

    /**
     * numpy.cumsum along {@code axis}: element by element along each line, {@code s = s + x}, each step stored in
     * {@code t} (float32 rounds after every step, as NumPy accumulates float32 in float32).
     */
    public Dense cumsum(int axis, DType t) { return scan(axis, t, Double::sum); }

    /** numpy.cumprod along {@code axis}, each step stored in {@code t}. */
    public Dense cumprod(int axis, DType t) { return scan(axis, t, (a, b) -> a * b); }

    private Dense scan(int axis, DType t, DoubleBinaryOperator op) {
        int ax = normAxis(axis, shape.length);
        double[] d = new double[data.length];
        long[] idx = new long[shape.length];
        for (int i = 0; i < data.length; i++) {
            double v = data[i];
            if (idx[ax] > 0) {
                long[] prev = idx.clone();
                prev[ax]--;
                v = op.applyAsDouble(d[flat(prev)], v);
            }
            d[i] = t == DType.FLOAT32 ? (float) v : v;
            increment(idx, shape);
        }
        return new Dense(d, shape.clone());
    }

    /**
     * numpy.histogram(values, bins, range=(lo, hi))[0], found by comparing each value with the edges
     * {@code np.linspace(lo, hi, bins + 1)} (float32 edges for float32 data): bin i holds {@code e[i] <= x < e[i+1]},
     * the last bin also {@code x == e[bins]}; values outside the range and NaN are not counted. An empty range is
     * widened by 0.5 each way.
     */
    public Dense histogram(int bins, double lo, double hi, boolean float32) {
        if (lo == hi) {
            lo -= 0.5;
            hi += 0.5;
        }
        double[] e = linspaceEdges(bins, lo, hi, float32);
        double[] counts = new double[bins];
        for (double x : data) {
            for (int b = 0; b < bins; b++) {
                if (e[b] <= x && (x < e[b + 1] || (b == bins - 1 && x == e[bins]))) {
                    counts[b]++;
                    break;
                }
            }
        }
        return new Dense(counts, new long[]{bins});
    }

    /** {@code np.linspace(lo, hi, bins + 1)} (computed in float64, then rounded to float32 where asked). */
    public static double[] linspaceEdges(int bins, double lo, double hi, boolean float32) {
        double[] e = new double[bins + 1];
        double step = (hi - lo) / bins;
        for (int i = 0; i < bins; i++) e[i] = i * step + lo;
        e[bins] = hi;
        if (float32) for (int i = 0; i <= bins; i++) e[i] = (float) e[i];
        return e;
    }

    // ---- linear algebra ----

    /** NumPy's matmul for 1-D and 2-D operands (1-D @ 1-D gives a 0-d dot product). */
    public Dense matmul(Dense o) {
        if (ndim() < 1 || ndim() > 2 || o.ndim() < 1 || o.ndim() > 2) throw new IllegalArgumentException("matmul takes 1-D or 2-D");
        long m = ndim() == 1 ? 1 : shape[0], k = shape[ndim() - 1];
        long k2 = o.ndim() == 1 ? o.shape[0] : o.shape[0], n = o.ndim() == 1 ? 1 : o.shape[1];
        if (k != k2) throw new IllegalArgumentException("matmul contraction mismatch " + k + " != " + k2);
        double[] d = new double[Math.toIntExact(m * n)];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += data[(int) (i * k + p)] * o.data[(int) (p * n + j)];
                d[(int) (i * n + j)] = s;
            }
        }
        List<Long> out = new ArrayList<>();
        if (ndim() == 2) out.add(m);
        if (o.ndim() == 2) out.add(n);
        return new Dense(d, out.stream().mapToLong(Long::longValue).toArray());
    }

    /**
     * numpy.tensordot(this, o, axes=(axesA, axesB)): output index (free axes of this, then free axes of o), each
     * element the sum over every index of the paired axes of the products, in row-major order of those axes.
     */
    public Dense tensordot(Dense o, int[] axesA, int[] axesB) {
        int[] ia = new int[axesA.length], ib = new int[axesB.length];
        boolean[] sa = new boolean[ndim()], sb = new boolean[o.ndim()];
        for (int k = 0; k < ia.length; k++) {
            ia[k] = normAxis(axesA[k], ndim());
            ib[k] = normAxis(axesB[k], o.ndim());
            if (shape[ia[k]] != o.shape[ib[k]]) throw new IllegalArgumentException("tensordot: shape-mismatch for sum");
            sa[ia[k]] = true;
            sb[ib[k]] = true;
        }
        List<Integer> freeA = new ArrayList<>(), freeB = new ArrayList<>();
        List<Long> outShape = new ArrayList<>();
        for (int a = 0; a < ndim(); a++) if (!sa[a]) { freeA.add(a); outShape.add(shape[a]); }
        for (int a = 0; a < o.ndim(); a++) if (!sb[a]) { freeB.add(a); outShape.add(o.shape[a]); }
        long[] os = outShape.stream().mapToLong(Long::longValue).toArray();
        long[] sumShape = new long[ia.length];
        for (int k = 0; k < ia.length; k++) sumShape[k] = shape[ia[k]];
        double[] d = new double[Math.toIntExact(size(os))];
        long[] oi = new long[os.length];
        for (int i = 0; i < d.length; i++) {
            long[] x = new long[ndim()], y = new long[o.ndim()];
            for (int k = 0; k < freeA.size(); k++) x[freeA.get(k)] = oi[k];
            for (int k = 0; k < freeB.size(); k++) y[freeB.get(k)] = oi[freeA.size() + k];
            long[] si = new long[sumShape.length];
            double s = 0;
            for (long c = 0; c < size(sumShape); c++) {
                for (int k = 0; k < si.length; k++) {
                    x[ia[k]] = si[k];
                    y[ib[k]] = si[k];
                }
                s += data[flat(x)] * o.data[o.flat(y)];
                increment(si, sumShape);
            }
            d[i] = s;
            increment(oi, os);
        }
        return new Dense(d, os);
    }

    // ---- manipulation ----

    /** Reverses the axes. */
    public Dense transpose() {
        int[] p = new int[ndim()];
        for (int i = 0; i < p.length; i++) p[i] = p.length - 1 - i;
        return transpose(p);
    }

    /** Output axis {@code i} is input axis {@code axes[i]} (negative axes count from the end). */
    public Dense transpose(int... axes) {
        int nd = ndim();
        if (axes.length != nd) throw new IllegalArgumentException("axes don't match array");
        int[] p = new int[nd];
        for (int i = 0; i < nd; i++) p[i] = normAxis(axes[i], nd);
        long[] outShape = new long[nd];
        for (int i = 0; i < nd; i++) outShape[i] = shape[p[i]];
        double[] d = new double[data.length];
        long[] idx = new long[nd];
        long[] src = new long[nd];
        for (int i = 0; i < d.length; i++) {
            for (int a = 0; a < nd; a++) src[p[a]] = idx[a];
            d[i] = data[flat(src)];
            increment(idx, outShape);
        }
        return new Dense(d, outShape);
    }

    /** The same values in row-major order in another shape; one dimension may be -1. */
    public Dense reshape(long... newShape) {
        long[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int a = 0; a < s.length; a++) {
            if (s[a] == -1) infer = a;
            else known *= s[a];
        }
        if (infer >= 0) s[infer] = data.length / known;
        if (size(s) != data.length) throw new IllegalArgumentException("cannot reshape");
        return new Dense(data.clone(), s);
    }

    /**
     * NumPy basic indexing: one {@link Sel} per leading axis (missing ones select all); an index drops its axis.
     * Python's slice semantics: negative starts and stops count from the end, out-of-range ones are clipped,
     * a negative step walks backwards from the end.
     */
    public Dense slice(Sel... sels) {
        if (sels.length > ndim()) throw new IllegalArgumentException("too many indices");
        int nd = ndim();
        List<long[]> picks = new ArrayList<>();
        List<Long> outShape = new ArrayList<>();
        boolean[] dropped = new boolean[nd];
        for (int a = 0; a < nd; a++) {
            Sel s = a < sels.length ? sels[a] : Sel.all();
            long[] pos = s.positions(shape[a]);
            picks.add(pos);
            if (s.isIndex()) dropped[a] = true;
            else outShape.add((long) pos.length);
        }
        long[] os = outShape.stream().mapToLong(Long::longValue).toArray();
        int n = Math.toIntExact(size(os));
        double[] d = new double[n];
        long[] oidx = new long[os.length];
        long[] src = new long[nd];
        for (int i = 0; i < n; i++) {
            for (int a = 0, o = 0; a < nd; a++) src[a] = picks.get(a)[dropped[a] ? 0 : (int) oidx[o++]];
            d[i] = data[flat(src)];
            increment(oidx, os);
        }
        return new Dense(d, os);
    }

    /** Joins arrays along an existing axis (other axes equal). */
    public static Dense concatenate(int axis, Dense... parts) {
        int nd = parts[0].ndim();
        int ax = normAxis(axis, nd);
        long[] outShape = parts[0].shape.clone();
        outShape[ax] = 0;
        for (Dense p : parts) {
            for (int a = 0; a < nd; a++) {
                if (a != ax && p.shape[a] != parts[0].shape[a]) throw new IllegalArgumentException("concatenate: shapes differ");
            }
            outShape[ax] += p.shape[ax];
        }
        double[] d = new double[Math.toIntExact(size(outShape))];
        long[] idx = new long[nd];
        for (int i = 0; i < d.length; i++) {
            long pos = idx[ax];
            int k = 0;
            while (pos >= parts[k].shape[ax]) pos -= parts[k++].shape[ax];
            long[] src = idx.clone();
            src[ax] = pos;
            d[i] = parts[k].data[parts[k].flat(src)];
            increment(idx, outShape);
        }
        return new Dense(d, outShape);
    }

    /** Joins arrays of one shape along a new axis {@code axis} (in {@code [-ndim-1, ndim]}). */
    public static Dense stack(int axis, Dense... parts) {
        int ax = normAxis(axis, parts[0].ndim() + 1);
        Dense[] expanded = new Dense[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!Arrays.equals(parts[i].shape, parts[0].shape)) throw new IllegalArgumentException("stack: shapes differ");
            long[] s = new long[parts[i].ndim() + 1];
            for (int a = 0, b = 0; a < s.length; a++) s[a] = a == ax ? 1 : parts[i].shape[b++];
            expanded[i] = new Dense(parts[i].data.clone(), s);
        }
        return concatenate(ax, expanded);
    }

    /** numpy.flip along one axis: element {@code i} along it comes from {@code len - 1 - i}. */
    public Dense flip(int axis) {
        int ax = normAxis(axis, ndim());
        double[] d = new double[data.length];
        long[] idx = new long[ndim()];
        for (int i = 0; i < d.length; i++) {
            long[] src = idx.clone();
            src[ax] = shape[ax] - 1 - idx[ax];
            d[i] = data[flat(src)];
            increment(idx, shape);
        }
        return new Dense(d, shape.clone());
    }

    /** numpy.swapaxes: output index with positions {@code a} and {@code b} exchanged reads the input. */
    public Dense swapaxes(int a, int b) {
        int x = normAxis(a, ndim()), y = normAxis(b, ndim());
        long[] outShape = shape.clone();
        outShape[x] = shape[y];
        outShape[y] = shape[x];
        double[] d = new double[data.length];
        long[] idx = new long[ndim()];
        for (int i = 0; i < d.length; i++) {
            long[] src = idx.clone();
            src[x] = idx[y];
            src[y] = idx[x];
            d[i] = data[flat(src)];
            increment(idx, outShape);
        }
        return new Dense(d, outShape);
    }

    /** numpy.expand_dims: the same values with a new axis of length 1 at {@code axis} in {@code [-ndim-1, ndim]}. */
    public Dense expandDims(int axis) {
        int ax = normAxis(axis, ndim() + 1);
        long[] s = new long[ndim() + 1];
        for (int a = 0, b = 0; a < s.length; a++) s[a] = a == ax ? 1 : shape[b++];
        return new Dense(data.clone(), s);
    }

    /** numpy.squeeze: the axes given (all of length 1), or all axes of length 1, removed; the values stay in order. */
    public Dense squeeze(int... axes) {
        boolean[] drop = new boolean[ndim()];
        if (axes.length == 0) for (int a = 0; a < drop.length; a++) drop[a] = shape[a] == 1;
        for (int ax : axes) {
            int a = normAxis(ax, ndim());
            if (shape[a] != 1) throw new IllegalArgumentException("squeeze of an axis of length " + shape[a]);
            drop[a] = true;
        }
        List<Long> s = new ArrayList<>();
        for (int a = 0; a < drop.length; a++) if (!drop[a]) s.add(shape[a]);
        return new Dense(data.clone(), s.stream().mapToLong(Long::longValue).toArray());
    }

    /** numpy.broadcast_to: output index reads the input at the trailing axes, position 0 where the input has length 1. */
    public Dense broadcastTo(long... target) {
        int lead = target.length - ndim();
        if (lead < 0) throw new IllegalArgumentException("broadcast_to to fewer dimensions");
        for (int a = 0; a < ndim(); a++) {
            if (shape[a] != 1 && shape[a] != target[a + lead]) throw new IllegalArgumentException("not broadcastable");
        }
        double[] d = new double[Math.toIntExact(size(target))];
        long[] idx = new long[target.length];
        long[] src = new long[ndim()];
        for (int i = 0; i < d.length; i++) {
            for (int a = 0; a < ndim(); a++) src[a] = shape[a] == 1 ? 0 : idx[a + lead];
            d[i] = data[flat(src)];
            increment(idx, target);
        }
        return new Dense(d, target.clone());
    }

    /** numpy.ravel: the values in C order, 1-D. */
    public Dense ravel() { return new Dense(data.clone(), new long[]{data.length}); }

    /** numpy.take along an axis: position {@code i} along it reads position {@code indices[i]} (negative from the end). */
    public Dense take(long[] indices, int axis) {
        int ax = normAxis(axis, ndim());
        long[] outShape = shape.clone();
        outShape[ax] = indices.length;
        double[] d = new double[Math.toIntExact(size(outShape))];
        long[] idx = new long[ndim()];
        for (int i = 0; i < d.length; i++) {
            long[] src = idx.clone();
            long k = indices[(int) idx[ax]];
            if (k < -shape[ax] || k >= shape[ax]) throw new IndexOutOfBoundsException("take: index " + k);
            src[ax] = k;       // flat() counts a negative index from the end
            d[i] = data[flat(src)];
            increment(idx, outShape);
        }
        return new Dense(d, outShape);
    }

    /** numpy.extract: the values (in C order) whose element of {@code cond} (same size, any shape) is non-zero or NaN. */
    public Dense extract(Dense cond) {
        if (cond.data.length != data.length) throw new IllegalArgumentException("extract: sizes differ");
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < data.length; i++) if (cond.data[i] != 0) out.add(data[i]);   // NaN != 0 holds
        return new Dense(out.stream().mapToDouble(Double::doubleValue).toArray(), new long[]{out.size()});
    }

    // ---- index arithmetic ----

    static long size(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    /** Advances a row-major multi-index within {@code shape}. */
    static void increment(long[] idx, long[] shape) {
        for (int a = shape.length - 1; a >= 0; a--) {
            if (++idx[a] < shape[a]) return;
            idx[a] = 0;
        }
    }

    private int flat(long[] idx) {
        long f = 0;
        for (int a = 0; a < shape.length; a++) {
            long i = idx[a] < 0 ? idx[a] + shape[a] : idx[a];
            if (i < 0 || i >= shape[a]) throw new IndexOutOfBoundsException("index " + Arrays.toString(idx) + " outside " + Arrays.toString(shape));
            f = f * shape[a] + i;
        }
        return (int) f;
    }

    static int normAxis(int axis, int nd) {
        if (axis < -nd || axis >= nd) throw new IllegalArgumentException("axis " + axis + " out of range for ndim " + nd);
        return axis < 0 ? axis + nd : axis;
    }

    private boolean[] axisFlags(int[] axes) {
        boolean[] red = new boolean[shape.length];
        if (axes == null || axes.length == 0) {
            Arrays.fill(red, true);
            return red;
        }
        for (int ax : axes) {
            int a = normAxis(ax, shape.length);
            if (red[a]) throw new IllegalArgumentException("duplicate axis " + ax);
            red[a] = true;
        }
        return red;
    }

    private long[] keptShape(boolean[] red) {
        List<Long> out = new ArrayList<>();
        for (int a = 0; a < shape.length; a++) if (!red[a]) out.add(shape[a]);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private int outFlat(long[] idx, boolean[] red, long[] outShape) {
        long f = 0;
        for (int a = 0, o = 0; a < shape.length; a++) if (!red[a]) f = f * outShape[o++] + idx[a];
        return (int) f;
    }

    @Override
    public String toString() {
        int n = Math.min(data.length, 8);
        StringBuilder b = new StringBuilder("Dense(").append(Arrays.toString(shape)).append(", [");
        for (int i = 0; i < n; i++) b.append(i > 0 ? ", " : "").append(data[i]);
        return b.append(data.length > n ? ", ...])" : "])").toString();
    }
}
