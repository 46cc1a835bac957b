package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.InvalidArgumentException;
import io.chunkwise.Shapes;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Partial;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.UnaryOp;
import io.chunkwise.testing.Contexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Vector API loops ({@link VectorLoops}) against the plain ones ({@link ScalarLoops}), family by family, over
 * sizes that straddle the vector widths (4 and 8 lanes), the 16 logical lanes of the sums and a tile, from ranges
 * that start at offset 0 and inside an array. Results must be bit-identical (NaN equal to NaN), the transcendental
 * functions included (they run {@link Math}'s, the same bits before and after the JIT compiles them). Then the same at
 * the backend level: a CPU backend on each kind of loops, elementwise expressions and every reduction. The
 * comparisons are skipped, with the reason, where the JVM runs without the Vector API; the order and the accuracy
 * of the sums are checked on whichever loops there are.
 */
class VectorLoopsTest {
    private static final int[] SIZES = {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1023, 1025};
    private static final int[] OFFSETS = {0, 3};

    private final Loops scalar = Vectorization.scalar();
    private final Loops vector = Vectorization.vector();

    static LongStream seeds() {
        return Arrays.stream(Contexts.seeds());
    }

    /** The comparisons need both kinds of loops. */
    private void needsTheVectorApi() {
        assumeTrue(vector != null, "the Vector API is not in use here (start the JVM with "
                + "--add-modules=jdk.incubator.vector and C2), so there is nothing to compare with the scalar loops");
    }

    /** The loops this JVM has: the scalar ones, and the vector ones where the Vector API is in use. */
    private List<Loops> available() {
        return vector == null ? List.of(scalar) : List.of(scalar, vector);
    }

    // ---------------------------------------------------------------- elementwise

    /** A loop gives the same bits on its first call and after the JIT compiled it (the Vector API's exp did not). */
    @org.junit.jupiter.api.Test
    void unaryLoopsGiveTheSameBitsBeforeAndAfterCompilation() {
        double[] x = new double[64];
        for (int i = 0; i < x.length; i++) x[i] = -100 + 3.1 * i;
        x[5] = -61;
        for (Loops loops : available()) {
            for (UnaryOp op : new UnaryOp[]{UnaryOp.EXP, UnaryOp.LOG, UnaryOp.SIN, UnaryOp.COS, UnaryOp.TANH}) {
                double[] first = new double[64], later = new double[64];
                loops.unary(op, x, 0, first, 0, 64);
                for (int k = 0; k < 30_000; k++) loops.unary(op, x, 0, later, 0, 64);
                assertSame(first, later, 0, loops.getClass().getSimpleName() + " " + op + " after 30,000 calls", x);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void unaryLoopsAgree(long seed) {
        needsTheVectorApi();
        Random rnd = new Random(seed);
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : SIZES) {
                for (int off : OFFSETS) {
                    String what = "seed " + seed + ", " + op + ", n " + n + " at " + off;
                    double[] x = doubles(rnd, off + n);
                    long[] y = longs(rnd, off + n);
                    if (op.isPredicate()) {
                        long[] want = new long[off + n], got = new long[off + n];
                        scalar.predicate(op, x, off, want, off, n);
                        vector.predicate(op, x, off, got, off, n);
                        assertSame(want, got, what);
                        scalar.predicate(op, y, off, want, off, n);
                        vector.predicate(op, y, off, got, off, n);
                        assertSame(want, got, what + " (int64)");
                        continue;
                    }
                    double[] want = new double[off + n], got = new double[off + n];
                    scalar.unary(op, x, off, want, off, n);
                    vector.unary(op, x, off, got, off, n);
                    assertSame(want, got, 0, what, x);
                    long[] wantL = new long[off + n], gotL = new long[off + n];
                    if (op.forms().javaLong() != null) {
                        scalar.unary(op, y, off, wantL, off, n);
                        vector.unary(op, y, off, gotL, off, n);
                        assertSame(wantL, gotL, what + " (int64)");
                    } else {
                        assertThrows(IllegalArgumentException.class, () -> vector.unary(op, y, off, gotL, off, n), what);
                    }
                }
            }
        }
    }

    /** Arithmetic between two arrays, an array and a scalar, and a scalar and an array, for both tile types. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void binaryLoopsAgree(long seed) {
        needsTheVectorApi();
        Random rnd = new Random(seed);
        EnumSet<BinaryOp> checked = EnumSet.noneOf(BinaryOp.class);
        for (BinaryOp op : BinaryOp.values()) {
            if (op.isPredicate()) continue;
            for (int n : SIZES) {
                for (int off : OFFSETS) {
                    String what = "seed " + seed + ", " + op + ", n " + n + " at " + off;
                    double[] a = doubles(rnd, off + n), b = doubles(rnd, off + n);
                    double s = doubles(rnd, 1)[0];
                    double[] want = new double[off + n], got = new double[off + n];
                    scalar.binary(op, a, off, b, off, want, off, n);
                    vector.binary(op, a, off, b, off, got, off, n);
                    assertSame(want, got, 0, what + " (array, array)", a);
                    scalar.binary(op, a, off, s, want, off, n);
                    vector.binary(op, a, off, s, got, off, n);
                    assertSame(want, got, 0, what + " (array, " + s + ")", a);
                    scalar.binary(op, s, b, off, want, off, n);
                    vector.binary(op, s, b, off, got, off, n);
                    assertSame(want, got, 0, what + " (" + s + ", array)", b);

                    long[] x = longs(rnd, off + n), y = longs(rnd, off + n);
                    long t = longs(rnd, 1)[0] & (op == BinaryOp.POW ? Long.MAX_VALUE : -1L); // a non-negative exponent
                    long[] wantL = new long[off + n], gotL = new long[off + n];
                    if (op == BinaryOp.POW) { // a negative integer exponent is refused (NumPy's ValueError)
                        if (n > 0) {
                            long[] negative = y.clone();
                            negative[off + n - 1] = -1;
                            assertThrows(InvalidArgumentException.class, () -> vector.binary(op, x, off, negative, off, gotL, off, n), what);
                            assertThrows(InvalidArgumentException.class, () -> vector.binary(op, x, off, -1L, gotL, off, n), what);
                        }
                        for (int i = 0; i < y.length; i++) y[i] &= Long.MAX_VALUE;
                    }
                    if (op.forms().javaLong() == null) { // integers are promoted to float64 before a division, arctan2, ...
                        assertThrows(IllegalArgumentException.class, () -> vector.binary(op, x, off, y, off, gotL, off, n), what);
                        assertThrows(IllegalArgumentException.class, () -> vector.binary(op, x, off, t, gotL, off, n), what);
                        assertThrows(IllegalArgumentException.class, () -> vector.binary(op, t, y, off, gotL, off, n), what);
                        continue;
                    }
                    scalar.binary(op, x, off, y, off, wantL, off, n);
                    vector.binary(op, x, off, y, off, gotL, off, n);
                    assertSame(wantL, gotL, what + " (int64 array, array)");
                    scalar.binary(op, x, off, t, wantL, off, n);
                    vector.binary(op, x, off, t, gotL, off, n);
                    assertSame(wantL, gotL, what + " (int64 array, " + t + ")");
                    scalar.binary(op, t, y, off, wantL, off, n);
                    vector.binary(op, t, y, off, gotL, off, n);
                    assertSame(wantL, gotL, what + " (int64 " + t + ", array)");
                }
            }
            checked.add(op);
        }
        assertEquals(EnumSet.complementOf(EnumSet.of(BinaryOp.GT, BinaryOp.GE, BinaryOp.LT, BinaryOp.LE, BinaryOp.EQ,
                BinaryOp.NE, BinaryOp.LOGICAL_AND, BinaryOp.LOGICAL_OR, BinaryOp.LOGICAL_XOR)), checked, "arithmetic ops checked");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void comparisonsAndWhereAgree(long seed) {
        needsTheVectorApi();
        Random rnd = new Random(seed);
        int comparisons = 0;
        for (BinaryOp op : BinaryOp.values()) {
            if (!op.isPredicate()) continue;
            comparisons++;
            for (int n : SIZES) {
                for (int off : OFFSETS) {
                    String what = "seed " + seed + ", " + op + ", n " + n + " at " + off;
                    double[] a = doubles(rnd, off + n), b = doubles(rnd, off + n);
                    long[] want = new long[off + n], got = new long[off + n];
                    scalar.compare(op, a, off, b, off, want, off, n);
                    vector.compare(op, a, off, b, off, got, off, n);
                    assertSame(want, got, what);
                    long[] x = longs(rnd, off + n), y = longs(rnd, off + n);
                    scalar.compare(op, x, off, y, off, want, off, n);
                    vector.compare(op, x, off, y, off, got, off, n);
                    assertSame(want, got, what + " (int64)");
                }
            }
        }
        assertEquals(9, comparisons);
        for (int n : SIZES) {
            for (int off : OFFSETS) {
                String what = "seed " + seed + ", where, n " + n + " at " + off;
                long[] cond = longs(rnd, off + n); // any non-zero value is true
                double[] a = doubles(rnd, off + n), b = doubles(rnd, off + n);
                double[] want = new double[off + n], got = new double[off + n];
                scalar.where(cond, off, a, off, b, off, want, off, n);
                vector.where(cond, off, a, off, b, off, got, off, n);
                assertSame(want, got, 0, what, a);
                long[] x = longs(rnd, off + n), y = longs(rnd, off + n);
                long[] wantL = new long[off + n], gotL = new long[off + n];
                scalar.where(cond, off, x, off, y, off, wantL, off, n);
                vector.where(cond, off, x, off, y, off, gotL, off, n);
                assertSame(wantL, gotL, what + " (int64)");
            }
        }
    }

    // ---------------------------------------------------------------- reductions

    /** Sums follow one fixed order, so both kinds of loops give the same bits; min and max do not depend on it. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void reductionLoopsAgree(long seed) {
        needsTheVectorApi();
        Random rnd = new Random(seed);
        List<Integer> sizes = new ArrayList<>();
        for (int n : SIZES) sizes.add(n);
        sizes.addAll(List.of(2047, 2048, 2049, 5000)); // several pairwise leaves
        for (int n : sizes) {
            for (int off : OFFSETS) {
                String what = "seed " + seed + ", n " + n + " at " + off;
                double[] a = doubles(rnd, off + n);
                double[] finite = new double[off + n];
                for (int i = 0; i < finite.length; i++) finite[i] = rnd.nextGaussian() * (i % 3 == 0 ? 1e6 : 1);
                for (double[] x : new double[][]{a, finite}) {
                    assertSame(scalar.sum(x, off, n), vector.sum(x, off, n), what + ", sum");
                    double mean = n == 0 ? 0 : x[off] / 3;
                    assertSame(scalar.sumOfSquares(x, off, n, mean), vector.sumOfSquares(x, off, n, mean), what + ", sum of squares");
                    for (double init : new double[]{Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, Double.NaN}) {
                        assertSame(scalar.min(x, off, n, init), vector.min(x, off, n, init), what + ", min from " + init);
                        assertSame(scalar.max(x, off, n, init), vector.max(x, off, n, init), what + ", max from " + init);
                    }
                }
                long[] y = longs(rnd, off + n);
                assertEquals(scalar.sum(y, off, n), vector.sum(y, off, n), what + ", int64 sum");
                for (long init : new long[]{Long.MAX_VALUE, Long.MIN_VALUE, 0}) {
                    assertEquals(scalar.min(y, off, n, init), vector.min(y, off, n, init), what + ", int64 min");
                    assertEquals(scalar.max(y, off, n, init), vector.max(y, off, n, init), what + ", int64 max");
                }
            }
        }
    }

    /** The order of the sums: lanes, folded in halves, in pairwise leaves; -0.0 survives a sum of -0.0s. */
    @Test
    void sumsFollowTheDocumentedOrder() {
        Random rnd = new Random(11);
        for (int n : new int[]{0, 5, 16, 37, 1024, 1025, 3000}) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12));
            for (Loops loops : available()) assertSame(orderedSum(x, 0, n), loops.sum(x, 0, n), loops.describe() + ", n " + n);
        }
        double[] zeros = new double[40];
        Arrays.fill(zeros, -0.0);
        for (int n : new int[]{3, 40}) {
            for (Loops loops : available()) assertSame(-0.0, loops.sum(zeros, 0, n), loops.describe() + ", " + n + " times -0.0");
        }
    }

    /** The class comment of {@link Loops}, written out plainly. */
    private static double orderedSum(double[] a, int off, int n) {
        if (n > Loops.LEAF) {
            int half = n / 2 / Loops.LANES * Loops.LANES;
            return orderedSum(a, off, half) + orderedSum(a, off + half, n - half);
        }
        double[] lanes = new double[Loops.LANES];
        Arrays.fill(lanes, -0.0);
        for (int i = 0; i < n; i++) lanes[i % Loops.LANES] += a[off + i];
        for (int w = Loops.LANES / 2; w > 0; w /= 2) for (int j = 0; j < w; j++) lanes[j] += lanes[j + w];
        return lanes[0];
    }

    /**
     * Float64 sums of 10^7 normal values stay within 1e-12 (relative) of a compensated (double-double) sum: the
     * pairwise order keeps the error growing with log(n), where a plain running sum would lose digits.
     */
    @Test
    void pairwiseSumsOfManyValuesAreAccurate() {
        int n = 10_000_000;
        Random rnd = new Random(5);
        for (double mean : new double[]{0, 1}) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = mean + rnd.nextGaussian();
            double exact = compensatedSum(x);
            for (Loops loops : available()) {
                double got = loops.sum(x, 0, n);
                double rel = Math.abs(got - exact) / Math.abs(exact);
                assertTrue(rel <= 1e-12, loops.describe() + ": sum of 10^7 N(" + mean + ", 1) values is " + got
                        + ", compensated " + exact + ", relative error " + rel);
            }
            // through the reduction kernel: blocks of 4096 cascaded pairwise
            HostBlock block = new HostBlock(DType.FLOAT64, new int[]{n}, x);
            for (Loops loops : available()) {
                Partial p = Reductions.partial(loops, ReduceOp.SUM, block, new boolean[]{true}, 0);
                double got = ((HostBlock) p.parts()[0]).doubles()[0];
                assertTrue(Math.abs(got - exact) <= 1e-12 * Math.abs(exact), loops.describe() + ": partial sum " + got
                        + ", compensated " + exact);
            }
        }
    }

    /** Double-double accumulation (TwoSum): exact to about 2^-104 relative for these sums. */
    static double compensatedSum(double[] x) {
        double hi = 0, lo = 0;
        for (double v : x) {
            double s = hi + v;
            double bp = s - hi;
            double err = (hi - (s - bp)) + (v - bp);
            hi = s;
            lo += err;
        }
        return hi + lo;
    }

    // ---------------------------------------------------------------- through the backend

    /** Whole kernels on each kind of loops: tiles, in-place inputs, direct output writes and every reduction. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void backendsOnEitherLoopsAgree(long seed) {
        needsTheVectorApi();
        Random rnd = new Random(seed);
        CpuBackend plain = new CpuBackend(2, scalar), simd = new CpuBackend(2, vector);
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32, DType.INT64, DType.INT32}) {
            Expr x = new Expr.Input(0, t), y = new Expr.Input(1, t);
            Expr poly = new Expr.Binary(BinaryOp.ADD, new Expr.Binary(BinaryOp.MUL, x, x, t), new Expr.Const(10, t), t);
            Expr cmp = new Expr.Binary(BinaryOp.GT, x, y, DType.BOOL);
            Expr chosen = new Expr.Where(cmp, new Expr.Binary(BinaryOp.SUB, new Expr.Const(3, t), poly, t),
                    new Expr.Binary(BinaryOp.MAXIMUM, y, new Expr.Unary(UnaryOp.NEG, x, t), t), t);
            for (int n : SIZES) {
                int[] shape = {n};
                HostBlock[] in = {CpuBackendTest.Inputs.random(t, shape, rnd, true), CpuBackendTest.Inputs.random(t, shape, rnd, true)};
                int[][] strides = {{1}, {1}};
                Region region = new Region(shape, new long[]{0}, new long[]{n});
                for (Expr e : List.of(poly, cmp, chosen)) {
                    HostBlock want = (HostBlock) plain.elementwise(e, in, strides, region);
                    HostBlock got = (HostBlock) simd.elementwise(e, in, strides, region);
                    assertBlocksSame(want, got, "seed " + seed + ", " + Expr.show(e) + " " + t + ", n " + n);
                }
                for (ReduceOp op : ReduceOp.values()) {
                    if (!op.hasIdentity() && n == 0) continue;
                    String what = "seed " + seed + ", " + op + " of " + t + ", n " + n;
                    Partial want = (Partial) plain.reducePartial(op, in[0], new boolean[]{true}, 0);
                    Partial got = (Partial) simd.reducePartial(op, in[0], new boolean[]{true}, 0);
                    for (int k = 0; k < want.parts().length; k++) {
                        assertBlocksSame((HostBlock) want.parts()[k], (HostBlock) got.parts()[k], what + ", part " + k);
                    }
                }
            }
        }
        // a transcendental chain: equal to an ulp or two
        Expr x = new Expr.Input(0, DType.FLOAT64);
        Expr e = new Expr.Unary(UnaryOp.TANH, new Expr.Binary(BinaryOp.ADD, new Expr.Unary(UnaryOp.EXP, x, DType.FLOAT64),
                new Expr.Unary(UnaryOp.SIN, x, DType.FLOAT64), DType.FLOAT64), DType.FLOAT64);
        for (int n : SIZES) {
            HostBlock[] in = {CpuBackendTest.Inputs.random(DType.FLOAT64, new int[]{n}, rnd, true)};
            Region region = new Region(new int[]{n}, new long[]{0}, new long[]{n});
            HostBlock want = (HostBlock) plain.elementwise(e, in, new int[][]{{1}}, region);
            HostBlock got = (HostBlock) simd.elementwise(e, in, new int[][]{{1}}, region);
            // one ulp in exp or sin moves tanh's argument; compare relative to the result
            for (int i = 0; i < n; i++) {
                double w = want.doubles()[i], g = got.doubles()[i];
                assertTrue(Double.compare(w, g) == 0 || Math.abs(w - g) <= 1e-14 * Math.abs(w),
                        "seed " + seed + ", " + Expr.show(e) + " at " + i + ": " + w + " vs " + g);
            }
        }
    }

    /** A chunk written into its place in a larger result: dense rows, and a sub-block with a row stride. */
    @Test
    void elementwiseIntoWritesOnlyItsPlace() {
        Random rnd = new Random(3);
        CpuBackend cpu = new CpuBackend(2);
        Expr x = new Expr.Input(0, DType.FLOAT64);
        Expr e = new Expr.Binary(BinaryOp.ADD, new Expr.Binary(BinaryOp.MUL, x, x, DType.FLOAT64),
                new Expr.Const(10, DType.FLOAT64), DType.FLOAT64);
        Expr cast = new Expr.Cast(new Expr.Binary(BinaryOp.GT, x, new Expr.Const(0, DType.FLOAT64), DType.BOOL), DType.INT32);
        int rows = 7, cols = 1030;
        for (int[] part : new int[][]{{0, 7, 0, 1030}, {2, 5, 3, 1020}, {6, 7, 0, 1030}, {1, 4, 5, 6}}) {
            int r0 = part[0], r1 = part[1], c0 = part[2], c1 = part[3];
            int[] shape = {r1 - r0, c1 - c0};
            HostBlock in = CpuBackendTest.Inputs.random(DType.FLOAT64, shape, rnd, true);
            Region region = new Region(shape, new long[]{r0, c0}, new long[]{rows, cols});
            for (Expr expr : List.of(e, cast)) {
                HostBlock want = (HostBlock) cpu.elementwise(expr, new Block[]{in}, new int[][]{Shapes.strides(shape)}, region);
                HostBlock result = HostBlock.allocate(expr.dtype(), new int[]{rows, cols});
                Object sentinel = expr.dtype() == DType.FLOAT64 ? (Object) fill(result.doubles(), -7.5) : fill(result.ints(), -7);
                cpu.elementwiseInto(expr, new Block[]{in}, new int[][]{Shapes.strides(shape)}, region, result,
                        r0 * cols + c0, new int[]{cols, 1});
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        boolean inside = r >= r0 && r < r1 && c >= c0 && c < c1;
                        double v = result.getDouble(r * cols + c);
                        double w = inside ? want.getDouble((r - r0) * shape[1] + (c - c0)) : ((Number) sentinel).doubleValue();
                        if (Double.compare(v, w) != 0) {
                            fail(Expr.show(expr) + " into rows " + r0 + ".." + r1 + ", columns " + c0 + ".." + c1 + ": at ("
                                    + r + ", " + c + ") " + v + ", expected " + w);
                        }
                    }
                }
            }
        }
    }

    private static Double fill(double[] a, double v) {
        Arrays.fill(a, v);
        return v;
    }

    private static Integer fill(int[] a, int v) {
        Arrays.fill(a, v);
        return v;
    }

    // ---------------------------------------------------------------- data and comparisons

    /** Normal values with NaN, infinities, signed zeros, huge values and small integers (ties) mixed in. */
    private static double[] doubles(Random rnd, int n) {
        return CpuBackendTest.Inputs.random(DType.FLOAT64, new int[]{n}, rnd, true).doubles();
    }

    private static long[] longs(Random rnd, int n) {
        long[] a = CpuBackendTest.Inputs.random(DType.INT64, new int[]{n}, rnd, false).longs();
        for (int i = 0; i < n; i += 13) a[i] = rnd.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
        return a;
    }

    private static void assertSame(double want, double got, String what) {
        if (Double.doubleToLongBits(want) != Double.doubleToLongBits(got)) fail(what + ": " + got + ", expected " + want);
    }

    /** Equal bits (any NaN equal to any NaN), or within {@code ulps} ulps where that is allowed. */
    private static void assertSame(double[] want, double[] got, int ulps, String what, double[] operand) {
        for (int i = 0; i < want.length; i++) {
            double w = want[i], g = got[i];
            if (Double.doubleToLongBits(w) == Double.doubleToLongBits(g)) continue;
            if (ulps > 0 && Double.isFinite(w) && Double.isFinite(g)
                    && Math.abs(w - g) <= ulps * Math.ulp(Math.max(Math.abs(w), Math.abs(g)))) {
                continue;
            }
            fail(what + ": at " + i + " (operand " + operand[i] + ") " + g + ", expected " + w);
        }
    }

    private static void assertSame(long[] want, long[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            if (want[i] != got[i]) fail(what + ": at " + i + " " + got[i] + ", expected " + want[i]);
        }
    }

    private static void assertBlocksSame(HostBlock want, HostBlock got, String what) {
        assertEquals(want.dtype(), got.dtype(), what);
        assertEquals(want.size(), got.size(), what);
        for (int i = 0; i < want.size(); i++) {
            boolean same = want.dtype().isFloating()
                    ? Double.doubleToLongBits(want.getDouble(i)) == Double.doubleToLongBits(got.getDouble(i))
                    : want.getLong(i) == got.getLong(i);
            if (!same) fail(what + ": at " + i + " " + got.getDouble(i) + ", expected " + want.getDouble(i));
        }
    }
}
