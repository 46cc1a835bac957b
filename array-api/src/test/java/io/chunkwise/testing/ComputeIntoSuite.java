package io.chunkwise.testing;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.DTypeException;
import io.chunkwise.NDArray;
import io.chunkwise.ShapeMismatchException;
import io.chunkwise.ChunkwiseException;
import io.chunkwise.testing.ArrayAssert.Tol;
import io.chunkwise.testing.NumpyTypes.Binary;
import io.chunkwise.testing.RandomCases.Case;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.chunkwise.testing.ArrayAssert.assertArrayClose;
import static io.chunkwise.testing.ArrayAssert.checkNDArray;
import static io.chunkwise.testing.ArrayAssert.sentinel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Results written in place: {@code compute()} and {@code computeInto(out)}, whose elementwise output chunks are
 * written by their kernels straight into the result array (other chunks are copied in). Chunk grids whose chunks
 * are not contiguous in the result (2-d and 3-d, ragged), broadcast operands, output chunks aliased to several
 * places (concatenate) or read by other tasks, size-0 and 0-d arrays, every dtype, against the {@link Dense}
 * oracle; and the errors of {@code computeInto}, which leave {@code out} untouched. A module runs it by extending
 * it, as with {@link ConformanceSuite}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ComputeIntoSuite {
    protected List<TestContext> contexts() { return Contexts.all(); }

    Stream<Arguments> cases() { return Contexts.withSeeds(contexts()); }

    Stream<Arguments> contextsOnly() { return Contexts.only(contexts()); }

    private static Chunkwise open(TestContext ctx) {
        assumeTrue(ctx.unavailableReason().isEmpty(), () -> ctx.name() + " is not usable here: " + ctx.unavailableReason().orElse(""));
        return ctx.open();
    }

    private static String what(TestContext ctx, long seed, String op) {
        return "[" + ctx.name() + ", seed " + seed + ", repeat with -D" + Contexts.SEEDS + "=" + seed + "] " + op;
    }

    /**
     * compute() and computeInto() of a sentinel-filled array (both in {@link ArrayAssert#assertArrayClose}), then
     * computeInto() again into the used array, against {@code expected}.
     */
    static void checkBoth(ChunkedArray a, Dense expected, DType t, String w) {
        NDArray out = assertArrayClose(a, expected, t, w);
        assertSame(out, a.mul(0.0).astype(t).computeInto(out), w + ": computeInto returns out");
        assertSame(out, a.computeInto(out), w + ": computeInto again");
        checkNDArray(out, expected, t, Tol.of(t), w + ": computeInto() into a used array: ");
    }

    private static void run(List<Executable> checks, String heading) {
        org.junit.jupiter.api.Assertions.assertAll(heading, checks.stream());
    }

    // ---- values ----

    /** Elementwise results over 2-d and 3-d grids (regular and ragged): each chunk a strided piece of the result. */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void elementwiseOverChunkGrids(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (DType t : RandomCases.DTYPES) {
                for (int nd = 1; nd <= 3; nd++) {
                    long[] shape = rc.nonEmptyShape(nd, nd);
                    shape[0] = Math.max(shape[0], 3);   // at least two chunks along the outer axis, mostly
                    Case x = rc.array(cw, t, shape, false);
                    Case y = rc.array(cw, t, rc.broadcastable(shape), false);
                    String w = what(ctx, seed, x + " and " + y);
                    Binary op = rc.pick(Binary.ADD, Binary.MUL, Binary.MAXIMUM, Binary.GT);
                    DType rt = NumpyTypes.binary(op, t, t);
                    checks.add(() -> checkBoth(ConformanceSuite.apply(op, x.array(), y.array()),
                            ConformanceSuite.apply(op, x.dense(), y.dense(), t).roundTo(rt), rt, w + " " + op));
                    double s = rc.pick(2.0, -1.5, 10.0);
                    DType st = NumpyTypes.binaryScalar(Binary.ADD, t);
                    checks.add(() -> checkBoth(x.array().mul(x.array()).add(s), x.dense().mul(x.dense()).add(Dense.scalar(s))
                            .roundTo(st), st, w + " x*x+" + s));
                    checks.add(() -> checkBoth(x.array().astype(DType.FLOAT32), x.dense().roundTo(DType.FLOAT32), DType.FLOAT32,
                            w + " astype(float32)"));
                }
            }
            run(checks, what(ctx, seed, "elementwise over chunk grids"));
        }
    }

    /** Generated arrays (random, arange) and a cast, over ragged grids: no inputs, global positions. */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void generatedArrays(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            long[] shape = rc.nonEmptyShape(2, 3);
            Chunks chunks = rc.chunks(shape);
            String w = what(ctx, seed, Arrays.toString(shape) + " chunks " + chunks);
            int[] one = Arrays.stream(shape).mapToInt(v -> (int) v).toArray();
            NDArray whole = cw.random(seed).uniform(-1, 1, shape, one).compute();
            ChunkedArray r = cw.random(seed).uniform(-1, 1, shape, rc.chunkShape(shape));
            checkBoth(r.mul(3.0), Dense.of(whole).mul(Dense.scalar(3.0)), DType.FLOAT64, w + " uniform * 3");
            ChunkedArray f = cw.full(DType.INT32, 7, chunks);
            checkBoth(f.add(f), Dense.full(14, shape), DType.INT32, w + " full(7) + full(7)");
        }
    }

    /** One chunk at several places of the result (concatenate of an array with itself), or read by another task. */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void aliasedAndSharedChunks(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (DType t : RandomCases.NUMERIC) {
                int m = rc.between(2, 9);
                Case x = rc.array(cw, t, new long[]{m, m}, false);
                String w = what(ctx, seed, x.toString());
                ChunkedArray y = x.array().mul(x.array());
                Dense yd = x.dense().mul(x.dense()).roundTo(t);
                checks.add(() -> checkBoth(ChunkedArray.concatenate(0, y, y), Dense.concatenate(0, yd, yd), t, w + " concatenate(0, y, y)"));
                checks.add(() -> checkBoth(ChunkedArray.concatenate(1, y, y, y), Dense.concatenate(1, yd, yd, yd), t, w + " concatenate(1, y, y, y)"));
                checks.add(() -> checkBoth(ChunkedArray.concatenate(0, y, y.transpose()), Dense.concatenate(0, yd, yd.transpose()), t,
                        w + " concatenate(0, y, y.T)"));
                checks.add(() -> checkBoth(ChunkedArray.stack(0, y, y.add(1.0).astype(t)),
                        Dense.stack(0, yd, yd.add(Dense.scalar(1.0)).roundTo(t)), t, w + " stack(0, y, y + 1)"));
            }
            run(checks, what(ctx, seed, "aliased and shared chunks"));
        }
    }

    /** Size-0 results (nothing runs, out is left as it is) and 0-d results. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void emptyAndZeroDimensional(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            for (long[] shape : new long[][]{{0}, {0, 3}, {4, 0}, {2, 0, 5}}) {
                for (DType t : RandomCases.DTYPES) {
                    int[] cs = new int[shape.length];
                    Arrays.fill(cs, 2);
                    ChunkedArray z = cw.ones(t, shape, cs);
                    String w = ctx.name() + ": " + t + " " + Arrays.toString(shape);
                    NDArray r = z.add(z).compute();
                    assertArrayEquals(shape, r.shape(), w);
                    NDArray out = sentinel(z.add(z).dtype(), shape);
                    assertSame(out, z.add(z).computeInto(out), w);
                    assertEquals(0, out.size(), w);
                }
            }
            ChunkedArray a = cw.arange(DType.FLOAT64, 10, 3);
            checkBoth(a.sum().add(1.0), Dense.scalar(46), DType.FLOAT64, ctx.name() + ": 0-d sum + 1");
            checkBoth(a.slice(io.chunkwise.Slice.at(4)).mul(2.0), Dense.scalar(8), DType.FLOAT64, ctx.name() + ": 0-d element * 2");
        }
    }

    /** computeInto where out is the array's own source: chunks read out's old values, never ones already written. */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void intoItsOwnSource(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            int m = rc.between(3, 12);
            double[] v = rc.values(DType.FLOAT64, m * m, false);
            NDArray out = NDArray.of(v, m, m);
            ChunkedArray x = cw.fromNDArray(out, rc.chunkShape(new long[]{m, m}));
            Dense d = Dense.of(v, m, m);
            ChunkedArray y = x.transpose().add(x).mul(0.5).add(1.0);
            Dense want = d.transpose().add(d).mul(Dense.scalar(0.5)).add(Dense.scalar(1.0));
            assertSame(out, y.computeInto(out));
            checkNDArray(out, want, DType.FLOAT64, Tol.of(DType.FLOAT64), what(ctx, seed, "(x.T + x) / 2 + 1 into x's own array"));
        }
    }

    // ---- errors ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void computeIntoErrorsLeaveOutUntouched(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            ChunkedArray y = cw.arange(DType.FLOAT64, 12, 5).reshape(3, 4).mul(2.0);
            String c = ctx.name() + ": ";
            NDArray wrongShape = sentinel(DType.FLOAT64, new long[]{4, 3});
            ShapeMismatchException s = assertThrows(ShapeMismatchException.class, () -> y.computeInto(wrongShape), c + "shape (4, 3)");
            assertTrue(s.getMessage().contains("(4, 3)") && s.getMessage().contains("(3, 4)"), c + "names both shapes: " + s.getMessage());
            checkNDArray(wrongShape, Dense.of(sentinel(DType.FLOAT64, new long[]{4, 3})), DType.FLOAT64, Tol.EXACT, c + "out after a shape error: ");

            NDArray flat = sentinel(DType.FLOAT64, new long[]{12});
            assertThrows(ShapeMismatchException.class, () -> y.computeInto(flat), c + "shape (12,)");
            checkNDArray(flat, Dense.of(sentinel(DType.FLOAT64, new long[]{12})), DType.FLOAT64, Tol.EXACT, c + "out after a shape error: ");

            for (DType t : new DType[]{DType.FLOAT32, DType.INT64, DType.INT32, DType.BOOL}) {
                NDArray wrongType = sentinel(t, new long[]{3, 4});
                DTypeException e = assertThrows(DTypeException.class, () -> y.computeInto(wrongType), c + t);
                assertTrue(e.getMessage().contains("float64") && e.getMessage().contains(t.numpyName()),
                        c + "names both dtypes: " + e.getMessage());
                checkNDArray(wrongType, Dense.of(sentinel(t, new long[]{3, 4})), t, Tol.EXACT, c + "out after a dtype error: ");
            }
            assertThrows(ChunkwiseException.class, () -> y.computeInto(null), c + "null");
            // the context still works
            NDArray ok = sentinel(DType.FLOAT64, new long[]{3, 4});
            checkNDArray(y.computeInto(ok), Dense.arange(12).reshape(3, 4).mul(Dense.scalar(2.0)), DType.FLOAT64, Tol.EXACT, c + "after the errors: ");
        }
    }
}
