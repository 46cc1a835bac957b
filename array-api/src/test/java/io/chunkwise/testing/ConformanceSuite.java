package io.chunkwise.testing;

import io.chunkwise.BlockFunction;
import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.InvalidArgumentException;
import io.chunkwise.MemoryBudgetExceededException;
import io.chunkwise.NDArray;
import io.chunkwise.Slice;
import io.chunkwise.graph.ChunkKey;
import io.chunkwise.graph.GraphBuilder;
import io.chunkwise.graph.Optimizer;
import io.chunkwise.graph.TaskGraph;
import io.chunkwise.testing.ArrayAssert.Tol;
import io.chunkwise.testing.Dense.Reduction;
import io.chunkwise.testing.NumpyTypes.Binary;
import io.chunkwise.testing.NumpyTypes.Unary;
import io.chunkwise.testing.RandomCases.Case;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.chunkwise.testing.ArrayAssert.assertArrayClose;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conformance suite: every operation of the public contract (ARCHITECTURE.md section 4) checked against the
 * {@link Dense} oracle on fresh random inputs, for every context of {@link #contexts()} and every seed of
 * {@link Contexts#seeds()}. Written once; a module runs it by extending it:
 * <pre>{@code class CpuConformanceTest extends ConformanceSuite {
 *     @Override protected List<TestContext> contexts() { return Contexts.providers(); }
 * }}</pre>
 * Every assertion message starts with the context, the seed and how to repeat it. The properties of chunking
 * ({@link ChunkingProperties}, the superclass) run with it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
public abstract class ConformanceSuite extends ChunkingProperties {

    /** The contexts this run covers; the default is {@link Contexts#all()}. */
    @Override
    protected List<TestContext> contexts() { return Contexts.all(); }

    Stream<Arguments> largeContexts() { return Contexts.large(contexts()); }

    // ---- helpers ----

    protected static Chunkwise open(TestContext ctx) {
        return open(ctx, b -> b);
    }

    protected static Chunkwise open(TestContext ctx, java.util.function.UnaryOperator<Chunkwise.Builder> customize) {
        assumeTrue(ctx.unavailableReason().isEmpty(), () -> ctx.name() + " is not usable here: " + ctx.unavailableReason().orElse(""));
        return ctx.open(customize);
    }

    protected static String what(TestContext ctx, long seed, String op) {
        return "[" + ctx.name() + ", seed " + seed + ", repeat with -D" + Contexts.SEEDS + "=" + seed + "] " + op;
    }

    /** Runs every check (all of them, even after a failure) and reports the failures together. */
    protected static void checkAll(String heading, List<Executable> checks) {
        assertAll(heading, checks.stream());
    }

    /** A check whose unexpected exception is reported with {@code what} (seed and operation). */
    protected static Executable named(String what, Executable body) {
        return () -> {
            try {
                body.execute();
            } catch (AssertionError e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(what + ": threw " + t, t);
            }
        };
    }

    static ChunkedArray apply(Binary op, ChunkedArray x, ChunkedArray y) {
        return switch (op) {
            case ADD -> x.add(y); case SUB -> x.sub(y); case MUL -> x.mul(y); case DIV -> x.div(y); case POW -> x.pow(y);
            case MOD -> x.mod(y); case FLOOR_DIVIDE -> x.floorDivide(y); case ARCTAN2 -> x.arctan2(y); case HYPOT -> x.hypot(y);
            case MAXIMUM -> x.maximum(y); case MINIMUM -> x.minimum(y);
            case GT -> x.gt(y); case GE -> x.ge(y); case LT -> x.lt(y); case LE -> x.le(y); case EQ -> x.eq(y); case NE -> x.ne(y);
            case LOGICAL_AND -> x.logicalAnd(y); case LOGICAL_OR -> x.logicalOr(y); case LOGICAL_XOR -> x.logicalXor(y);
        };
    }

    /** {@code x op s}; the logical ops have no scalar form in the API, so their scalar is an array of it. */
    static ChunkedArray apply(Binary op, ChunkedArray x, double s) {
        return switch (op) {
            case ADD -> x.add(s); case SUB -> x.sub(s); case MUL -> x.mul(s); case DIV -> x.div(s); case POW -> x.pow(s);
            case MOD -> x.mod(s); case FLOOR_DIVIDE -> x.floorDivide(s); case ARCTAN2 -> x.arctan2(s); case HYPOT -> x.hypot(s);
            case MAXIMUM -> x.maximum(s); case MINIMUM -> x.minimum(s);
            case GT -> x.gt(s); case GE -> x.ge(s); case LT -> x.lt(s); case LE -> x.le(s); case EQ -> x.eq(s); case NE -> x.ne(s);
            case LOGICAL_AND, LOGICAL_OR, LOGICAL_XOR -> apply(op, x, x.context().full(DType.FLOAT64, s, new long[0], new int[0]));
        };
    }

    /** {@code x op y} of values held in {@code operands} (mod and floor_divide differ for integers). */
    static Dense apply(Binary op, Dense x, Dense y, DType operands) {
        boolean integers = !NumpyTypes.isFloating(operands);
        return switch (op) {
            case ADD -> x.add(y); case SUB -> x.sub(y); case MUL -> x.mul(y); case DIV -> x.div(y); case POW -> x.pow(y);
            case MOD -> x.mod(y, integers); case FLOOR_DIVIDE -> x.floorDivide(y, integers);
            case ARCTAN2 -> x.arctan2(y); case HYPOT -> x.hypot(y);
            case MAXIMUM -> x.maximum(y); case MINIMUM -> x.minimum(y);
            case GT -> x.gt(y); case GE -> x.ge(y); case LT -> x.lt(y); case LE -> x.le(y); case EQ -> x.eq(y); case NE -> x.ne(y);
            case LOGICAL_AND -> x.logicalAnd(y); case LOGICAL_OR -> x.logicalOr(y); case LOGICAL_XOR -> x.logicalXor(y);
        };
    }

    static ChunkedArray apply(Unary op, ChunkedArray x) {
        return switch (op) {
            case NEG -> x.neg(); case ABS -> x.abs(); case SIGN -> x.sign(); case SQUARE -> x.square();
            case EXP -> x.exp(); case EXPM1 -> x.expm1(); case LOG -> x.log(); case LOG1P -> x.log1p(); case LOG2 -> x.log2();
            case LOG10 -> x.log10(); case SQRT -> x.sqrt(); case SIN -> x.sin(); case COS -> x.cos(); case TAN -> x.tan();
            case ARCSIN -> x.arcsin(); case ARCCOS -> x.arccos(); case ARCTAN -> x.arctan(); case SINH -> x.sinh();
            case COSH -> x.cosh(); case TANH -> x.tanh(); case FLOOR -> x.floor(); case CEIL -> x.ceil(); case TRUNC -> x.trunc();
            case RINT -> x.rint(); case ISNAN -> x.isnan(); case ISINF -> x.isinf(); case ISFINITE -> x.isfinite();
            case LOGICAL_NOT -> x.logicalNot();
        };
    }

    static Dense apply(Unary op, Dense x) {
        return switch (op) {
            case NEG -> x.neg(); case ABS -> x.abs(); case SIGN -> x.sign(); case SQUARE -> x.square();
            case EXP -> x.exp(); case EXPM1 -> x.expm1(); case LOG -> x.log(); case LOG1P -> x.log1p(); case LOG2 -> x.log2();
            case LOG10 -> x.log10(); case SQRT -> x.sqrt(); case SIN -> x.sin(); case COS -> x.cos(); case TAN -> x.tan();
            case ARCSIN -> x.arcsin(); case ARCCOS -> x.arccos(); case ARCTAN -> x.arctan(); case SINH -> x.sinh();
            case COSH -> x.cosh(); case TANH -> x.tanh(); case FLOOR -> x.floor(); case CEIL -> x.ceil(); case TRUNC -> x.trunc();
            case RINT -> x.rint(); case ISNAN -> x.isnan(); case ISINF -> x.isinf(); case ISFINITE -> x.isfinite();
            case LOGICAL_NOT -> x.logicalNot();
        };
    }

    static ChunkedArray apply(Reduction r, ChunkedArray x, int[] axes) {
        return switch (r) {
            case SUM -> x.sum(axes); case PROD -> x.prod(axes); case MIN -> x.min(axes); case MAX -> x.max(axes);
            case MEAN -> x.mean(axes); case VAR -> x.var(axes); case STD -> x.std(axes);
        };
    }

    static DType reductionType(Reduction r, DType t) {
        return switch (r) {
            case SUM, PROD -> NumpyTypes.sumProd(t);
            case MIN, MAX -> t;
            default -> NumpyTypes.moment(t);
        };
    }

    static double eps(DType t) { return t == DType.FLOAT32 ? 1.2e-7 : 2.3e-16; }

    static double maxAbs(Dense d) {
        double m = 0;
        for (int i = 0; i < d.size(); i++) if (Double.isFinite(d.at(i))) m = Math.max(m, Math.abs(d.at(i)));
        return m;
    }

    /** The chunk sizes of a regular grid, computed here (not by the library). */
    static long[][] regularSizes(long[] shape, int[] cs) {
        long[][] out = new long[shape.length][];
        for (int a = 0; a < shape.length; a++) {
            if (shape[a] == 0) {
                out[a] = new long[]{0};
                continue;
            }
            List<Long> s = new ArrayList<>();
            for (long left = shape[a]; left > 0; left -= cs[a]) s.add(Math.min(left, cs[a]));
            out[a] = s.stream().mapToLong(Long::longValue).toArray();
        }
        return out;
    }

    static void assertChunkSizes(long[][] expected, Chunks actual, String what) {
        assertEquals(expected.length, actual.ndim(), what + ": chunk grid ndim of " + actual);
        for (int a = 0; a < expected.length; a++) {
            assertArrayEquals(expected[a], actual.sizes(a), what + ": chunk sizes along axis " + a + " of " + actual);
        }
    }

    // ---- creation ----

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void creationConstants(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (DType t : RandomCases.DTYPES) {
                long[] shape = rc.shape(0, 4);
                int[] cs = rc.chunkShape(shape);
                double v = rc.pick(-3.7, 2.5, 7.0, -1.0, 0.25);
                Chunks ragged = rc.chunks(shape);
                String w = what(ctx, seed, t + " " + Arrays.toString(shape) + " chunks " + Arrays.toString(cs));
                checks.add(named(w + " zeros", () -> {
                    ChunkedArray z = cw.zeros(t, shape, cs);
                    assertChunkSizes(regularSizes(shape, cs), z.chunks(), w + " zeros");
                    assertArrayClose(z, Dense.full(0, shape), t, w + " zeros");
                }));
                checks.add(named(w + " ones", () -> assertArrayClose(cw.ones(t, shape, cs), Dense.full(1, shape), t, w + " ones")));
                checks.add(named(w + " full(" + v + ")", () ->
                        assertArrayClose(cw.full(t, v, shape, cs), Dense.full(v, shape).roundTo(t), t, w + " full(" + v + ")")));
                checks.add(named(w + " full(" + v + ", Chunks " + ragged + ")", () -> {
                    ChunkedArray f = cw.full(t, v, ragged);
                    assertEquals(ragged, f.chunks(), w + " full with Chunks keeps them");
                    assertArrayClose(f, Dense.full(v, shape).roundTo(t), t, w + " full(" + v + ", " + ragged + ")");
                }));
            }
            for (DType t : RandomCases.NUMERIC) {
                long n = rc.chance(0.1) ? 0 : rc.between(1, 60);
                int c = rc.between(1, 20);
                String w = what(ctx, seed, "arange(" + t + ", " + n + ", " + c + ")");
                checks.add(named(w, () -> {
                    ChunkedArray a = cw.arange(t, n, c);
                    assertChunkSizes(regularSizes(new long[]{n}, new int[]{c}), a.chunks(), w);
                    assertArrayClose(a, Dense.arange(n).roundTo(t), t, w);
                }));
            }
            checkAll(what(ctx, seed, "creation"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void creationFromArrays(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (DType t : RandomCases.DTYPES) {
                long[] shape = rc.shape(0, 4);
                double[] v = rc.values(t, (int) Dense.size(shape), true);
                int[] cs = rc.chunkShape(shape);
                Chunks ragged = rc.chunks(shape);
                Dense expected = Dense.of(v, shape);
                String w = what(ctx, seed, "from " + t + " values " + Arrays.toString(shape));
                checks.add(named(w + " chunks " + Arrays.toString(cs), () -> {
                    ChunkedArray a = RandomCases.create(cw, t, shape, v, null, cs);
                    assertChunkSizes(regularSizes(shape, cs), a.chunks(), w);
                    assertArrayClose(a, expected, t, w + " chunk shape " + Arrays.toString(cs));
                }));
                checks.add(named(w + " Chunks " + ragged, () -> {
                    ChunkedArray a = RandomCases.create(cw, t, shape, v, ragged, null);
                    assertEquals(ragged, a.chunks(), w + ": fromArray keeps the Chunks given");
                    assertArrayClose(a, expected, t, w + " Chunks " + ragged);
                }));
            }
            // fromNDArray, from NDArray.of(double[]) and NDArray.of(float[])
            long[] shape = rc.nonEmptyShape(1, 3);
            int n = (int) Dense.size(shape);
            double[] d = rc.values(DType.FLOAT64, n, true);
            float[] f = new float[n];
            for (int i = 0; i < n; i++) f[i] = (float) d[i];
            double[] fd = new double[n];
            for (int i = 0; i < n; i++) fd[i] = f[i];
            int[] cs = rc.chunkShape(shape);
            Chunks ragged = rc.chunks(shape);
            String w = what(ctx, seed, "fromNDArray " + Arrays.toString(shape));
            checks.add(named(w, () -> {
                NDArray nd = NDArray.of(d, shape);
                assertArrayClose(cw.fromNDArray(nd, cs), Dense.of(d, shape), DType.FLOAT64, w + " float64 chunks " + Arrays.toString(cs));
                assertArrayClose(cw.fromNDArray(nd, ragged), Dense.of(d, shape), DType.FLOAT64, w + " float64 " + ragged);
                NDArray nf = NDArray.of(f, shape);
                assertArrayClose(cw.fromNDArray(nf, cs), Dense.of(fd, shape), DType.FLOAT32, w + " float32 chunks " + Arrays.toString(cs));
                // the array is a copy: changing the caller's data afterwards changes nothing
                double[] mine = d.clone();
                ChunkedArray c = cw.fromArray(mine, shape, cs);
                Arrays.fill(mine, 12345);
                assertArrayClose(c, Dense.of(d, shape), DType.FLOAT64, w + " after the caller's array changed");
            }));
            checkAll(what(ctx, seed, "creation from arrays"), checks);
        }
    }

    // ---- elementwise ----

    /** Inputs for {@code op} over {@code (ta, tb)}: integer powers get small bases and exponents in [0, 3]. */
    private static double[][] binaryValues(RandomCases rc, Binary op, DType ta, DType tb, long[] sa, long[] sb) {
        int na = (int) Dense.size(sa), nb = (int) Dense.size(sb);
        double[] a = rc.values(ta, na, NumpyTypes.isFloating(ta));
        double[] b = rc.values(tb, nb, NumpyTypes.isFloating(tb));
        DType ot = NumpyTypes.operands(op, NumpyTypes.common(ta, tb));
        if (op == Binary.POW && !NumpyTypes.isFloating(ot)) {
            for (int i = 0; i < na; i++) a[i] = ta == DType.BOOL ? a[i] : a[i] % 6;
            for (int i = 0; i < nb; i++) b[i] = tb == DType.BOOL ? b[i] : Math.abs(b[i]) % 4;
        }
        return new double[][]{a, b};
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void binaryOpsOnArrays(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (Binary op : Binary.values()) {
                for (int rep = 0; rep < 3; rep++) {
                    DType ta = rc.dtype(), tb = rep == 0 ? ta : rc.dtype();
                    long[] out = rc.shape(0, 4);
                    long[] sa = rep == 0 ? out : rc.broadcastable(out), sb = rc.broadcastable(out);
                    if (rc.chance(0.5)) {
                        long[] tmp = sa;
                        sa = sb;
                        sb = tmp;
                    }
                    double[][] v = binaryValues(rc, op, ta, tb, sa, sb);
                    Case a = rc.array(cw, ta, sa, v[0]);
                    Case b = rc.array(cw, tb, sb, v[1]);
                    DType ot = NumpyTypes.operands(op, NumpyTypes.common(ta, tb));
                    DType rt = NumpyTypes.binary(op, ta, tb);
                    String w = what(ctx, seed, op + "(" + a + ", " + b + ")");
                    checks.add(named(w, () -> {
                        Dense e = apply(op, a.dense().roundTo(ot), b.dense().roundTo(ot), ot);
                        assertArrayClose(apply(op, a.array(), b.array()), op.isComparison() ? e : e.roundTo(rt), rt, w);
                    }));
                }
            }
            checkAll(what(ctx, seed, "binary ops on arrays"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void binaryOpsWithScalars(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (Binary op : Binary.values()) {
                for (DType t : RandomCases.DTYPES) {
                    long[] shape = rc.shape(0, 3);
                    Case a = rc.array(cw, t, shape, NumpyTypes.isFloating(t));
                    double s = rc.pick(0.0, 1.0, -2.0, 3.0, 0.1, -0.7, 2.5, rc.random().nextDouble() * 10 - 5);
                    DType ot = NumpyTypes.scalarOperands(op, t);
                    DType rt = NumpyTypes.binaryScalar(op, t);
                    String w = what(ctx, seed, op + "(" + a + ", scalar " + s + ")");
                    checks.add(named(w, () -> {
                        Dense e = apply(op, a.dense().roundTo(ot), Dense.scalar(s).roundTo(ot), ot);
                        assertArrayClose(apply(op, a.array(), s), op.isComparison() ? e : e.roundTo(rt), rt, w);
                    }));
                }
            }
            checkAll(what(ctx, seed, "binary ops with scalars"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void promotionFollowsNumpy(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            long[] shape = rc.nonEmptyShape(1, 2);
            Map<DType, Case> arr = new ConcurrentHashMap<>();
            for (DType t : RandomCases.DTYPES) arr.put(t, rc.array(cw, t, shape, false));
            String w = what(ctx, seed, "dtype promotion");
            assertAll(w,
                    () -> assertEquals(DType.FLOAT64, arr.get(DType.INT32).array().add(arr.get(DType.FLOAT32).array()).dtype(), w + ": int32 + float32"),
                    () -> assertEquals(DType.INT64, arr.get(DType.INT32).array().add(arr.get(DType.INT64).array()).dtype(), w + ": int32 + int64"),
                    () -> assertEquals(DType.INT32, arr.get(DType.INT32).array().mul(arr.get(DType.INT32).array()).dtype(), w + ": int32 * int32"),
                    () -> assertEquals(DType.INT64, arr.get(DType.BOOL).array().add(arr.get(DType.BOOL).array()).dtype(), w + ": bool + bool"),
                    () -> assertEquals(DType.INT64, arr.get(DType.BOOL).array().mul(arr.get(DType.BOOL).array()).dtype(), w + ": bool * bool"),
                    () -> assertEquals(DType.FLOAT64, arr.get(DType.INT64).array().div(arr.get(DType.INT64).array()).dtype(), w + ": int64 / int64"),
                    () -> assertEquals(DType.FLOAT64, arr.get(DType.INT32).array().div(arr.get(DType.INT32).array()).dtype(), w + ": int32 / int32"),
                    () -> assertEquals(DType.FLOAT32, arr.get(DType.FLOAT32).array().div(arr.get(DType.FLOAT32).array()).dtype(), w + ": float32 / float32"),
                    () -> assertEquals(DType.FLOAT64, arr.get(DType.FLOAT32).array().add(arr.get(DType.FLOAT64).array()).dtype(), w + ": float32 + float64"),
                    () -> assertEquals(DType.FLOAT32, arr.get(DType.FLOAT32).array().add(arr.get(DType.BOOL).array()).dtype(), w + ": float32 + bool"),
                    () -> assertEquals(DType.FLOAT32, arr.get(DType.FLOAT32).array().mul(2.5).dtype(), w + ": float32 * double scalar"),
                    () -> assertEquals(DType.FLOAT64, arr.get(DType.INT32).array().mul(2.0).dtype(), w + ": int32 * double scalar"),
                    () -> assertEquals(DType.FLOAT64, arr.get(DType.INT64).array().add(1).dtype(), w + ": int64 + double scalar"),
                    () -> assertEquals(DType.FLOAT64, arr.get(DType.BOOL).array().add(1).dtype(), w + ": bool + double scalar"),
                    () -> assertEquals(DType.BOOL, arr.get(DType.INT32).array().gt(arr.get(DType.FLOAT64).array()).dtype(), w + ": int32 > float64"),
                    () -> assertEquals(DType.BOOL, arr.get(DType.FLOAT32).array().le(0.5).dtype(), w + ": float32 <= scalar"),
                    () -> assertEquals(DType.BOOL, arr.get(DType.BOOL).array().maximum(arr.get(DType.BOOL).array()).dtype(), w + ": maximum(bool, bool)"),
                    () -> assertEquals(DType.FLOAT64, arr.get(DType.INT32).array().exp().dtype(), w + ": exp(int32)"),
                    () -> assertEquals(DType.INT32, arr.get(DType.INT32).array().abs().dtype(), w + ": abs(int32)"),
                    () -> assertEquals(DType.INT64, arr.get(DType.INT32).array().sum().dtype(), w + ": sum(int32)"),
                    () -> assertEquals(DType.INT64, arr.get(DType.BOOL).array().sum().dtype(), w + ": sum(bool)"),
                    () -> assertEquals(DType.FLOAT32, arr.get(DType.FLOAT32).array().mean().dtype(), w + ": mean(float32)"),
                    () -> assertEquals(DType.FLOAT64, arr.get(DType.INT64).array().var().dtype(), w + ": var(int64)"),
                    () -> assertEquals(DType.INT64, arr.get(DType.FLOAT32).array().argmax(0).dtype(), w + ": argmax"),
                    () -> assertEquals(DType.INT32, arr.get(DType.INT32).array().max().dtype(), w + ": max(int32)"));
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void unaryOps(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (Unary op : Unary.values()) {
                for (DType t : RandomCases.DTYPES) {
                    if ((op == Unary.NEG || op == Unary.SIGN) && t == DType.BOOL) continue;   // an error (ErrorsTest)
                    Case a = rc.array(cw, t, rc.shape(0, 4), NumpyTypes.isFloating(t));
                    DType rt = NumpyTypes.unary(op, t);
                    String w = what(ctx, seed, op + "(" + a + ")");
                    DType ot = NumpyTypes.unaryOperand(op, t);
                    checks.add(named(w, () -> assertArrayClose(apply(op, a.array()), apply(op, a.dense().roundTo(ot)).roundTo(rt), rt, w)));
                }
            }
            checkAll(what(ctx, seed, "unary ops"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void whereSelects(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 6; rep++) {
                long[] out = rc.shape(0, 4);
                DType tc = rep % 3 == 0 ? DType.BOOL : rc.dtype(), ta = rc.dtype(), tb = rc.dtype();
                Case c = rc.array(cw, tc, rc.broadcastable(out), true);
                Case a = rc.array(cw, ta, rc.broadcastable(out), true);
                Case b = rc.array(cw, tb, out, true);
                DType rt = NumpyTypes.common(ta, tb);
                boolean viaComparison = rep % 3 == 1;
                String w = what(ctx, seed, "where(" + (viaComparison ? "gt(" + c + ", 0.5)" : c) + ", " + a + ", " + b + ")");
                checks.add(named(w, () -> {
                    ChunkedArray cond = viaComparison ? c.array().gt(0.5) : c.array();
                    Dense dc = viaComparison ? c.dense().gt(Dense.scalar(0.5)) : c.dense();
                    Dense e = Dense.where(dc, a.dense().roundTo(rt), b.dense().roundTo(rt));
                    assertArrayClose(ChunkedArray.where(cond, a.array(), b.array()), e, rt, w);
                }));
            }
            checkAll(what(ctx, seed, "where"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void astypeAllPairs(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (DType from : RandomCases.DTYPES) {
                for (DType to : RandomCases.DTYPES) {
                    // NaN, infinities and floats out of an integer's range give its smallest value (NumPy on x86)
                    boolean floating = NumpyTypes.isFloating(from);
                    long[] shape = rc.shape(0, 3);
                    double[] v = rc.values(from, (int) Dense.size(shape), floating);
                    for (int i = 0; i < v.length && floating; i++) {
                        if (rc.chance(0.1)) v[i] = rc.pick(3e9, -3e9, 1e19, -1e19, 0x1p31, -0x1p31 - 1, 2147483647.5, 0x1p63);
                        if (from == DType.FLOAT32) v[i] = (float) v[i];
                    }
                    Case a = rc.array(cw, from, shape, v);
                    String w = what(ctx, seed, "astype(" + a + " -> " + to + ")");
                    checks.add(named(w, () -> assertArrayClose(a.array().astype(to), a.dense().astype(from, to), to, w)));
                }
            }
            checkAll(what(ctx, seed, "astype"), checks);
        }
    }

    // ---- reductions ----

    /** Tolerance of a reduction: the dtype's, widened by the rounding a reduction of that size may do. */
    static Tol reductionTol(Reduction r, DType rt, Dense input, int[] axes) {
        Tol base = Tol.of(rt);
        if (!NumpyTypes.isFloating(rt)) return base;
        double eps = eps(rt);
        long n = Math.max(1, Dense.size(input.shape()) / Math.max(1, Dense.size(input.sum(axes).shape())));
        double slack = 8 * (4 + Math.sqrt(n)) * eps;
        return switch (r) {
            case SUM -> base.withAtol(slack * maxAbs(input.abs().sum(axes)));
            case MEAN -> base.withAtol(slack * maxAbs(input.abs().mean(axes)));
            case VAR -> base.withAtol(slack * maxAbs(input.mul(input).mean(axes)));
            // std = sqrt(var): the var error over 2 std, bounded for any std above 1% of the root mean square
            case STD -> base.withAtol(100 * slack * Math.sqrt(maxAbs(input.mul(input).mean(axes))));
            case PROD -> base.withRtol(4 * (n + 4) * eps);
            default -> base;
        };
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void reductions(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (Reduction r : Reduction.values()) {
                for (DType t : RandomCases.DTYPES) {
                    long[] shape = rc.shape(0, 4);
                    int[] axes = rc.axes(shape.length);
                    if (r == Reduction.MIN || r == Reduction.MAX) {
                        // no identity: an empty reduced axis is an error (ErrorsTest); make them non-empty
                        for (int a = 0; a < shape.length; a++) if (shape[a] == 0) shape[a] = rc.between(1, 4);
                    }
                    double[] v = r == Reduction.PROD ? rc.productValues(t, (int) Dense.size(shape))
                            : rc.values(t, (int) Dense.size(shape), false);
                    Case a = rc.array(cw, t, shape, v);
                    DType rt = reductionType(r, t);
                    String w = what(ctx, seed, r + "(" + a + ", axes " + Arrays.toString(axes) + ")");
                    checks.add(named(w, () -> {
                        Dense in = a.dense().roundTo(rt);
                        Dense e = in.reduce(r, axes).roundTo(rt);
                        assertArrayClose(apply(r, a.array(), axes), e, rt, reductionTol(r, rt, in, axes), w);
                    }));
                }
            }
            checkAll(what(ctx, seed, "reductions"), checks);
        }
    }

    /** NaN and infinities in float reductions: NumPy propagates NaN; inf - inf is NaN, so var/std of data with an infinity is NaN. */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void reductionsWithNanAndInfinity(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (Reduction r : Reduction.values()) {
                for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
                    long[] shape = rc.nonEmptyShape(1, 3);
                    int[] axes = rc.axes(shape.length);
                    int n = (int) Dense.size(shape);
                    double[] v = r == Reduction.PROD ? rc.productValues(t, n) : rc.values(t, n, false);
                    for (int k = 0; k < 1 + n / 8; k++) {
                        v[rc.random().nextInt(n)] = rc.pick(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
                    }
                    Case a = rc.array(cw, t, shape, v);
                    String w = what(ctx, seed, r + "(" + a + " with NaN/inf, axes " + Arrays.toString(axes) + ")");
                    checks.add(named(w, () -> {
                        Dense e = a.dense().reduce(r, axes).roundTo(t);
                        assertArrayClose(apply(r, a.array(), axes), e, t, reductionTol(r, t, a.dense(), axes), w);
                    }));
                }
            }
            checkAll(what(ctx, seed, "reductions with NaN and infinities"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void argReductionsTakeTheFirstOccurrence(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (boolean max : new boolean[]{true, false}) {
                for (DType t : RandomCases.DTYPES) {
                    long[] shape = rc.shape(1, 4);
                    int axis = rc.between(-shape.length, shape.length - 1);
                    int ax = axis < 0 ? axis + shape.length : axis;
                    if (shape[ax] == 0) shape[ax] = rc.between(1, 6);
                    int n = (int) Dense.size(shape);
                    double[] v = new double[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = t == DType.BOOL ? rc.between(0, 1) : rc.between(-1, 2);   // many ties
                        if (NumpyTypes.isFloating(t) && rc.chance(0.03)) v[i] = Double.NaN;
                    }
                    Case a = rc.array(cw, t, shape, v);
                    String name = (max ? "argmax" : "argmin") + "(" + a + ", axis " + axis + ")";
                    String w = what(ctx, seed, name);
                    checks.add(named(w, () -> {
                        Dense e = max ? a.dense().argmax(axis) : a.dense().argmin(axis);
                        assertArrayClose(max ? a.array().argmax(axis) : a.array().argmin(axis), e, DType.INT64, w);
                    }));
                }
            }
            checkAll(what(ctx, seed, "argmax/argmin"), checks);
        }
    }

    // ---- any/all, NaN-skipping reductions, scans, histogram ----

    /**
     * {@code v} (of an array of {@code shape}) with, for floats, whole hyperplanes of NaN now and then (an axis held at
     * one position, so that reductions over the other axes meet all-NaN slices), or everything NaN.
     */
    private static double[] withNanPlanes(RandomCases rc, DType t, long[] shape, double[] v) {
        if (!NumpyTypes.isFloating(t) || v.length == 0) return v;
        if (rc.chance(0.05)) {
            Arrays.fill(v, Double.NaN);
            return v;
        }
        for (int plane = rc.between(0, 2); plane > 0 && shape.length > 0; plane--) {
            int ax = rc.between(0, shape.length - 1);
            long k = rc.between(0, (int) shape[ax] - 1);
            long[] idx = new long[shape.length];
            for (int i = 0; i < v.length; i++) {
                if (idx[ax] == k) v[i] = Double.NaN;
                Dense.increment(idx, shape);
            }
        }
        return v;
    }

    /** {@code v} as stored in {@code t} (what {@link RandomCases#create} makes of it), so that the oracle sees the same values. */
    private static double[] storedAs(DType t, double[] v) { return Dense.of(v, v.length).roundTo(t).values(); }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void anyAndAll(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (boolean any : new boolean[]{true, false}) {
                for (DType t : RandomCases.DTYPES) {
                    for (int rep = 0; rep < 2; rep++) {
                        long[] shape = rc.shape(0, 4);
                        int[] axes = rc.axes(shape.length);
                        int n = (int) Dense.size(shape);
                        double[] v = rc.values(t, n, true);
                        double zeros = rc.pick(0.0, 0.5, 0.95);
                        for (int i = 0; i < n; i++) if (rc.chance(zeros)) v[i] = NumpyTypes.isFloating(t) && rc.chance(0.3) ? -0.0 : 0.0;
                        Case a = rc.array(cw, t, shape, v);
                        String w = what(ctx, seed, (any ? "any" : "all") + "(" + a + ", axes " + Arrays.toString(axes) + ")");
                        checks.add(named(w, () -> {
                            Dense e = any ? a.dense().any(axes) : a.dense().all(axes);
                            assertArrayClose(any ? a.array().any(axes) : a.array().all(axes), e, DType.BOOL, w);
                        }));
                    }
                }
            }
            checkAll(what(ctx, seed, "any/all"), checks);
        }
    }

    enum NanReduction { NANSUM, NANMEAN, NANMIN, NANMAX, NANVAR, NANSTD }

    static ChunkedArray apply(NanReduction r, ChunkedArray x, int[] axes) {
        return switch (r) {
            case NANSUM -> x.nansum(axes); case NANMEAN -> x.nanmean(axes); case NANMIN -> x.nanmin(axes);
            case NANMAX -> x.nanmax(axes); case NANVAR -> x.nanvar(axes); case NANSTD -> x.nanstd(axes);
        };
    }

    static Dense apply(NanReduction r, Dense x, int[] axes) {
        return switch (r) {
            case NANSUM -> x.nansum(axes); case NANMEAN -> x.nanmean(axes); case NANMIN -> x.nanmin(axes);
            case NANMAX -> x.nanmax(axes); case NANVAR -> x.nanvar(axes); case NANSTD -> x.nanstd(axes);
        };
    }

    /** The tolerance of a NaN-skipping reduction: as {@link #reductionTol}, scaled by the finite values only. */
    static Tol nanReductionTol(NanReduction r, DType rt, Dense input, int[] axes) {
        Tol base = Tol.of(rt);
        if (!NumpyTypes.isFloating(rt)) return base;
        Dense finite = input.map(v -> Double.isFinite(v) ? v : Double.NaN);
        long n = Math.max(1, Dense.size(input.shape()) / Math.max(1, Dense.size(input.sum(axes).shape())));
        double slack = 8 * (4 + Math.sqrt(n)) * eps(rt);
        return switch (r) {
            case NANSUM -> base.withAtol(slack * maxAbs(finite.abs().nansum(axes)));
            case NANMEAN -> base.withAtol(slack * maxAbs(finite.abs().nanmean(axes)));
            case NANVAR -> base.withAtol(slack * maxAbs(finite.mul(finite).nanmean(axes)));
            case NANSTD -> base.withAtol(100 * slack * Math.sqrt(maxAbs(finite.mul(finite).nanmean(axes))));
            default -> base;
        };
    }

    /**
     * NaN-skipping reductions on every dtype with NaN, infinities and all-NaN slices (NumPy: nansum of an all-NaN slice
     * is 0, the others NaN; infinities are not skipped; integers and bools as the plain reductions).
     */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void nanReductions(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (NanReduction r : NanReduction.values()) {
                for (DType t : RandomCases.DTYPES) {
                    for (int rep = 0; rep < 2; rep++) {
                        long[] shape = rc.shape(0, 4);
                        int[] axes = rc.axes(shape.length);
                        if (r == NanReduction.NANMIN || r == NanReduction.NANMAX) {
                            for (int a = 0; a < shape.length; a++) if (shape[a] == 0) shape[a] = rc.between(1, 4);
                        }
                        double[] v = withNanPlanes(rc, t, shape, rc.values(t, (int) Dense.size(shape), true));
                        Case a = rc.array(cw, t, shape, v);
                        DType rt = switch (r) {
                            case NANSUM -> NumpyTypes.sumProd(t);
                            case NANMIN, NANMAX -> t;
                            default -> NumpyTypes.moment(t);
                        };
                        String w = what(ctx, seed, r.name().toLowerCase(java.util.Locale.ROOT) + "(" + a + ", axes " + Arrays.toString(axes) + ")");
                        checks.add(named(w, () -> {
                            Dense in = a.dense().roundTo(rt);
                            Dense e = apply(r, in, axes).roundTo(rt);
                            assertArrayClose(apply(r, a.array(), axes), e, rt, nanReductionTol(r, rt, in, axes), w);
                        }));
                    }
                }
            }
            checkAll(what(ctx, seed, "NaN-skipping reductions"), checks);
        }
    }

    /**
     * nansum composes where(isnan(x), 0, x) with sum: one fused elementwise layer computed inside the reduction's
     * partials, and on data without NaN the very bits of sum.
     */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void nansumIsOneFusedPassWithTheBitsOfSum(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
                long[] shape = {rc.between(20, 70), rc.between(1, 40)};
                Case a = rc.array(cw, t, shape, rc.values(t, (int) Dense.size(shape), false));
                for (int[] axes : new int[][]{{}, {0}, {1}, {-1, 0}}) {
                    String w = what(ctx, seed, "nansum(" + a + ", axes " + Arrays.toString(axes) + ") without NaN vs sum");
                    checks.add(named(w, () -> {
                        double[] plain = a.array().sum(axes).compute().toDoubleArray();
                        double[] skipping = a.array().nansum(axes).compute().toDoubleArray();
                        assertEquals(plain.length, skipping.length, w);
                        for (int i = 0; i < plain.length; i++) {
                            if (Double.doubleToRawLongBits(plain[i]) != Double.doubleToRawLongBits(skipping[i])) {
                                fail(w + ": at " + i + " nansum gave " + skipping[i] + ", sum " + plain[i]);
                            }
                        }
                    }));
                }
                String w = what(ctx, seed, "explain() of nansum(" + a + ")");
                checks.add(named(w, () -> {
                    String text = a.array().nansum().explain();
                    List<String> elementwise = new ArrayList<>();
                    Matcher m = LAYER.matcher(text);
                    while (m.find()) if (m.group(2).startsWith("elementwise")) elementwise.add(m.group(0).trim());
                    assertEquals(1, elementwise.size(), w + ": one elementwise layer; explain():\n" + text);
                    assertTrue(elementwise.get(0).contains("where("), w + ": the layer replaces NaN; explain():\n" + text);
                    assertTrue(text.contains("its elementwise input fused in"), w + ": the sum computes it in its partials; explain():\n" + text);
                }));
            }
            checkAll(what(ctx, seed, "nansum fused"), checks);
        }
    }

    /** The tolerance of a scan along an axis of {@code n}: rounding of up to n steps, against the partial sums of |x|. */
    static Tol scanTol(boolean sum, DType rt, Dense input, int axis, int n) {
        Tol base = Tol.of(rt);
        if (!NumpyTypes.isFloating(rt)) return base;
        if (!sum) return base.withRtol(4 * (n + 4) * eps(rt));
        Dense finite = input.map(v -> Double.isFinite(v) ? Math.abs(v) : 0);
        return base.withAtol(4 * (n + 4) * eps(rt) * maxAbs(finite.cumsum(axis, DType.FLOAT64)));
    }

    /**
     * cumsum and cumprod along every axis (negative too), across several chunks along the axis and within one, on every
     * dtype, NaN and infinities included: NumPy's values and dtypes, the input's chunks.
     */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void scans(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (boolean sum : new boolean[]{true, false}) {
                for (DType t : RandomCases.DTYPES) {
                    for (int rep = 0; rep < 2; rep++) {
                        long[] shape = rc.shape(1, 4);
                        int axis = rc.between(-shape.length, shape.length - 1);
                        int ax = axis < 0 ? axis + shape.length : axis;
                        if (rep == 0 && shape[ax] < 8) shape[ax] = rc.between(8, 40);   // several chunks along the axis, mostly
                        int n = (int) Dense.size(shape);
                        double[] v = sum ? rc.values(t, n, true) : rc.productValues(t, n);
                        if (!sum && NumpyTypes.isFloating(t)) {
                            for (int i = 0; i < n; i++) {
                                if (rc.chance(0.02)) v[i] = rc.pick(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
                            }
                        }
                        Case a = rc.array(cw, t, shape, v);
                        DType rt = NumpyTypes.sumProd(t);
                        ChunkedArray oneChunk = a.array().rechunk(a.array().chunks().withAxis(ax, new long[]{shape[ax]}));
                        for (ChunkedArray x : new ChunkedArray[]{a.array(), oneChunk}) {
                            String w = what(ctx, seed, (sum ? "cumsum" : "cumprod") + "(" + t + " " + Arrays.toString(shape) + " chunks "
                                    + x.chunks() + ", axis " + axis + ")");
                            checks.add(named(w, () -> {
                                Dense in = a.dense().roundTo(rt);
                                Dense e = (sum ? in.cumsum(axis, rt) : in.cumprod(axis, rt)).roundTo(rt);
                                ChunkedArray scanned = sum ? x.cumsum(axis) : x.cumprod(axis);
                                assertEquals(x.chunks(), scanned.chunks(), w + ": the input's chunks");
                                assertArrayClose(scanned, e, rt, scanTol(sum, rt, in, axis, (int) shape[ax]), w);
                            }));
                        }
                    }
                }
            }
            checkAll(what(ctx, seed, "cumsum/cumprod"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void scansAreBitIdenticalAcrossThreadsAndRuns(TestContext ctx, long seed) {
        assumeTrue(ctx.unavailableReason().isEmpty(), () -> ctx.name() + ": " + ctx.unavailableReason().orElse(""));
        long[] shape = {300, 170};
        int[] chunks = {37, 23};
        String w = what(ctx, seed, "cumsum/cumprod of random " + Arrays.toString(shape) + " chunks " + Arrays.toString(chunks));
        List<double[]> results = new ArrayList<>();
        for (int threads : new int[]{1, 3, 1, 3}) {
            try (Chunkwise cw = ctx.open(b -> b.threads(threads))) {
                ChunkedArray x = cw.random(seed).normal(0.3, 1.7, shape, chunks);
                ChunkedArray y = cw.random(seed + 1).uniform(0.9, 1.1, shape, chunks).astype(DType.FLOAT32);
                double[] a = x.cumsum(0).compute().toDoubleArray(), b = x.cumsum(-1).compute().toDoubleArray();
                double[] c = y.cumprod(0).compute().toDoubleArray(), d = y.cumsum(1).compute().toDoubleArray();
                double[] all = new double[a.length * 4];
                System.arraycopy(a, 0, all, 0, a.length);
                System.arraycopy(b, 0, all, a.length, a.length);
                System.arraycopy(c, 0, all, 2 * a.length, a.length);
                System.arraycopy(d, 0, all, 3 * a.length, a.length);
                results.add(all);
            }
        }
        for (int i = 1; i < results.size(); i++) {
            double[] a = results.get(0), b = results.get(i);
            for (int j = 0; j < a.length; j++) {
                if (Double.doubleToRawLongBits(a[j]) != Double.doubleToRawLongBits(b[j])) {
                    fail(w + ": run " + i + " (threads " + (i % 2 == 0 ? 1 : 3) + ") gave " + b[j] + " where run 0 (1 thread) gave "
                            + a[j] + " at position " + j + " (cumsum(0), cumsum(-1), float32 cumprod(0), float32 cumsum(1) one after another)");
                }
            }
        }
    }

    /**
     * histogram on every dtype: random ranges (an empty one too), values on the edges NumPy's linspace gives (float32
     * edges for float32 data), just outside the range, NaN and infinities; exact INT64 counts.
     */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void histogram(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (DType t : RandomCases.DTYPES) {
                for (int rep = 0; rep < 3; rep++) {
                    long[] shape = rc.shape(0, 4);
                    int n = (int) Dense.size(shape);
                    int bins = rc.pick(1, 2, 3, 7, 10, rc.between(1, 40));
                    double lo = rc.pick(-10.0, -3.5, 0.1, -1.0, rc.random().nextDouble() * 10 - 5);
                    double hi = rc.pick(10.0, 2.25, 0.7, lo, lo + rc.random().nextDouble() * 12);
                    if (t == DType.BOOL && rc.chance(0.5)) {
                        lo = 0;
                        hi = 1;
                    }
                    if (hi < lo) hi = lo;
                    boolean f32 = t == DType.FLOAT32;
                    double[] edges = Dense.linspaceEdges(bins, lo == hi ? lo - 0.5 : lo, lo == hi ? hi + 0.5 : hi, f32);
                    double[] v = rc.values(t, n, true);
                    for (int i = 0; i < n; i++) {
                        if (rc.chance(0.3)) {   // on an edge, or next to it (where NumPy's first guess of the bin is off by one)
                            double e = edges[rc.between(0, bins)];
                            int side = rc.between(-1, 1);
                            v[i] = side == 0 ? e : f32 ? (side < 0 ? Math.nextDown((float) e) : Math.nextUp((float) e))
                                    : (side < 0 ? Math.nextDown(e) : Math.nextUp(e));
                        }
                        else if (rc.chance(0.05)) v[i] = rc.pick(Math.nextDown(edges[0]), Math.nextUp(edges[bins]), lo, hi);
                    }
                    double[] stored = storedAs(t, v);
                    Case a = rc.array(cw, t, shape, stored);
                    double l = lo, h = hi;
                    String w = what(ctx, seed, "histogram(" + a + ", bins " + bins + ", range [" + lo + ", " + hi + "])");
                    checks.add(named(w, () -> assertArrayClose(a.array().histogram(bins, l, h), a.dense().histogram(bins, l, h, f32), DType.INT64, w)));
                }
            }
            checkAll(what(ctx, seed, "histogram"), checks);
        }
    }

    // ---- linear algebra ----

    /** The chunks of {@code a @ b}: A's row chunks by B's column chunks (as dask's), the axes of 1-D operands dropped. */
    private static Chunks expectedChunks(ChunkedArray a, ChunkedArray b) {
        List<long[]> sizes = new ArrayList<>();
        if (a.ndim() == 2) sizes.add(a.chunks().sizes(0));
        if (b.ndim() == 2) sizes.add(b.chunks().sizes(1));
        return Chunks.explicit(sizes.toArray(long[][]::new));
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void matmul(TestContext ctx, long seed) {
        matmul(ctx, seed, 0);
    }

    /** Products computed in GEMM tiles of several chunks (forced small tiles), split back into the chunks asked for. */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void matmulInTiles(TestContext ctx, long seed) {
        matmul(ctx, seed, new RandomCases(seed + 1).between(2, 12));
    }

    private void matmul(TestContext ctx, long seed, int tile) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx, b -> tile > 0 ? b.matmulTile(tile) : b)) {
            List<Executable> checks = new ArrayList<>();
            String[] kinds = {"2-D @ 2-D", "2-D @ 2-D", "2-D @ 2-D", "2-D @ 1-D", "1-D @ 2-D", "1-D @ 1-D"};
            for (int rep = 0; rep < 9; rep++) {
                String kind = kinds[rep % kinds.length];
                int m = rc.chance(0.08) ? 0 : rc.between(1, 24);
                int k = rc.chance(0.08) ? 0 : rc.between(1, 24);
                int n = rc.chance(0.08) ? 0 : rc.between(1, 24);
                long[] sa = kind.startsWith("1") ? new long[]{k} : new long[]{m, k};
                long[] sb = kind.endsWith("1-D") ? new long[]{k} : new long[]{k, n};
                DType ta = rc.dtype(), tb = rep < 3 ? ta : rc.dtype();
                Case a = rc.array(cw, ta, sa, false);
                Case b = rc.array(cw, tb, sb, false);
                DType rt = NumpyTypes.common(ta, tb);
                String w = what(ctx, seed, "matmul " + kind + (tile > 0 ? " in tiles of " + tile : "") + " (" + a + ") @ (" + b + ")");
                checks.add(named(w, () -> {
                    ChunkedArray product = a.array().matmul(b.array());
                    assertEquals(expectedChunks(a.array(), b.array()), product.chunks(), w + ": the result's chunks");
                    Dense x = a.dense().roundTo(rt), y = b.dense().roundTo(rt);
                    Dense e = x.matmul(y);
                    Dense scale = x.abs().matmul(y.abs());
                    Tol tol = Tol.of(rt).withAtol(NumpyTypes.isFloating(rt) ? 4 * (k + 2) * eps(rt) * maxAbs(scale) : 0);
                    assertArrayClose(product, e.roundTo(rt), rt, tol, w);
                }));
            }
            checkAll(what(ctx, seed, "matmul"), checks);
        }
    }

    /**
     * tensordot over 0 to 3 pairs of axes at random positions (negative too), of random dtypes, empty axes included:
     * numpy.tensordot's values, shape and dtype (matmul's).
     */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void tensordot(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 10; rep++) {
                int pairs = rc.between(0, 3), freeA = rc.between(0, 2), freeB = rc.between(0, 2);
                int nda = pairs + freeA, ndb = pairs + freeB;
                long[] sa = rc.shape(nda, 6, true), sb = rc.shape(ndb, 6, true);
                List<Integer> posA = new ArrayList<>(), posB = new ArrayList<>();
                for (int i = 0; i < nda; i++) posA.add(i);
                for (int i = 0; i < ndb; i++) posB.add(i);
                java.util.Collections.shuffle(posA, rc.random());
                java.util.Collections.shuffle(posB, rc.random());
                int[] axesA = new int[pairs], axesB = new int[pairs];
                for (int k = 0; k < pairs; k++) {
                    axesA[k] = posA.get(k);
                    axesB[k] = posB.get(k);
                    sb[axesB[k]] = sa[axesA[k]];
                    if (rc.chance(0.3)) axesA[k] -= nda;
                    if (rc.chance(0.3)) axesB[k] -= ndb;
                }
                DType ta = rc.dtype(), tb = rep < 4 ? ta : rc.dtype();
                Case a = rc.array(cw, ta, sa, false);
                Case b = rc.array(cw, tb, sb, false);
                DType rt = NumpyTypes.common(ta, tb);
                long depth = 1;
                for (int k = 0; k < pairs; k++) depth *= sa[Math.floorMod(axesA[k], nda)];
                long k = depth;
                String w = what(ctx, seed, "tensordot(" + a + ", " + b + ", axes " + Arrays.toString(axesA) + ", " + Arrays.toString(axesB) + ")");
                checks.add(named(w, () -> {
                    Dense x = a.dense().roundTo(rt), y = b.dense().roundTo(rt);
                    Dense e = x.tensordot(y, axesA, axesB);
                    Dense scale = x.abs().tensordot(y.abs(), axesA, axesB);
                    Tol tol = Tol.of(rt).withAtol(NumpyTypes.isFloating(rt) ? 4 * (k + 2) * eps(rt) * maxAbs(scale) : 0);
                    assertArrayClose(a.array().tensordot(b.array(), axesA, axesB), e.roundTo(rt), rt, tol, w);
                }));
            }
            checkAll(what(ctx, seed, "tensordot"), checks);
        }
    }

    // ---- manipulation ----

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void transpose(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 6; rep++) {
                Case a = rc.array(cw, rc.dtype(), rc.shape(0, 4), true);
                int[] perm = rc.permutation(a.dense().ndim());
                String w = what(ctx, seed, "transpose(" + a + ", " + Arrays.toString(perm) + ")");
                checks.add(named(w, () -> {
                    ChunkedArray t = a.array().transpose(perm);
                    for (int i = 0; i < perm.length; i++) {
                        int p = perm[i] < 0 ? perm[i] + perm.length : perm[i];
                        assertArrayEquals(a.array().chunks().sizes(p), t.chunks().sizes(i), w + ": output axis " + i + " keeps the chunks of input axis " + p);
                    }
                    assertArrayClose(t, a.dense().transpose(perm), a.dtype(), w);
                    assertArrayClose(a.array().transpose(), a.dense().transpose(), a.dtype(), w + " transpose()");
                }));
            }
            checkAll(what(ctx, seed, "transpose"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void reshape(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 8; rep++) {
                Case a = rc.array(cw, rc.dtype(), rc.shape(0, 4), true);
                long[] target = rc.reshapeTarget(Dense.size(a.dense().shape()), true);
                String w = what(ctx, seed, "reshape(" + a + " -> " + Arrays.toString(target) + ")");
                checks.add(named(w, () -> assertArrayClose(a.array().reshape(target), a.dense().reshape(target), a.dtype(), w)));
            }
            // across chunk boundaries, both ways, and back
            Case b = rc.array(cw, DType.FLOAT64, new long[]{6, 10}, false);
            String w = what(ctx, seed, "reshape round trip " + b);
            checks.add(named(w, () -> {
                ChunkedArray r = b.array().reshape(4, -1, 3).reshape(60).reshape(-1, 6);
                assertArrayClose(r, b.dense().reshape(10, 6), DType.FLOAT64, w);
                assertArrayClose(r.transpose().reshape(6, 10), b.dense().reshape(10, 6).transpose().reshape(6, 10), DType.FLOAT64, w + " after a transpose");
            }));
            checkAll(what(ctx, seed, "reshape"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void rechunk(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 6; rep++) {
                Case a = rc.array(cw, rc.dtype(), rc.shape(1, 4), true);
                long[] shape = a.dense().shape();
                int[] cs = rc.chunkShape(shape);
                int[] asked = cs.clone();
                for (int i = 0; i < cs.length; i++) {
                    if (rc.chance(0.2)) {
                        asked[i] = -1;
                        cs[i] = (int) Math.max(1, shape[i]);
                    }
                }
                Chunks ragged = rc.chunks(shape);
                String w = what(ctx, seed, "rechunk(" + a + " -> " + Arrays.toString(asked) + " / " + ragged + ")");
                checks.add(named(w, () -> {
                    ChunkedArray r = a.array().rechunk(asked);
                    assertChunkSizes(regularSizes(shape, cs), r.chunks(), w);
                    assertArrayClose(r, a.dense(), a.dtype(), w);
                    ChunkedArray g = a.array().rechunk(ragged);
                    assertEquals(ragged, g.chunks(), w);
                    assertArrayClose(g, a.dense(), a.dtype(), w + " to " + ragged);
                }));
            }
            checkAll(what(ctx, seed, "rechunk"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void slicing(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 10; rep++) {
                Case a = rc.array(cw, rc.dtype(), rc.shape(1, 4), true);
                Sel[] sel = rc.selection(a.dense().shape());
                Slice[] slices = Arrays.stream(sel).map(Sel::toSlice).toArray(Slice[]::new);
                String w = what(ctx, seed, "slice(" + a + ", " + Arrays.toString(sel) + ")");
                checks.add(named(w, () -> {
                    ChunkedArray s = a.array().slice(slices);
                    Dense e = a.dense().slice(sel);
                    assertArrayClose(s, e, a.dtype(), w);
                    if (e.ndim() > 0) {
                        Sel[] again = rc.selection(e.shape());
                        assertArrayClose(s.slice(Arrays.stream(again).map(Sel::toSlice).toArray(Slice[]::new)),
                                e.slice(again), a.dtype(), w + " then slice(" + Arrays.toString(again) + ")");
                    }
                }));
            }
            Case b = rc.array(cw, DType.INT64, new long[]{7, 9}, false);
            String w = what(ctx, seed, "reversals and at() of " + b);
            checks.add(named(w, () -> {
                assertArrayClose(b.array().slice(Slice.of(null, null, -1), Slice.of(null, null, -2)),
                        b.dense().slice(Sel.range(null, null, -1), Sel.range(null, null, -2)), DType.INT64, w + " [::-1, ::-2]");
                assertArrayClose(b.array().slice(Slice.at(-1)), b.dense().slice(Sel.index(-1)), DType.INT64, w + " [-1]");
                assertArrayClose(b.array().slice(Slice.all(), Slice.at(3)), b.dense().slice(Sel.all(), Sel.index(3)), DType.INT64, w + " [:, 3]");
                assertArrayClose(b.array().slice(Slice.at(2), Slice.at(-2)), b.dense().slice(Sel.index(2), Sel.index(-2)), DType.INT64, w + " [2, -2]");
                assertArrayClose(b.array().slice(Slice.range(5, 1, -1), Slice.range(-100, 100, 3)),
                        b.dense().slice(Sel.range(5L, 1L, -1), Sel.range(-100L, 100L, 3)), DType.INT64, w + " [5:1:-1, -100:100:3]");
                assertArrayClose(b.array().slice(Slice.range(3, 3)), b.dense().slice(Sel.range(3L, 3L, 1)), DType.INT64, w + " [3:3] (empty)");
            }));
            checkAll(what(ctx, seed, "slicing"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void concatenateAndStack(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 6; rep++) {
                long[] base = rc.shape(1, 4);
                int nd = base.length;
                int axis = rc.between(-nd, nd - 1);
                int ax = axis < 0 ? axis + nd : axis;
                int parts = rc.between(1, 3);
                Case[] cs = new Case[parts];
                DType rt = null;
                for (int i = 0; i < parts; i++) {
                    long[] s = base.clone();
                    s[ax] = rc.chance(0.15) ? 0 : rc.between(1, 12);
                    DType t = rep % 2 == 0 ? (i == 0 ? rc.dtype() : cs[0].dtype()) : rc.dtype();
                    cs[i] = rc.array(cw, t, s, true);
                    rt = rt == null ? t : NumpyTypes.common(rt, t);
                }
                DType type = rt;
                String w = what(ctx, seed, "concatenate(axis " + axis + ", " + Arrays.toString(cs) + ")");
                checks.add(named(w, () -> {
                    ChunkedArray c = ChunkedArray.concatenate(axis, Arrays.stream(cs).map(Case::array).toArray(ChunkedArray[]::new));
                    Dense e = Dense.concatenate(axis, Arrays.stream(cs).map(x -> x.dense().roundTo(type)).toArray(Dense[]::new));
                    assertArrayClose(c, e, type, w);
                }));
            }
            for (int rep = 0; rep < 5; rep++) {
                long[] shape = rc.shape(0, 3);
                int axis = rc.between(-shape.length - 1, shape.length);
                int parts = rc.between(1, 3);
                Case[] cs = new Case[parts];
                DType rt = null;
                for (int i = 0; i < parts; i++) {
                    DType t = rep % 2 == 0 ? (i == 0 ? rc.dtype() : cs[0].dtype()) : rc.dtype();
                    cs[i] = rc.array(cw, t, shape, true);
                    rt = rt == null ? t : NumpyTypes.common(rt, t);
                }
                DType type = rt;
                String w = what(ctx, seed, "stack(axis " + axis + ", " + Arrays.toString(cs) + ")");
                checks.add(named(w, () -> {
                    ChunkedArray s = ChunkedArray.stack(axis, Arrays.stream(cs).map(Case::array).toArray(ChunkedArray[]::new));
                    Dense e = Dense.stack(axis, Arrays.stream(cs).map(x -> x.dense().roundTo(type)).toArray(Dense[]::new));
                    assertArrayClose(s, e, type, w);
                }));
            }
            checkAll(what(ctx, seed, "concatenate and stack"), checks);
        }
    }

    // ---- NumPy manipulation and indexing routines ----

    /** The chunk sizes along each axis of {@code c}. */
    private static long[][] sizesOf(Chunks c) {
        long[][] s = new long[c.ndim()][];
        for (int a = 0; a < s.length; a++) s[a] = c.sizes(a);
        return s;
    }

    private static long[] reversed(long[] v) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[v.length - 1 - i];
        return r;
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void flipAndSwapaxes(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 8; rep++) {
                DType t = RandomCases.DTYPES[rep % RandomCases.DTYPES.length];
                Case a = rc.array(cw, t, rc.shape(1, 4), true);
                int nd = a.dense().ndim();
                int axis = rc.between(-nd, nd - 1), ax = axis < 0 ? axis + nd : axis;
                int s1 = rc.between(-nd, nd - 1), s2 = rc.between(-nd, nd - 1);
                String w = what(ctx, seed, "flip(" + a + ", axis " + axis + ") and swapaxes(" + s1 + ", " + s2 + ")");
                checks.add(named(w, () -> {
                    ChunkedArray f = a.array().flip(axis);
                    long[][] mirrored = sizesOf(a.array().chunks());
                    mirrored[ax] = reversed(mirrored[ax]);
                    assertChunkSizes(mirrored, f.chunks(), w + ": flip mirrors the chunks along the axis");
                    assertArrayClose(f, a.dense().flip(axis), t, w + " flip");
                    assertArrayClose(f.flip(ax - nd), a.dense(), t, w + " flip twice");
                    ChunkedArray s = a.array().swapaxes(s1, s2);
                    long[][] swapped = sizesOf(a.array().chunks());
                    int x = s1 < 0 ? s1 + nd : s1, y = s2 < 0 ? s2 + nd : s2;
                    long[] keep = swapped[x];
                    swapped[x] = swapped[y];
                    swapped[y] = keep;
                    assertChunkSizes(swapped, s.chunks(), w + ": swapaxes swaps the chunks");
                    assertArrayClose(s, a.dense().swapaxes(s1, s2), t, w + " swapaxes");
                }));
            }
            checkAll(what(ctx, seed, "flip and swapaxes"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void expandDimsAndSqueeze(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 8; rep++) {
                DType t = RandomCases.DTYPES[rep % RandomCases.DTYPES.length];
                Case a = rc.array(cw, t, rc.shape(0, 4), true);
                int nd = a.dense().ndim();
                int axis = rc.between(-nd - 1, nd);
                long[] shape = a.dense().shape();
                List<Integer> ones = new ArrayList<>();
                for (int i = 0; i < nd; i++) if (shape[i] == 1 && rc.chance(0.6)) ones.add(rc.chance(0.4) ? i - nd : i);
                int[] some = ones.stream().mapToInt(Integer::intValue).toArray();
                String w = what(ctx, seed, "expandDims(" + a + ", " + axis + "), squeeze(" + Arrays.toString(some) + ")");
                checks.add(named(w, () -> {
                    ChunkedArray e = a.array().expandDims(axis);
                    int ax = axis < 0 ? axis + nd + 1 : axis;
                    assertArrayEquals(new long[]{1}, e.chunks().sizes(ax), w + ": the new axis is one chunk of 1");
                    assertArrayClose(e, a.dense().expandDims(axis), t, w + " expandDims");
                    assertArrayClose(e.squeeze(axis), a.dense(), t, w + " expandDims then squeeze of that axis");
                    assertArrayClose(a.array().squeeze(), a.dense().squeeze(), t, w + " squeeze()");
                    assertArrayClose(a.array().squeeze(some), a.dense().squeeze(some), t, w + " squeeze(" + Arrays.toString(some) + ")");
                    assertArrayClose(e.expandDims(-1).squeeze(), a.dense().squeeze(), t, w + " expandDims twice then squeeze()");
                }));
            }
            checkAll(what(ctx, seed, "expandDims and squeeze"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void broadcastTo(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 8; rep++) {
                DType t = RandomCases.DTYPES[rep % RandomCases.DTYPES.length];
                long[] target = rc.shape(0, 4);
                long[] from = rc.broadcastable(target);
                Case a = rc.array(cw, t, from, true);
                Case other = rc.array(cw, DType.FLOAT64, target, false);
                String w = what(ctx, seed, "broadcastTo(" + a + " -> " + Arrays.toString(target) + ")");
                checks.add(named(w, () -> {
                    ChunkedArray b = a.array().broadcastTo(target);
                    int lead = target.length - from.length;
                    for (int i = 0; i < from.length; i++) {
                        if (from[i] == target[i + lead]) {
                            assertArrayEquals(a.array().chunks().sizes(i), b.chunks().sizes(i + lead), w + ": axis " + (i + lead) + " keeps its chunks");
                        }
                    }
                    long largest = 1, biggest = 1;
                    for (int i = 0; i < from.length; i++) largest *= Math.max(1, Arrays.stream(a.array().chunks().sizes(i)).max().orElse(1));
                    for (int i = 0; i < target.length; i++) biggest *= Arrays.stream(b.chunks().sizes(i)).max().orElse(1);
                    assertTrue(biggest <= Math.max(largest, 1 << 20), w + ": chunks of at most max(largest input chunk, 2^20) elements: " + b.chunks());
                    Dense e = a.dense().broadcastTo(target);
                    assertArrayClose(b, e, t, w);
                    DType sum = NumpyTypes.common(t, DType.FLOAT64);
                    assertArrayClose(b.add(other.array()), e.roundTo(t).add(other.dense()), sum, w + " + an array of the target shape");
                    if (target.length > 0 && target[0] > 0) {
                        assertArrayClose(b.slice(Slice.at(-1)), e.slice(Sel.index(-1)), t, w + " then [-1]");
                    }
                }));
            }
            checkAll(what(ctx, seed, "broadcastTo"), checks);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void broadcastToStaysLazyAndFuses(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            ChunkedArray x = cw.fromArray(new double[]{1, 2, 3, 4, 5, 6}, new long[]{6}, new int[]{2});
            ChunkedArray big = x.broadcastTo(1000, 6);
            assertArrayEquals(new long[]{2, 2, 2}, big.chunks().sizes(1), ctx.name() + ": the broadcast array keeps x's chunks along its own axis");
            ChunkedArray y = big.mul(2).add(1);
            String text = y.explain();
            long layers = LAYER.matcher(text).results().filter(g -> g.group(2).startsWith("elementwise")).count();
            assertEquals(1, layers, ctx.name() + ": broadcastTo(...).mul(2).add(1) should be one elementwise layer reading x; explain():\n" + text);
            Matcher m = TOTAL.matcher(text);
            assertTrue(m.find(), ctx.name() + ": explain() states the task count:\n" + text);
            long outChunks = y.chunks().chunkCount();
            assertEquals(outChunks + 3, Long.parseLong(m.group(1)),
                    ctx.name() + ": one fused task per output chunk plus x's 3 source chunks, no materialised broadcast; explain():\n" + text);
            // against an operand of other chunks, the broadcast is broadcast again into them: still one fused layer
            double[] yv = new double[1000 * 6];
            for (int i = 0; i < yv.length; i++) yv[i] = i % 13;
            ChunkedArray other = cw.fromArray(yv, new long[]{1000, 6}, new int[]{300, 4});
            ChunkedArray z = big.add(other);
            String zt = z.explain();
            long zl = LAYER.matcher(zt).results().filter(g -> g.group(2).startsWith("elementwise")).count();
            assertEquals(1, zl, ctx.name() + ": broadcastTo(...).add(y) with y in other chunks should be one elementwise layer (no"
                    + " materialised, rechunked broadcast); explain():\n" + zt);
            assertArrayClose(z, Dense.of(new double[]{1, 2, 3, 4, 5, 6}, 6).broadcastTo(1000, 6).add(Dense.of(yv, 1000, 6)), DType.FLOAT64,
                    ctx.name() + ": (6,) broadcast to (1000, 6) + y in chunks (300, 4)");
            // a broadcast to a huge shape is only a graph: one row of it computes from the few chunks it needs
            ChunkedArray huge = cw.arange(DType.FLOAT64, 1000, 100).broadcastTo(1_000_000_000L, 1000);
            ChunkedArray row = huge.slice(Slice.at(123_456_789L), Slice.range(95, 105)).mul(3);
            assertArrayClose(row, Dense.arange(1000).slice(Sel.range(95L, 105L, 1)).map(v -> 3 * v), DType.FLOAT64,
                    ctx.name() + ": a row of arange(1000) broadcast to (1e9, 1000)");
            Matcher r = TOTAL.matcher(row.explain());
            assertTrue(r.find() && Integer.parseInt(r.group(1)) <= 8, ctx.name() + ": that row needs the tasks of its 2 chunks (4 each) of a graph"
                    + " of about 10^6 chunks:\n" + row.explain());
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void ravel(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 6; rep++) {
                DType t = RandomCases.DTYPES[rep % RandomCases.DTYPES.length];
                Case a = rc.array(cw, t, rc.shape(0, 4), true);
                String w = what(ctx, seed, "ravel(" + a + ")");
                checks.add(named(w, () -> {
                    assertArrayClose(a.array().ravel(), a.dense().ravel(), t, w);
                    if (a.dense().ndim() >= 2) {
                        assertArrayClose(a.array().transpose().ravel(), a.dense().transpose().ravel(), t, w + " of the transpose");
                    }
                }));
            }
            checkAll(what(ctx, seed, "ravel"), checks);
        }
    }

    /** Random indices into an axis of {@code len}: runs up, runs down, repeats and jumps, negative ones at times. */
    private static long[] takeIndices(RandomCases rc, long len) {
        if (len == 0) return new long[0];
        int n = rc.between(0, 20);
        long[] idx = new long[n];
        int i = 0;
        while (i < n) {
            long p = rc.between(0, (int) len - 1);
            int run = Math.min(n - i, rc.between(1, 6));
            int step = rc.pick(1, 1, -1, 0, 2, 3 - (int) len);
            for (int k = 0; k < run; k++) {
                long v = Math.floorMod(p + (long) step * k, len);
                idx[i++] = rc.chance(0.25) ? v - len : v;
            }
        }
        return idx;
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void take(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 10; rep++) {
                DType t = RandomCases.DTYPES[rep % RandomCases.DTYPES.length];
                Case a = rc.array(cw, t, rc.shape(1, 4), true);
                int nd = a.dense().ndim();
                int axis = rc.between(-nd, nd - 1), ax = axis < 0 ? axis + nd : axis;
                long[] idx = takeIndices(rc, a.dense().shape()[ax]);
                String w = what(ctx, seed, "take(" + a + ", " + Arrays.toString(idx) + ", axis " + axis + ")");
                checks.add(named(w, () -> {
                    ChunkedArray r = a.array().take(idx, axis);
                    long biggest = Math.max(1, Arrays.stream(a.array().chunks().sizes(ax)).max().orElse(1));
                    long[][] want = sizesOf(a.array().chunks());
                    want[ax] = regularSizes(new long[]{idx.length}, new int[]{(int) biggest})[0];
                    assertChunkSizes(want, r.chunks(), w + ": the taken axis in chunks of the largest input chunk, the others unchanged");
                    assertArrayClose(r, a.dense().take(idx, axis), t, w);
                }));
            }
            Case b = rc.array(cw, DType.INT64, new long[]{7, 9}, false);
            String w = what(ctx, seed, "take of the contract's example and of every row " + b);
            checks.add(named(w, () -> {
                assertArrayClose(b.array().take(new long[]{5, 0, 5}, 0), b.dense().take(new long[]{5, 0, 5}, 0), DType.INT64, w + " [5, 0, 5]");
                long[] all = {8, 7, 6, 5, 4, 3, 2, 1, 0, -1, -9, 4, 4, 4};
                assertArrayClose(b.array().take(all, -1), b.dense().take(all, -1), DType.INT64, w + " " + Arrays.toString(all));
            }));
            checkAll(what(ctx, seed, "take"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void extract(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 10; rep++) {
                DType t = RandomCases.DTYPES[rep % RandomCases.DTYPES.length];
                Case a = rc.array(cw, t, rc.shape(0, 4), true);
                long[] shape = a.dense().shape();
                int kind = rc.between(0, 3);
                // the condition: a comparison of x, a random array of any dtype (NaN counts as true), of another
                // shape of the same size, or all false
                ChunkedArray cond;
                Dense dc;
                String how;
                if (kind == 0) {
                    cond = a.array().gt(0.0);
                    dc = a.dense().roundTo(t).gt(Dense.scalar(0));
                    how = "x > 0";
                } else if (kind == 1 || kind == 2) {
                    DType ct = rc.dtype();
                    long[] cshape = kind == 1 ? shape : rc.reshapeTarget(Dense.size(shape), false);
                    Case c = rc.array(cw, ct, cshape, true);
                    cond = c.array();
                    dc = c.dense().roundTo(ct);
                    how = "cond " + c;
                } else {
                    cond = cw.zeros(DType.BOOL, shape, rc.chunkShape(shape));
                    dc = Dense.full(0, shape);
                    how = "all false";
                }
                String w = what(ctx, seed, "extract(" + a + ", " + how + ")");
                checks.add(named(w, () -> {
                    ChunkedArray r = a.array().extract(cond);
                    Dense e = a.dense().extract(dc);
                    assertEquals(1, r.ndim(), w + ": 1-D");
                    long largest = 1;
                    for (int ax = 0; ax < shape.length; ax++) largest *= Math.max(1, Arrays.stream(a.array().chunks().sizes(ax)).max().orElse(1));
                    for (long s : r.chunks().sizes(0)) {
                        assertTrue(s <= largest, w + ": a chunk of the result holds at most as many values as the largest input chunk (" + largest + "): " + r.chunks());
                    }
                    assertArrayClose(r, e, t, w);
                }));
            }
            // C order across a grid with several chunks along the last axes
            double[] v = new double[4 * 6 * 5];
            for (int i = 0; i < v.length; i++) v[i] = (i * 7) % 11 - 5;
            ChunkedArray x = cw.fromArray(v, new long[]{4, 6, 5}, new int[]{3, 2, 2});
            Dense d = Dense.of(v, 4, 6, 5);
            String w = what(ctx, seed, "extract in C order from (4, 6, 5) in chunks (3, 2, 2)");
            checks.add(named(w, () -> {
                assertArrayClose(x.extract(x.gt(0.0)), d.extract(d.gt(Dense.scalar(0))), DType.FLOAT64, w);
                assertArrayClose(x.transpose().extract(x.transpose().lt(0.0)), d.transpose().extract(d.transpose().lt(Dense.scalar(0))),
                        DType.FLOAT64, w + " of the transpose");
            }));
            checkAll(what(ctx, seed, "extract"), checks);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void takeAndExtractOfManyValuesExplainBriefly(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            ChunkedArray x = cw.arange(DType.INT64, 100_000, 1000);
            java.util.Random r = new java.util.Random(11);
            long[] idx = new long[50_000];
            for (int i = 0; i < idx.length; i++) idx[i] = r.nextInt(200_000) - 100_000;
            ChunkedArray t = x.take(idx, 0);
            String te = t.explain();
            assertTrue(te.length() < 8000 && te.contains("(50000 indices)"), ctx.name() + ": explain() of a take of 50000 indices stays short:\n" + te);
            double[] want = new double[idx.length];
            for (int i = 0; i < idx.length; i++) want[i] = idx[i] < 0 ? idx[i] + 100_000 : idx[i];
            assertArrayClose(t, Dense.of(want, idx.length), DType.INT64, ctx.name() + ": take of 50000 random indices");
            ChunkedArray e = x.extract(x.mul(7).add(3).gt(350_000.5));                  // 7i + 3 > 350000.5: i >= 50000
            String ee = e.explain();
            assertTrue(ee.length() < 8000 && ee.contains("extract"), ctx.name() + ": explain() of an extract stays short:\n" + ee);
            assertChunkSizes(regularSizes(new long[]{50_000}, new int[]{1000}), e.chunks(), ctx.name() + ": extract's result in chunks of 1000 values");
            double[] tail = new double[50_000];
            for (int i = 0; i < tail.length; i++) tail[i] = 50_000 + i;
            assertArrayClose(e, Dense.of(tail, tail.length), DType.INT64, ctx.name() + ": extract of the upper half");
        }
    }

    // ---- user kernels and persistence ----

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void mapBlocks(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (DType t : RandomCases.NUMERIC) {
                Case a = rc.array(cw, t, rc.shape(1, 3), false);
                String w = what(ctx, seed, "mapBlocks(" + a + ", 2 * x + sum(blockIndex))");
                checks.add(named(w, () -> {
                    Chunks chunks = a.array().chunks();
                    List<String> problems = new CopyOnWriteArrayList<>();
                    ChunkedArray m = a.array().mapBlocks((block, index) -> {
                        int[] idx = Arrays.stream(index).mapToInt(i -> (int) i).toArray();
                        long[] want = Arrays.stream(chunks.chunkShape(idx)).asLongStream().toArray();
                        if (!Arrays.equals(block.shape(), want)) {
                            problems.add("block " + Arrays.toString(index) + " came with shape " + Arrays.toString(block.shape()) + ", declared " + Arrays.toString(want));
                        }
                        if (block.dtype() != t) problems.add("block " + Arrays.toString(index) + " came as " + block.dtype() + ", not " + t);
                        double[] v = block.toDoubleArray();
                        long s = Arrays.stream(index).sum();
                        for (int i = 0; i < v.length; i++) v[i] = 2 * v[i] + s;
                        return NDArray.of(v, block.shape());   // float64, cast back to the array's dtype
                    });
                    assertEquals(chunks, m.chunks(), w + ": same chunks");
                    Dense e = expectedMapBlocks(a.dense(), chunks).roundTo(t);
                    assertArrayClose(m, e, t, w);
                    assertTrue(problems.isEmpty(), w + ": " + problems);
                }));
            }
            checkAll(what(ctx, seed, "mapBlocks"), checks);
        }
    }

    /** A function that returns another dtype: its blocks are cast back to the array's dtype (and given back). */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void mapBlocksReturningAnotherDtype(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (DType t : RandomCases.DTYPES) {
                for (DType r : RandomCases.DTYPES) {
                    if (r == t) continue;
                    Case a = rc.array(cw, t, rc.shape(0, 3), false);
                    String w = what(ctx, seed, "mapBlocks(" + a + ", 2 * x + sum(blockIndex) as " + r + ")");
                    checks.add(named(w, () -> {
                        ChunkedArray m = a.array().mapBlocks((block, index) -> {
                            double[] v = block.toDoubleArray();
                            long s = Arrays.stream(index).sum();
                            for (int i = 0; i < v.length; i++) v[i] = 2 * v[i] + s;
                            return ndarray(r, v, block.shape());
                        });
                        assertEquals(t, m.dtype(), w + ": dtype");
                        assertArrayClose(m, expectedMapBlocks(a.dense(), a.array().chunks()).roundTo(r).roundTo(t), t, w);
                    }));
                }
            }
            checkAll(what(ctx, seed, "mapBlocks returning another dtype"), checks);
        }
    }

    /** {@code v} stored as {@code t} ({@link Dense#roundTo}). */
    static NDArray ndarray(DType t, double[] v, long[] shape) {
        int n = v.length;
        switch (t) {
            case FLOAT64 -> { return NDArray.of(v, shape); }
            case FLOAT32 -> { float[] f = new float[n]; for (int i = 0; i < n; i++) f[i] = (float) v[i]; return NDArray.of(f, shape); }
            case INT64 -> { long[] l = new long[n]; for (int i = 0; i < n; i++) l[i] = (long) v[i]; return NDArray.of(l, shape); }
            case INT32 -> { int[] k = new int[n]; for (int i = 0; i < n; i++) k[i] = (int) (long) v[i]; return NDArray.of(k, shape); }
            default -> { byte[] b = new byte[n]; for (int i = 0; i < n; i++) b[i] = (byte) (v[i] != 0 ? 1 : 0); return NDArray.ofBools(b, shape); }
        }
    }

    /** {@code 2 * x + (sum of the chunk index holding x)}, the chunk index found from the grid's offsets. */
    private static Dense expectedMapBlocks(Dense x, Chunks chunks) {
        long[] shape = x.shape();
        double[] out = new double[x.size()];
        long[] idx = new long[shape.length];
        for (int i = 0; i < out.length; i++) {
            long s = 0;
            for (int a = 0; a < shape.length; a++) {
                int c = 0;
                while (chunks.offset(a, c + 1) <= idx[a]) c++;
                s += c;
            }
            out[i] = 2 * x.at(i) + s;
            Dense.increment(idx, shape);
        }
        return Dense.of(out, shape);
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void persistKeepsValuesAndChunks(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            Case a = rc.array(cw, DType.FLOAT64, rc.nonEmptyShape(1, 3), true);
            String w = what(ctx, seed, "persist(" + a + ")");
            ChunkedArray p = a.array().mul(2).add(a.array()).persist();
            Dense e = a.dense().mul(Dense.scalar(2)).add(a.dense());
            assertEquals(a.array().chunks(), p.chunks(), w + ": persisted chunks");
            assertArrayClose(p, e, DType.FLOAT64, w);
            // used twice, and again after another computation
            assertArrayClose(p.add(p).sub(p), e.add(e).sub(e), DType.FLOAT64, w + " reused");
            assertArrayClose(p.sum(), e.sum(), DType.FLOAT64, reductionTol(Reduction.SUM, DType.FLOAT64, e, new int[0]), w + " summed");
            assertArrayClose(p.persist().neg(), e.neg(), DType.FLOAT64, w + " persisted twice");
        }
    }

    /**
     * unpersist() releases one persisted array: the others keep their values, what was computed from it before stays,
     * its bytes go back to the persist budget, and using it again is a clear error, never a wrong value. (Every
     * assertArrayClose also persists the array it checks and unpersists it.)
     */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void unpersistReleasesOneArrayAndLeavesTheOthers(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        long[] shape = rc.nonEmptyShape(1, 3);
        long bytes = 8 * Dense.size(shape);
        // room for three such arrays at once, not four
        try (Chunkwise cw = open(ctx, b -> b.persistBudget(3 * bytes + bytes / 2))) {
            Case a = rc.array(cw, DType.FLOAT64, shape, true);
            String w = what(ctx, seed, "unpersist(" + a + ")");
            Dense e = a.dense().mul(Dense.scalar(2)).add(a.dense()), neg = a.dense().neg();
            ChunkedArray p = a.array().mul(2).add(a.array()).persist();
            ChunkedArray q = a.array().neg().persist();
            NDArray direct = assertArrayClose(p, e, DType.FLOAT64, w + ": before");   // a third one for the check, released
            ChunkedArray later = p.mul(3);
            ChunkedArray third = a.array().persist();
            assertThrows(MemoryBudgetExceededException.class, () -> a.array().neg().persist(), w + ": a fourth is over the budget");

            third.unpersist();
            p.unpersist();
            assertArrayClose(q, neg, DType.FLOAT64, w + ": the other persisted array");
            assertArrayClose(q.add(a.array()), neg.add(a.dense()), DType.FLOAT64, w + ": another computation after it");
            double[] kept = direct.toDoubleArray();   // computed before: stays, even where it was the stored chunks
            for (int i = 0; i < kept.length; i++) assertEquals(e.at(i), kept[i], w + ": computed before, value " + i);
            for (ChunkedArray gone : List.of(p, later, p.sum())) {
                InvalidArgumentException x = assertThrows(InvalidArgumentException.class, gone::compute, w + ": using it again");
                assertTrue(x.getMessage().contains("unpersist()"), w + ": " + x.getMessage());
            }
            p.unpersist();   // again: nothing
            assertThrows(InvalidArgumentException.class, () -> a.array().mul(2).unpersist(), w + ": an expression holds no chunks");

            ChunkedArray again = a.array().mul(2).add(a.array()).persist();
            ChunkedArray more = a.array().persist();   // q, again and this: room only as p's and third's bytes came back
            double[] sum = again.sub(q).add(more).compute().toDoubleArray();
            for (int i = 0; i < sum.length; i++) {
                assertEquals(e.at(i) - neg.at(i) + a.dense().at(i), sum[i], w + ": all three held, value " + i);
            }
        }
    }

    // ---- size-0 and 0-d ----

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void zeroDimensionalArrays(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            double v = rc.values(DType.FLOAT64, 1, false)[0];
            Dense d = Dense.scalar(v);
            ChunkedArray x = cw.fromArray(new double[]{v}, new long[0], new int[0]);
            Case other = rc.array(cw, DType.FLOAT64, rc.shape(1, 3), false);
            String w = what(ctx, seed, "0-d array " + v);
            assertEquals(0, x.ndim(), w + ": ndim");
            assertEquals(1, x.size(), w + ": size");
            assertArrayClose(x, d, DType.FLOAT64, w);
            assertEquals(v, x.compute().getDouble(), w + ": getDouble() with no index");
            assertArrayClose(x.mul(3).add(x), d.mul(Dense.scalar(3)).add(d), DType.FLOAT64, w + " * 3 + itself");
            assertArrayClose(x.add(other.array()), d.add(other.dense()), DType.FLOAT64, w + " + " + other);
            assertArrayClose(other.array().sub(x), other.dense().sub(d), DType.FLOAT64, other + " - " + w);
            assertArrayClose(x.sum(), d, DType.FLOAT64, w + " sum()");
            assertArrayClose(x.max(), d, DType.FLOAT64, w + " max()");
            assertArrayClose(x.var(), Dense.scalar(0), DType.FLOAT64, w + " var()");
            assertArrayClose(x.transpose(), d, DType.FLOAT64, w + " transpose()");
            assertArrayClose(x.slice(), d, DType.FLOAT64, w + " slice()");
            assertArrayClose(x.reshape(1, 1), d.reshape(1, 1), DType.FLOAT64, w + " reshape(1, 1)");
            assertArrayClose(x.reshape(1).reshape(), d, DType.FLOAT64, w + " reshape(1).reshape()");
            assertArrayClose(x.astype(DType.INT32), d.roundTo(DType.INT32), DType.INT32, w + " astype(int32)");
            assertArrayClose(ChunkedArray.stack(0, x, x.neg()), Dense.stack(0, d, d.neg()), DType.FLOAT64, w + " stacked");
            assertArrayClose(ChunkedArray.where(x.gt(0), x, x.neg()), d.abs(), DType.FLOAT64, w + " where");
            assertArrayClose(cw.zeros(DType.INT32, new long[0], new int[0]), Dense.scalar(0), DType.INT32, w + " zeros(())");
            assertArrayClose(other.array().sum(), other.dense().sum(), DType.FLOAT64,
                    reductionTol(Reduction.SUM, DType.FLOAT64, other.dense(), new int[0]), w + " sum() of " + other + " is 0-d");
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void sizeZeroAxes(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            int n = rc.between(1, 7);
            long[] shape = {n, 0, 3};
            Case a = rc.array(cw, DType.FLOAT64, shape, true);
            Case b = rc.array(cw, DType.INT32, new long[]{0, 3}, false);
            String w = what(ctx, seed, "size-0 " + a);
            assertEquals(0, a.array().size(), w + ": size");
            assertArrayClose(a.array(), a.dense(), DType.FLOAT64, w);
            assertArrayClose(a.array().add(b.array()), a.dense().add(b.dense()), DType.FLOAT64, w + " + " + b);
            assertArrayClose(a.array().exp(), a.dense().exp(), DType.FLOAT64, w + " exp");
            assertArrayClose(a.array().sum(1), Dense.full(0, n, 3), DType.FLOAT64, w + " sum over the empty axis");
            assertArrayClose(a.array().prod(1), Dense.full(1, n, 3), DType.FLOAT64, w + " prod over the empty axis");
            assertArrayClose(a.array().mean(1), Dense.full(Double.NaN, n, 3), DType.FLOAT64, w + " mean over the empty axis (NaN)");
            assertArrayClose(a.array().sum(), Dense.scalar(0), DType.FLOAT64, w + " sum()");
            assertArrayClose(a.array().max(0), Dense.full(0, 0, 3), DType.FLOAT64, w + " max over a non-empty axis");
            assertArrayClose(a.array().argmax(2), Dense.full(0, n, 0), DType.INT64, w + " argmax over a non-empty axis");
            assertArrayClose(a.array().transpose(), a.dense().transpose(), DType.FLOAT64, w + " transpose");
            assertArrayClose(a.array().reshape(3 * n, 0), a.dense().reshape(3 * n, 0), DType.FLOAT64, w + " reshape(3n, 0)");
            assertArrayClose(a.array().slice(Slice.range(1, 3)), a.dense().slice(Sel.range(1L, 3L, 1)), DType.FLOAT64, w + " [1:3]");
            assertArrayClose(b.array().sum(0), Dense.full(0, 3), DType.INT64, w + " int32 sum over the empty axis");
            Case c = rc.array(cw, DType.FLOAT64, new long[]{4, 0}, false);
            Case d = rc.array(cw, DType.FLOAT64, new long[]{0, 5}, false);
            assertArrayClose(c.array().matmul(d.array()), Dense.full(0, 4, 5), DType.FLOAT64, w + " (4, 0) @ (0, 5) gives zeros");
            Case e = rc.array(cw, DType.FLOAT64, new long[]{n, 2, 3}, false);
            assertArrayClose(ChunkedArray.concatenate(1, a.array(), e.array()), Dense.concatenate(1, a.dense(), e.dense()),
                    DType.FLOAT64, w + " concatenated with " + e);
            assertArrayClose(cw.arange(DType.INT64, 0, 4), Dense.arange(0), DType.INT64, w + " arange(0)");
        }
    }

    // ---- NumPy's special values ----

    private static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    /** The IEEE and C corner cases NumPy users rely on, each spelled out (random inputs rarely hit them). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void numpySpecialValues(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            String c = ctx.name() + ": ";
            double[] base = {1, 1, -1, -1, NAN, 2, 0, -8, 4, 0};
            double[] expo = {NAN, INF, INF, -INF, 0, NAN, 0, 1.0 / 3, -0.5, -1};
            ChunkedArray b = cw.fromArray(base, new long[]{10}, new int[]{3});
            ChunkedArray e = cw.fromArray(expo, new long[]{10}, new int[]{4});
            double[] x = {NAN, 1, -1, 0, -0.0, INF, -INF, 2};
            ChunkedArray a = cw.fromArray(x, new long[]{8}, new int[]{3});
            ChunkedArray one = cw.full(DType.FLOAT64, 1, new long[]{8}, new int[]{5});
            ChunkedArray ints = cw.fromArray(new long[]{1, -1, 0, 3}, new long[]{4}, new int[]{3});
            List<Executable> checks = List.of(
                    // C pow: 1 ** nan == 1, (-1) ** +-inf == 1, nan ** 0 == 1, (-8) ** (1/3) is nan, 0 ** -1 is inf
                    named(c + "power", () -> assertArrayClose(b.pow(e), Dense.of(new double[]{1, 1, 1, 1, 1, NAN, 1, NAN, 0.5, INF}, 10),
                            DType.FLOAT64, c + "power(" + Arrays.toString(base) + ", " + Arrays.toString(expo) + ")")),
                    named(c + "power with a scalar", () -> assertArrayClose(one.pow(NAN), Dense.full(1, 8), DType.FLOAT64, c + "ones ** nan")),
                    named(c + "maximum", () -> assertArrayClose(a.maximum(one), Dense.of(new double[]{NAN, 1, 1, 1, 1, INF, 1, 2}, 8),
                            DType.FLOAT64, c + "maximum(" + Arrays.toString(x) + ", 1)")),
                    named(c + "minimum", () -> assertArrayClose(one.minimum(a), Dense.of(new double[]{NAN, 1, -1, 0, -0.0, 1, -INF, 1}, 8),
                            DType.FLOAT64, c + "minimum(1, " + Arrays.toString(x) + ")")),
                    named(c + "comparisons with NaN", () -> {
                        assertArrayClose(a.eq(a), Dense.of(new double[]{0, 1, 1, 1, 1, 1, 1, 1}, 8), DType.BOOL, c + "x == x");
                        assertArrayClose(a.ne(a), Dense.of(new double[]{1, 0, 0, 0, 0, 0, 0, 0}, 8), DType.BOOL, c + "x != x");
                        assertArrayClose(a.ge(0), Dense.of(new double[]{0, 1, 0, 1, 1, 1, 0, 1}, 8), DType.BOOL, c + "x >= 0");
                    }),
                    named(c + "unary", () -> {
                        assertArrayClose(a.sqrt(), Dense.of(x, 8).sqrt(), DType.FLOAT64, c + "sqrt");
                        assertArrayClose(a.log(), Dense.of(new double[]{NAN, 0, NAN, -INF, -INF, INF, NAN, Math.log(2)}, 8), DType.FLOAT64, c + "log");
                        assertArrayClose(a.exp(), Dense.of(new double[]{NAN, Math.E, 1 / Math.E, 1, 1, INF, 0, Math.exp(2)}, 8), DType.FLOAT64, c + "exp");
                        assertArrayClose(a.tanh(), Dense.of(x, 8).tanh(), DType.FLOAT64, c + "tanh");
                        assertArrayClose(a.mul(1000).exp(), Dense.of(x, 8).map(v -> Math.exp(v * 1000)), DType.FLOAT64, c + "exp overflows to inf");
                        assertArrayClose(a.abs(), Dense.of(new double[]{NAN, 1, 1, 0, 0, INF, INF, 2}, 8), DType.FLOAT64, c + "abs");
                    }),
                    named(c + "division", () -> {
                        assertArrayClose(a.div(0), Dense.of(new double[]{NAN, INF, -INF, NAN, NAN, INF, -INF, INF}, 8), DType.FLOAT64, c + "x / 0");
                        assertArrayClose(ints.div(ints.mul(0.0).astype(DType.INT64)), Dense.of(new double[]{INF, -INF, NAN, INF}, 4), DType.FLOAT64, c + "int / int 0");
                    }),
                    named(c + "casts", () -> {
                        assertArrayClose(a.astype(DType.BOOL), Dense.of(new double[]{1, 1, 1, 0, 0, 1, 1, 1}, 8), DType.BOOL, c + "astype(bool): NaN is true, -0.0 false");
                        assertArrayClose(cw.fromArray(new double[]{-2.9, 2.9, -0.5, 1e9}, new long[]{4}, new int[]{3}).astype(DType.INT32),
                                Dense.of(new double[]{-2, 2, 0, 1e9}, 4), DType.INT32, c + "astype(int32) truncates toward zero");
                        assertArrayClose(ChunkedArray.where(a, one, one.neg()), Dense.of(new double[]{1, 1, 1, -1, -1, 1, 1, 1}, 8), DType.FLOAT64,
                                c + "where(x, 1, -1): NaN is true");
                    }),
                    named(c + "NaN in reductions", () -> {
                        ChunkedArray nan = cw.fromArray(new double[]{1, 5, NAN, 0, NAN}, new long[]{5}, new int[]{2});
                        String s = c + "[1, 5, nan, 0, nan] in chunks of 2: ";
                        assertArrayClose(nan.max(), Dense.scalar(NAN), DType.FLOAT64, s + "max");
                        assertArrayClose(nan.min(), Dense.scalar(NAN), DType.FLOAT64, s + "min");
                        assertArrayClose(nan.sum(), Dense.scalar(NAN), DType.FLOAT64, s + "sum");
                        assertArrayClose(nan.argmax(0), Dense.scalar(2), DType.INT64, s + "argmax (first NaN)");
                        assertArrayClose(nan.argmin(0), Dense.scalar(2), DType.INT64, s + "argmin (first NaN)");
                    }),
                    named(c + "opposite infinities", () -> {
                        ChunkedArray both = cw.fromArray(new double[]{INF, 1, -INF}, new long[]{3}, new int[]{1});
                        assertArrayClose(both.sum(), Dense.scalar(NAN), DType.FLOAT64, c + "sum of [inf, 1, -inf]");
                        assertArrayClose(both.max(), Dense.scalar(INF), DType.FLOAT64, c + "max of [inf, 1, -inf]");
                        assertArrayClose(both.min(), Dense.scalar(-INF), DType.FLOAT64, c + "min of [inf, 1, -inf]");
                    }));
            List<Executable> all = new ArrayList<>(checks);
            // [1, inf, 2, 3] in one chunk and in four: each reduction its own check, so all failures show
            for (int[] chunk : new int[][]{{4}, {1}}) {
                ChunkedArray y = cw.fromArray(new double[]{1, INF, 2, 3}, new long[]{4}, chunk);
                String s = c + "[1, inf, 2, 3] in chunks of " + chunk[0] + ": ";
                all.add(named(s + "sum", () -> assertArrayClose(y.sum(), Dense.scalar(INF), DType.FLOAT64, s + "sum")));
                all.add(named(s + "mean", () -> assertArrayClose(y.mean(), Dense.scalar(INF), DType.FLOAT64, s + "mean")));
                all.add(named(s + "prod", () -> assertArrayClose(y.prod(), Dense.scalar(INF), DType.FLOAT64, s + "prod")));
                all.add(named(s + "max", () -> assertArrayClose(y.max(), Dense.scalar(INF), DType.FLOAT64, s + "max")));
                all.add(named(s + "var", () -> assertArrayClose(y.var(), Dense.scalar(NAN), DType.FLOAT64, s + "var (inf - inf is NaN)")));
                all.add(named(s + "std", () -> assertArrayClose(y.std(), Dense.scalar(NAN), DType.FLOAT64, s + "std")));
                all.add(named(s + "argmax", () -> assertArrayClose(y.argmax(0), Dense.scalar(1), DType.INT64, s + "argmax")));
                ChunkedArray f = y.astype(DType.FLOAT32);
                all.add(named(s + "float32 sum", () -> assertArrayClose(f.sum(), Dense.scalar(INF), DType.FLOAT32, s + "float32 sum")));
            }
            checks = all;
            checkAll(c + "NumPy special values", checks);
        }
    }

    /** linspace (NumPy's formula, bit for bit, endpoint exact) and eye (any n, m, k) on random sizes and chunks. */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void linspaceAndEye(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 6; rep++) {
                double start = rc.pick(0.0, -1.0, 2.5, rc.random().nextDouble() * 100 - 50), stop = rc.pick(1.0, -3.0, 1e-310, rc.random().nextDouble() * 100 - 50);
                long num = rc.pick(0L, 1L, 2L, 7L, 101L, (long) rc.random().nextInt(300));
                int chunk = 1 + rc.random().nextInt(40);
                double[] want = new double[(int) num];
                double step = (stop - start) / (num - 1);
                for (int i = 0; i < num; i++) want[i] = num == 1 ? start : step == 0 ? (double) i / (num - 1) * (stop - start) + start : i * step + start;
                if (num > 1) want[(int) num - 1] = stop;
                String w = what(ctx, seed, "linspace(" + start + ", " + stop + ", " + num + ") in chunks of " + chunk);
                checks.add(named(w, () -> assertBits(cw.linspace(start, stop, num, chunk), want, w)));

                long n = rc.random().nextInt(9), m = rc.pick(n, (long) rc.random().nextInt(9)), k = rc.random().nextInt(7) - 3;
                DType t = rc.dtype();
                int[] cs = {1 + rc.random().nextInt(4), 1 + rc.random().nextInt(4)};
                double[] eye = new double[(int) (n * m)];
                for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) eye[(int) (i * m + j)] = j - i == k ? 1 : 0;
                String we = what(ctx, seed, "eye(" + n + ", " + m + ", " + k + ", " + t + ") in chunks of " + Arrays.toString(cs));
                checks.add(named(we, () -> {
                    ChunkedArray e = cw.eye(t, n, m, k, cs);
                    assertEquals(t, e.dtype(), we + ": dtype");
                    assertArrayClose(e, Dense.of(eye, n, m), t, we);
                }));
            }
            checks.add(named("linspace(0, 1, 5)", () -> assertBits(cw.linspace(0, 1, 5, 2), new double[]{0, 0.25, 0.5, 0.75, 1}, "linspace(0, 1, 5)")));
            checks.add(named("eye(3)", () -> assertArrayClose(cw.eye(DType.INT32, 3, new int[]{2, 2}), Dense.of(new double[]{1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3), DType.INT32, "eye(3)")));
            checks.add(named("negative num", () -> assertThrows(InvalidArgumentException.class, () -> cw.linspace(0, 1, -1, 2))));
            checkAll(what(ctx, seed, "linspace and eye"), checks);
        }
    }

    /**
     * The corner cases of the rounding functions, remainders, predicates and two-argument functions, each result
     * spelled out as NumPy gives it (signed zeros compared bit for bit), split over several chunks.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void ufuncCornerCases(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            String c = ctx.name() + ": ";
            double[] x = {NAN, 2.5, -2.5, 0.5, -0.5, 1.5, -0.0, INF, -INF, 3.7, -3.7};
            ChunkedArray a = cw.fromArray(x, new long[]{x.length}, new int[]{4});
            double[] num = {5, -5, 5, -5, 5.5, 0, -0.0, INF, 1, NAN, -1};
            double[] den = {3, 3, -3, -3, 0, 3, 3, 3, INF, 2, INF};
            ChunkedArray n = cw.fromArray(num, new long[]{num.length}, new int[]{3}), d = cw.fromArray(den, new long[]{den.length}, new int[]{5});
            ChunkedArray ni = cw.fromArray(new long[]{7, -7, 7, -7, 5, 0, Long.MIN_VALUE}, new long[]{7}, new int[]{2});
            ChunkedArray di = cw.fromArray(new long[]{2, 2, -2, -2, 0, 0, -1}, new long[]{7}, new int[]{3});
            ChunkedArray pow2 = cw.fromArray(new double[]{1, 2, 8, 1024, 0.5, 0x1p-1074, 0x1p-1030}, new long[]{7}, new int[]{2});
            List<Executable> checks = List.of(
                    named(c + "rint (half to even)", () -> assertBits(a.rint(), new double[]{NAN, 2, -2, 0, -0.0, 2, -0.0, INF, -INF, 4, -4}, c + "rint")),
                    named(c + "floor", () -> assertBits(a.floor(), new double[]{NAN, 2, -3, 0, -1, 1, -0.0, INF, -INF, 3, -4}, c + "floor")),
                    named(c + "ceil", () -> assertBits(a.ceil(), new double[]{NAN, 3, -2, 1, -0.0, 2, -0.0, INF, -INF, 4, -3}, c + "ceil")),
                    named(c + "trunc", () -> assertBits(a.trunc(), new double[]{NAN, 2, -2, 0, -0.0, 1, -0.0, INF, -INF, 3, -3}, c + "trunc")),
                    named(c + "sign", () -> assertBits(a.sign(), new double[]{NAN, 1, -1, 1, -1, 1, 0, 1, -1, 1, -1}, c + "sign (of -0.0: 0.0)")),
                    named(c + "predicates", () -> {
                        assertArrayClose(a.isnan(), Dense.of(new double[]{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 11), DType.BOOL, c + "isnan");
                        assertArrayClose(a.isinf(), Dense.of(new double[]{0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0}, 11), DType.BOOL, c + "isinf");
                        assertArrayClose(a.isfinite(), Dense.of(new double[]{0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1}, 11), DType.BOOL, c + "isfinite");
                        assertArrayClose(a.logicalNot(), Dense.of(new double[]{0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, 11), DType.BOOL, c + "logical_not (NaN is true)");
                        assertArrayClose(ni.isnan(), Dense.full(0, 7), DType.BOOL, c + "isnan of integers");
                    }),
                    named(c + "remainder of floats", () -> assertBits(n.mod(d), new double[]{2, 1, -1, -2, NAN, 0, 0, NAN, 1, NAN, INF}, c + "remainder")),
                    named(c + "floor_divide of floats", () -> assertBits(n.floorDivide(d), new double[]{1, -2, -2, 1, INF, 0, -0.0, NAN, 0, NAN, -1}, c + "floor_divide")),
                    named(c + "remainder and floor_divide of integers", () -> {
                        assertArrayClose(ni.mod(di), Dense.of(new double[]{1, 1, -1, -1, 0, 0, 0}, 7), DType.INT64, c + "int remainder (by 0: 0)");
                        assertArrayClose(ni.floorDivide(di), Dense.of(new double[]{3, -4, -4, 3, 0, 0, Long.MIN_VALUE}, 7), DType.INT64,
                                c + "int floor_divide (by 0: 0; int64 min // -1 wraps)");
                    }),
                    named(c + "log2 of powers of two", () -> assertBits(pow2.log2(), new double[]{0, 1, 3, 10, -1, -1074, -1030}, c + "log2 (subnormals too)")),
                    named(c + "arctan2 and hypot", () -> {
                        ChunkedArray y = cw.fromArray(new double[]{0, -0.0, 1, INF, INF, 3}, new long[]{6}, new int[]{4});
                        ChunkedArray z = cw.fromArray(new double[]{-0.0, -0.0, 0, INF, NAN, 4}, new long[]{6}, new int[]{4});
                        assertBits(y.arctan2(z), new double[]{Math.PI, -Math.PI, Math.PI / 2, Math.PI / 4, NAN, Math.atan2(3, 4)}, c + "arctan2");
                        assertBits(y.hypot(z), new double[]{0, 0, 1, INF, INF, 5}, c + "hypot (inf beats NaN)");
                    }),
                    named(c + "clip and where with scalars", () -> {
                        ChunkedArray v = cw.fromArray(new double[]{NAN, -5, 0.5, 5}, new long[]{4}, new int[]{3});
                        assertBits(v.clip(-1, 1), new double[]{NAN, -1, 0.5, 1}, c + "clip(-1, 1)");
                        assertBits(ChunkedArray.where(v.gt(0.0), v, 0.0), new double[]{0, 0, 0.5, 5}, c + "where(v > 0, v, 0)");
                        assertBits(ChunkedArray.where(v.gt(0.0), -1.0, v), new double[]{NAN, -5, -1, -1}, c + "where(v > 0, -1, v)");
                        assertEquals(DType.FLOAT32, ChunkedArray.where(v.gt(0.0), v.astype(DType.FLOAT32), 0.0).dtype(), c + "a float scalar keeps float32");
                        assertEquals(DType.FLOAT64, ChunkedArray.where(v.gt(0.0), ni.astype(DType.INT32).slice(io.chunkwise.Slice.range(0, 4)), 0.0).dtype(),
                                c + "a float scalar with int32 gives float64");
                    }));
            checkAll(c + "ufunc corner cases", checks);
        }
    }

    /** Every value bit for bit (any NaN matches NaN; -0.0 and 0.0 differ). */
    static void assertBits(ChunkedArray actual, double[] expected, String what) {
        double[] got = actual.compute().toDoubleArray();
        assertEquals(expected.length, got.length, what + ": length");
        for (int i = 0; i < got.length; i++) {
            boolean same = Double.isNaN(expected[i]) ? Double.isNaN(got[i]) : Double.doubleToLongBits(expected[i]) == Double.doubleToLongBits(got[i]);
            if (!same) fail(what + ": at " + i + " expected " + expected[i] + " but got " + got[i] + " (all: " + Arrays.toString(got) + ")");
        }
    }

    /**
     * Runs after every other test of the class: each row of the op table reached every backend this run used, so an
     * op added to the table without a conformance check fails here. (A filtered run does not select it.)
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void everyOpOfTheTableRanOnEveryBackend() {
        List<Enum<?>> table = new ArrayList<>();
        table.addAll(List.of(io.chunkwise.spi.UnaryOp.values()));
        table.addAll(List.of(io.chunkwise.spi.BinaryOp.values()));
        table.addAll(List.of(io.chunkwise.spi.ReduceOp.values()));
        java.util.Set<String> backends = new java.util.TreeSet<>();
        for (TestContext ctx : contexts()) {
            if (ctx.unavailableReason().isPresent()) continue;
            try (Chunkwise cw = ctx.open(b -> b)) {
                backends.add(cw.backend().name());
            }
        }
        assumeTrue(backends.stream().anyMatch(b -> !LeakCheckingBackend.exercised(b).isEmpty()), "no op reached a leak-checking backend of these contexts: no test ran before this one, or the contexts' "
                + "backends are out of sight (cluster members run their own)");
        List<Executable> checks = new ArrayList<>();
        for (String b : backends) {
            checks.add(() -> {
                List<Enum<?>> missing = new ArrayList<>(table);
                missing.removeAll(LeakCheckingBackend.exercised(b));
                assertTrue(missing.isEmpty(), b + " never ran " + missing + ": give each a conformance check");
            });
        }
        checkAll("every op of the table on every backend", checks);
    }

    // ---- NumPy at the edges ----

    private static final double I32 = Integer.MIN_VALUE, I64 = Long.MIN_VALUE;

    /**
     * astype of NaN, infinities and out-of-range floats to int32 and int64: NumPy's x86 answer, the target's smallest
     * value (the values below are NumPy 2.4's on x86-64), also inside a fused expression, a fused sum and a constant.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void astypeOfNanInfinityAndOutOfRangeGivesIntMin(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            String c = ctx.name() + ": ";
            double[] v = {NAN, INF, -INF, 3e9, -3e9, 0x1p31, -0x1p31, -0x1p31 - 1, 0x1p31 - 1, 1e19, -1e19, 0x1p63, -0x1p63,
                    9.3e18, -2.9, 2.9, -0.5, 1e300};
            long[] n = {v.length};
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
            ChunkedArray d = cw.fromArray(v, n, new int[]{5}), s = cw.fromArray(f, n, new int[]{4});
            double[] d32 = {I32, I32, I32, I32, I32, I32, I32, I32, 2147483647, I32, I32, I32, I32, I32, -2, 2, 0, I32};
            double[] d64 = {I64, I64, I64, 3e9, -3e9, 0x1p31, -0x1p31, -0x1p31 - 1, 0x1p31 - 1, I64, I64, I64, I64, I64, -2, 2, 0, I64};
            // float32 rounds 2^31 - 1 up to 2^31 (out of int32) and -2^31 - 1 to -2^31; 1e300 is inf
            double[] f32 = {I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, -2, 2, 0, I32};
            double[] f64 = {I64, I64, I64, 3e9, -3e9, 0x1p31, -0x1p31, -0x1p31, 0x1p31, I64, I64, I64, I64, I64, -2, 2, 0, I64};
            double[] twice32 = {I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, -5, 5, -1, I32};
            ChunkedArray ints = cw.fromArray(new int[]{1, -1, 0, 3}, new long[]{4}, new int[]{3});
            checkAll(c + "astype at the edges", List.of(
                    named(c + "float64 -> int32", () -> assertArrayClose(d.astype(DType.INT32), Dense.of(d32, n), DType.INT32, c + "float64 -> int32")),
                    named(c + "float64 -> int64", () -> assertArrayClose(d.astype(DType.INT64), Dense.of(d64, n), DType.INT64, c + "float64 -> int64")),
                    named(c + "float32 -> int32", () -> assertArrayClose(s.astype(DType.INT32), Dense.of(f32, n), DType.INT32, c + "float32 -> int32")),
                    named(c + "float32 -> int64", () -> assertArrayClose(s.astype(DType.INT64), Dense.of(f64, n), DType.INT64, c + "float32 -> int64")),
                    named(c + "fused (2 * x) -> int32", () -> assertArrayClose(d.mul(2).astype(DType.INT32), Dense.of(twice32, n), DType.INT32, c + "(2 * x).astype(int32)")),
                    named(c + "the oracle agrees", () -> {
                        assertArrayClose(d.astype(DType.INT32), Dense.of(v, n).astype(DType.FLOAT64, DType.INT32), DType.INT32, c + "Dense float64 -> int32");
                        assertArrayClose(s.astype(DType.INT64), Dense.of(v, n).roundTo(DType.FLOAT32).astype(DType.FLOAT32, DType.INT64), DType.INT64, c + "Dense float32 -> int64");
                    }),
                    named(c + "sums of the casts", () -> {
                        // np.sum wraps: 9223372036854775806 and -27917287425 (exact, so compared as longs)
                        assertEquals(9223372036854775806L, d.astype(DType.INT64).sum().compute().getLong(), c + "sum(x.astype(int64))");
                        assertEquals(-27917287425L, d.astype(DType.INT32).sum().compute().getLong(), c + "sum(x.astype(int32))");
                    }),
                    named(c + "full with a float out of range", () -> {
                        assertArrayClose(cw.full(DType.INT32, 3e9, new long[]{4}, new int[]{3}), Dense.full(I32, 4), DType.INT32, c + "full(int32, 3e9)");
                        assertArrayClose(cw.full(DType.INT64, NAN, new long[]{4}, new int[]{3}), Dense.full(I64, 4), DType.INT64, c + "full(int64, nan)");
                        // the constant folded into an integer op: int32 addition wraps
                        assertArrayClose(ints.add(cw.full(DType.INT32, 3e9, new long[]{4}, new int[]{2})),
                                Dense.of(new double[]{-2147483647, 2147483647, I32, -2147483645}, 4), DType.INT32, c + "[1, -1, 0, 3] + full(int32, 3e9)");
                    })));
        }
    }

    /**
     * An integer power with a negative exponent anywhere in the data raises (NumPy's ValueError "Integers to negative
     * integer powers are not allowed."), from compute() as the library's InvalidArgumentException naming the op; a
     * float scalar exponent makes an integer array float64, as a Python float does, so x ** -1.0 is fine.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void integerPowerWithANegativeExponentRaises(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            String c = ctx.name() + ": ";
            List<Executable> checks = new ArrayList<>();
            for (DType t : new DType[]{DType.INT64, DType.INT32}) {
                ChunkedArray base = cw.fromArray(new long[]{2, 3, 1, -1, 0, 5, 2}, new long[]{7}, new int[]{3}).astype(t);
                ChunkedArray ok = cw.fromArray(new long[]{0, 1, 2, 3, 2, 1, 0}, new long[]{7}, new int[]{3}).astype(t);
                // one negative exponent, in the last chunk only, under base 1 (whose power would be defined)
                ChunkedArray neg = cw.fromArray(new long[]{0, 1, 2, 3, 2, 1, -1}, new long[]{7}, new int[]{4}).astype(t);
                ChunkedArray negOne = cw.full(t, -1, new long[]{7}, new int[]{7});
                String w = c + t + " ";
                checks.add(named(w + "base ** [0, 1, 2, 3, 2, 1, 0]", () -> assertArrayClose(base.pow(ok),
                        Dense.of(new double[]{1, 3, 1, -1, 0, 5, 1}, 7), t, w + "[2, 3, 1, -1, 0, 5, 2] ** [0, 1, 2, 3, 2, 1, 0]")));
                Map<String, java.util.function.Supplier<Object>> failing = new java.util.LinkedHashMap<>();
                failing.put("base ** [.., -1]", () -> base.pow(neg).compute());
                failing.put("ones ** [.., -1]", () -> cw.ones(t, new long[]{7}, new int[]{2}).pow(neg).compute());
                failing.put("base ** full(-1)", () -> base.pow(negOne).compute());
                failing.put("(base ** [.., -1]) + base, fused", () -> base.pow(neg).add(base).compute());
                failing.put("sum(base ** [.., -1])", () -> base.pow(neg).sum().compute());
                failing.put("computeInto", () -> base.pow(neg).computeInto(ArrayAssert.sentinel(t, new long[]{7})));
                failing.put("persist", () -> base.pow(neg).persist());
                failing.forEach((name, body) -> checks.add(named(w + name, () -> {
                    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, body::get, w + name);
                    assertTrue(e.getMessage().contains("power") && e.getMessage().contains("Integers to negative integer powers are not allowed"),
                            w + name + ": the message names the op and NumPy's rule: " + e.getMessage());
                })));
                checks.add(named(w + "** -1.0 is float64", () -> assertArrayClose(base.pow(-1.0),
                        Dense.of(new double[]{0.5, 1.0 / 3, 1, -1, INF, 0.2, 0.5}, 7), DType.FLOAT64, w + "[2, 3, 1, -1, 0, 5, 2] ** -1.0")));
            }
            checks.add(named(c + "bool ** bool", () -> {
                ChunkedArray b = cw.fromArray(new long[]{1, 0}, new long[]{2}, new int[]{1}).gt(0.5);
                assertArrayClose(b.pow(b.eq(b)), Dense.of(new double[]{1, 0}, 2), DType.INT64, c + "[True, False] ** [True, True]");
            }));
            checkAll(c + "integer powers", checks);
        }
    }

    /**
     * A mapBlocks function that writes into the block it is given changes nothing else: not a persisted chunk, not a
     * chunk of the user's array, not a chunk another task reads.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void mapBlocksCannotModifyItsInput(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            String c = ctx.name() + ": ";
            BlockFunction zeroInPlace = (b, i) -> {
                switch (b.block().data()) {
                    case double[] a -> Arrays.fill(a, 0);
                    case float[] a -> Arrays.fill(a, 0);
                    case long[] a -> Arrays.fill(a, 0);
                    case int[] a -> Arrays.fill(a, 0);
                    case byte[] a -> Arrays.fill(a, (byte) 0);
                    default -> throw new IllegalStateException("a block of " + b.block().data().getClass());
                }
                return b;
            };
            double[] v = {1, 2, 3, 4, 5, 6, 7};
            List<Executable> checks = new ArrayList<>();
            for (DType t : RandomCases.NUMERIC) {
                String w = c + t + " ";
                Dense x = Dense.of(v, 7);
                checks.add(named(w + "persisted", () -> {
                    ChunkedArray p = RandomCases.create(cw, t, new long[]{7}, v, null, new int[]{3}).mul(2).astype(t).persist();
                    assertArrayClose(p.mapBlocks(zeroInPlace), Dense.full(0, 7), t, w + "mapBlocks(zero in place) of a persisted array");
                    assertArrayClose(p, x.mul(Dense.scalar(2)), t, w + "the persisted array afterwards");
                }));
                checks.add(named(w + "the user's array, one chunk", () -> {
                    ChunkedArray a = RandomCases.create(cw, t, new long[]{7}, v, null, new int[]{7});
                    assertArrayClose(a.mapBlocks(zeroInPlace), Dense.full(0, 7), t, w + "mapBlocks(zero in place) of fromArray");
                    assertArrayClose(a, x, t, w + "the array afterwards");
                }));
                checks.add(named(w + "a chunk read by another task", () -> {
                    ChunkedArray a = RandomCases.create(cw, t, new long[]{7}, v, null, new int[]{2});
                    assertArrayClose(a.mapBlocks(zeroInPlace).add(a), x, t, w + "mapBlocks(zero in place)(a) + a");
                }));
            }
            checkAll(c + "mapBlocks and its input", checks);
        }
    }

    // ---- random numbers ----

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void randomArraysDoNotDependOnChunking(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            long[] shape = rc.nonEmptyShape(1, 3);
            int[] c1 = rc.chunkShape(shape), c2 = rc.chunkShape(shape);
            String w = what(ctx, seed, "random(" + seed + ") " + Arrays.toString(shape) + " chunks " + Arrays.toString(c1) + " vs " + Arrays.toString(c2));
            for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
                ChunkedArray n1 = t == DType.FLOAT64 ? cw.random(seed).normal(1.5, 2.0, shape, c1) : cw.random(seed).normal(t, 1.5, 2.0, shape, c1);
                ChunkedArray n2 = cw.random(seed).normal(t, 1.5, 2.0, shape, c2);
                ChunkedArray u1 = t == DType.FLOAT64 ? cw.random(seed).uniform(-2, 3, shape, c1) : cw.random(seed).uniform(t, -2, 3, shape, c1);
                ChunkedArray u2 = cw.random(seed).uniform(t, -2, 3, shape, c2);
                assertEquals(t, n1.dtype(), w + ": normal dtype");
                assertEquals(t, u1.dtype(), w + ": uniform dtype");
                NDArray a = n1.compute(), b = n2.compute();
                assertArrayClose(n2, Dense.of(a.toDoubleArray(), shape), t, Tol.EXACT, w + " normal " + t + ", chunkings agree");
                assertArrayClose(u2, Dense.of(u1.compute().toDoubleArray(), shape), t, Tol.EXACT, w + " uniform " + t + ", chunkings agree");
                assertEquals(b, a, w + " normal " + t + ": same values");
                double[] u = u1.compute().toDoubleArray();
                for (double x : u) assertTrue(x >= -2 && x < 3, w + ": uniform value " + x + " outside [-2, 3)");
                // a sliced random array equals the slice of the whole
                ChunkedArray part = cw.random(seed).normal(t, 1.5, 2.0, shape, c2).slice(Slice.range(0, 1));
                assertArrayClose(part, Dense.of(a.toDoubleArray(), shape).slice(Sel.range(0L, 1L, 1)), t, Tol.EXACT, w + " slice");
            }
            NDArray other = cw.random(seed + 1).normal(1.5, 2.0, shape, c1).compute();
            if (Dense.size(shape) > 3) assertNotEquals(cw.random(seed).normal(1.5, 2.0, shape, c1).compute(), other, w + ": another seed gives other values");
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void randomMomentsArePlausible(TestContext ctx, long seed) {
        try (Chunkwise cw = open(ctx)) {
            int n = 40_000;
            String w = what(ctx, seed, "random(" + seed + ") of " + n + " values");
            for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
                double[] v = cw.random(seed).normal(t, 3.0, 2.0, new long[]{n}, new int[]{7_000}).compute().toDoubleArray();
                double[] ms = meanStd(v);
                // standard errors: std / sqrt(n) = 0.01 for the mean; about std / sqrt(2n) = 0.007 for the std
                assertEquals(3.0, ms[0], 0.06, w + " normal(3, 2) " + t + ": mean");
                assertEquals(2.0, ms[1], 0.05, w + " normal(3, 2) " + t + ": std");
                double[] u = cw.random(seed).uniform(t, 10, 14, new long[]{n}, new int[]{9_999}).compute().toDoubleArray();
                double[] mu = meanStd(u);
                assertEquals(12.0, mu[0], 0.04, w + " uniform(10, 14) " + t + ": mean");
                assertEquals(4 / Math.sqrt(12), mu[1], 0.03, w + " uniform(10, 14) " + t + ": std");
                double lo = Arrays.stream(u).min().orElseThrow(), hi = Arrays.stream(u).max().orElseThrow();
                assertTrue(lo >= 10 && lo < 10.01 && hi < 14 && hi > 13.99, w + ": uniform range [" + lo + ", " + hi + "]");
            }
        }
    }

    private static double[] meanStd(double[] v) {
        double m = Arrays.stream(v).average().orElseThrow();
        double s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return new double[]{m, Math.sqrt(s / v.length)};
    }

    // ---- determinism ----

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void sumsAreBitIdenticalAcrossThreadsAndRuns(TestContext ctx, long seed) {
        assumeTrue(ctx.unavailableReason().isEmpty(), () -> ctx.name() + ": " + ctx.unavailableReason().orElse(""));
        long[] shape = {300, 170};
        int[] chunks = {37, 23};
        String w = what(ctx, seed, "sum of random " + Arrays.toString(shape) + " chunks " + Arrays.toString(chunks));
        List<double[]> results = new ArrayList<>();
        for (int threads : new int[]{1, 3, 1, 3}) {
            try (Chunkwise cw = ctx.open(b -> b.threads(threads))) {
                ChunkedArray x = cw.random(seed).normal(0.3, 1.7, shape, chunks);
                double total = x.sum().compute().getDouble();
                double[] rows = x.mul(x).sum(1).compute().toDoubleArray();
                double mean = x.mean(0).std().compute().getDouble();
                double[] r = Arrays.copyOf(rows, rows.length + 2);
                r[rows.length] = total;
                r[rows.length + 1] = mean;
                results.add(r);
            }
        }
        for (int i = 1; i < results.size(); i++) {
            double[] a = results.get(0), b = results.get(i);
            for (int j = 0; j < a.length; j++) {
                if (Double.doubleToRawLongBits(a[j]) != Double.doubleToRawLongBits(b[j])) {
                    fail(w + ": run " + i + " (threads " + (i % 2 == 0 ? 1 : 3) + ") gave " + b[j] + " where run 0 (1 thread) gave "
                            + a[j] + " at position " + j + " (the last two are sum() and mean(0).std())");
                }
            }
        }
    }

    // ---- the graph ----

    private static final Pattern LAYER = Pattern.compile("(?m)^\\s+(\\S+): (.*?) -> \\w+\\(.*\\), (\\d+) tasks$");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) tasks after culling and fusion");

    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void explainShowsOneFusedElementwiseLayer(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            ChunkedArray x = cw.fromArray(new double[]{1, 2, 3, 4, 5, 6}, new long[]{2, 3}, new int[]{1, 2});
            String text = x.mul(x).add(10).exp().explain();
            List<String> elementwise = new ArrayList<>();
            Matcher m = LAYER.matcher(text);
            while (m.find()) if (m.group(2).startsWith("elementwise")) elementwise.add(m.group(0).trim());
            assertEquals(1, elementwise.size(), ctx.name() + ": x.mul(x).add(10).exp() should be one elementwise layer; explain():\n" + text);
            assertTrue(elementwise.get(0).contains("exp(add(multiply("), ctx.name() + ": the fused layer should read exp(add(multiply(...)...)); explain():\n" + text);
            assertTrue(elementwise.get(0).endsWith(", 4 tasks"), ctx.name() + ": one fused task per chunk (4 chunks); explain():\n" + text);
            assertArrayClose(x.mul(x).add(10).exp(), Dense.of(new double[]{1, 2, 3, 4, 5, 6}, 2, 3).map(v -> Math.exp(v * v + 10)),
                    DType.FLOAT64, ctx.name() + ": fused values");
            // random source, arithmetic and cast fuse into the same single kernel
            String r = cw.random(1).normal(0, 1, new long[]{10}, new int[]{5}).mul(2).astype(DType.FLOAT32).explain();
            long layers = LAYER.matcher(r).results().filter(g -> g.group(2).startsWith("elementwise")).count();
            assertEquals(1, layers, ctx.name() + ": random.normal(...).mul(2).astype(float32) should be one layer; explain():\n" + r);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void slicingOneChunkBuildsTasksOnlyForThatChunk(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            ChunkedArray x = cw.random(7).uniform(0, 1, new long[]{1000}, new int[]{10}).mul(2).add(1);
            assertEquals(100, x.chunks().numChunks(0), ctx.name() + ": 100 chunks");
            assertEquals(100, elementwiseTasks(x), ctx.name() + ": the whole array has one fused task per chunk");
            ChunkedArray one = x.slice(Slice.range(15, 18));
            assertEquals(1, elementwiseTasks(one), ctx.name() + ": a slice inside chunk 1 needs the elementwise task of that chunk only");
            ChunkedArray two = x.slice(Slice.range(15, 25, 2));
            assertEquals(2, elementwiseTasks(two), ctx.name() + ": a slice across chunks 1 and 2 needs their two tasks");
            Matcher m = TOTAL.matcher(one.explain());
            assertTrue(m.find(), ctx.name() + ": explain() states the task count:\n" + one.explain());
            assertTrue(Integer.parseInt(m.group(1)) <= 3, ctx.name() + ": the culled graph of one slice is small:\n" + one.explain());
            Dense all = Dense.of(x.compute().toDoubleArray(), 1000);
            assertArrayClose(one, all.slice(Sel.range(15L, 18L, 1)), DType.FLOAT64, Tol.EXACT, ctx.name() + ": culled slice values");
            assertArrayClose(two, all.slice(Sel.range(15L, 25L, 2)), DType.FLOAT64, Tol.EXACT, ctx.name() + ": culled slice values");
        }
    }

    /** Tasks of elementwise layers in the optimized graph that computes all of {@code a}. */
    private static long elementwiseTasks(ChunkedArray a) {
        List<int[]> all = new ArrayList<>();
        a.chunks().forEachIndex(all::add);
        TaskGraph g = GraphBuilder.build(Optimizer.optimize(a.node()), all);
        return g.tasks().keySet().stream().map(ChunkKey::layer).filter(l -> l.startsWith("elementwise")).count();
    }

    // ---- memory budget ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("largeContexts")
    void computationsLargerThanTheBudgetStream(TestContext ctx) {
        assumeTrue(ctx.unavailableReason().isEmpty(), () -> ctx.name() + ": " + ctx.unavailableReason().orElse(""));
        long budget = 64L << 20;
        long[] shape = {4800, 4800};             // 184 MB of float64, almost 3x the budget
        try (Chunkwise cw = ctx.open(b -> b.memoryBudget(budget))) {
            ChunkedArray x = cw.random(11).normal(0, 1, shape, new int[]{600, 600});
            double s = x.mul(x).add(10).sum().compute().getDouble();
            double n = (double) shape[0] * shape[1];
            // E[x^2 + 10] = 11 per element; the sum's standard deviation is sqrt(2n), 0.003% of 11n
            assertEquals(11 * n, s, 11 * n * 1e-3, ctx.name() + ": sum of x*x+10 over " + Arrays.toString(shape) + " within a budget of " + budget);

            ChunkedArray big = cw.zeros(DType.FLOAT64, new long[]{3000, 3000}, new int[]{3000, 3000}).add(1);   // one 72 MB chunk
            // read by two reductions, the chunk is a task of its own, held for both (one sum alone may stream it)
            MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class, () -> big.sum().add(big.max()).compute(),
                    ctx.name() + ": a single chunk over the budget");
            assertTrue(e.getMessage().contains(Long.toString(budget)), ctx.name() + ": the message names the budget " + budget + ": " + e.getMessage());
            // the context is still usable
            assertArrayClose(cw.arange(DType.INT64, 10, 3).sum(), Dense.scalar(45), DType.INT64, ctx.name() + ": after the budget failure");
        }
    }
}
