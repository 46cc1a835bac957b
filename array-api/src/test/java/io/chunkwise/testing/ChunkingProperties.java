package io.chunkwise.testing;

import io.chunkwise.ChunkedArray;
import io.chunkwise.Chunks;
import io.chunkwise.Chunkwise;
import io.chunkwise.DType;
import io.chunkwise.NDArray;
import io.chunkwise.Slice;
import io.chunkwise.testing.ArrayAssert.Tol;
import io.chunkwise.testing.Dense.Reduction;
import io.chunkwise.testing.NumpyTypes.Binary;
import io.chunkwise.testing.NumpyTypes.Unary;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.chunkwise.testing.ArrayAssert.assertArrayClose;
import static io.chunkwise.testing.ConformanceSuite.apply;
import static io.chunkwise.testing.ConformanceSuite.checkAll;
import static io.chunkwise.testing.ConformanceSuite.eps;
import static io.chunkwise.testing.ConformanceSuite.maxAbs;
import static io.chunkwise.testing.ConformanceSuite.named;
import static io.chunkwise.testing.ConformanceSuite.open;
import static io.chunkwise.testing.ConformanceSuite.reductionTol;
import static io.chunkwise.testing.ConformanceSuite.reductionType;
import static io.chunkwise.testing.ConformanceSuite.what;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The results do not depend on the chunking, even where one graph holds the same source on several chunk grids.
 * Part of the {@link ConformanceSuite} (its superclass), so every module that runs the suite runs these too.
 *
 * <ul>
 *   <li>two reproductions of views on different grids that once got one layer name and were merged;</li>
 *   <li>every op family over two grids of one source in one graph: {@code stack(f(x1, x2), f(x2, x1))} against the
 *       dense model, and its two halves bit for bit equal where the op is exact;</li>
 *   <li>random {@link Pipeline}s of 4 to 9 steps, the result and one intermediate against the dense model.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ChunkingProperties {
    /** Random pipelines per context and seed. */
    static final int PIPELINES = 50;

    /** The contexts this run covers. */
    protected abstract List<TestContext> contexts();

    Stream<Arguments> cases() { return Contexts.withSeeds(contexts()); }

    Stream<Arguments> contextsOnly() { return Contexts.only(contexts()); }

    // ---- reproductions ----

    /** Two grids that agree on their number of chunks and their first two sizes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void concatenateOfTwoGridsThatDifferLate(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            ChunkedArray x = cw.arange(DType.FLOAT64, 15, 15);
            ChunkedArray r1 = x.rechunk(Chunks.explicit(new long[][]{{1, 1, 3, 5, 5}}));
            ChunkedArray r2 = x.rechunk(Chunks.explicit(new long[][]{{1, 1, 5, 5, 3}}));
            // NumPy: np.concatenate([np.arange(15.), np.arange(15.)])[5:27:17] is [5., 7.]
            assertArrayClose(ChunkedArray.concatenate(0, r1, r2).slice(Slice.range(5, 27, 17)), Dense.of(new double[]{5, 7}, 2),
                    DType.FLOAT64, Tol.EXACT, ctx.name() + ": concatenate(0, x.rechunk({1, 1, 3, 5, 5}), x.rechunk({1, 1, 5, 5, 3}))[5:27:17]");
        }
    }

    /** Two slices of one grid with the same start and step and stops one apart. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("contextsOnly")
    void concatenateOfTwoSlicesThatDifferInTheirStop(TestContext ctx) {
        try (Chunkwise cw = open(ctx)) {
            ChunkedArray x = cw.arange(DType.FLOAT64, 15, 15);
            ChunkedArray c = ChunkedArray.concatenate(0, x.rechunk(3).slice(Slice.range(0, 13)), x.rechunk(3).slice(Slice.range(0, 14)));
            // NumPy: np.concatenate([np.arange(15.)[:13], np.arange(15.)[:14]])
            assertArrayClose(c, Dense.concatenate(0, Dense.arange(13), Dense.arange(14)), DType.FLOAT64, Tol.EXACT,
                    ctx.name() + ": concatenate(0, x.rechunk(3)[0:13], x.rechunk(3)[0:14])");
        }
    }

    // ---- every op family on two grids of one source ----

    /** A source for an op family: values of {@code t} in {@code shape}, in chunks of its own and on two more grids. */
    record Source(DType t, long[] shape, double[] values, Chunks own, Chunks[] grids) {
        Dense dense() { return Dense.of(values, shape).roundTo(t); }

        @Override
        public String toString() {
            return t + " " + Arrays.toString(shape) + " in " + java(own) + ", as x1 on " + java(grids[0]) + " and as x2 on " + java(grids[1]);
        }
    }

    static Source source(RandomCases rc, DType t, long[] shape, double[] values) {
        return new Source(t, shape, values, rc.chunks(shape), rc.twoChunkings(shape));
    }

    static Source source(RandomCases rc, DType t, long[] shape, boolean specials) {
        return source(rc, t, shape, rc.values(t, (int) Dense.size(shape), specials));
    }

    /**
     * {@code stack(0, f(x1, x2), f(x2, x1))} in one graph, x1 and x2 the source on its two grids: both halves must be
     * {@code e} (f over the source alone: x1 and x2 hold the same values), and where the op is exact, equal bit for
     * bit.
     */
    /**
     * Whether the op table says an op's bits are defined whatever the grid: exact, or with a vector form (IEEE
     * arithmetic, which a vector and a scalar loop compute alike). The others (pow, the transcendental functions)
     * are compared with the tolerance only.
     */
    static boolean bitsDefined(io.chunkwise.spi.UnaryOp op) { return op.exact() || op.forms().vectorDouble() != null; }

    static boolean bitsDefined(io.chunkwise.spi.BinaryOp op) { return op.exact() || op.forms().vectorDouble() != null; }

    static Executable sameOnBothGrids(Chunkwise cw, String w, Source x, BinaryOperator<ChunkedArray> f, Dense e, DType rt, Tol tol, boolean exact) {
        String what = w + " on " + x;
        return named(what, () -> {
            ChunkedArray src = RandomCases.create(cw, x.t(), x.shape(), x.values(), x.own(), null);
            ChunkedArray x1 = src.rechunk(x.grids()[0]), x2 = src.rechunk(x.grids()[1]);
            NDArray r = assertArrayClose(ChunkedArray.stack(0, f.apply(x1, x2), f.apply(x2, x1)), Dense.stack(0, e, e), rt, tol,
                    what + ", stack(0, f(x1, x2), f(x2, x1))");
            double[] v = r.toDoubleArray();
            for (int i = 0, half = v.length / 2; exact && i < half; i++) {
                if (Double.doubleToLongBits(v[i]) != Double.doubleToLongBits(v[half + i])) {
                    fail(what + ": f(x1, x2) and f(x2, x1) differ at flat index " + i + ": " + v[i] + " and " + v[half + i]);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void elementwiseOnTwoGridsOfOneSource(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (Unary op : Unary.values()) {
                DType t = rc.pick(RandomCases.NUMERIC), rt = NumpyTypes.unary(op, t);
                Source x = source(rc, t, rc.shape(1, 3), NumpyTypes.isFloating(t));
                boolean exact = bitsDefined(io.chunkwise.spi.UnaryOp.valueOf(op.name()));
                DType ot = NumpyTypes.unaryOperand(op, t);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, op + "(x)"), x, (a, b) -> apply(op, a), apply(op, x.dense().roundTo(ot)).roundTo(rt),
                        rt, Tol.of(rt), exact));
            }
            for (Binary op : Binary.values()) {
                DType t = rc.pick(RandomCases.NUMERIC), ot = NumpyTypes.operands(op, t), rt = NumpyTypes.binary(op, t, t);
                long[] shape = rc.shape(1, 3);
                double[] v = rc.values(t, (int) Dense.size(shape), NumpyTypes.isFloating(t));
                if (op == Binary.POW && !NumpyTypes.isFloating(t)) for (int i = 0; i < v.length; i++) v[i] = Math.abs(v[i]) % 4;
                Source x = source(rc, t, shape, v);
                Sel[] view = rc.broadcastView(shape);
                Slice[] s = slices(view);
                Dense e = apply(op, x.dense().roundTo(ot), x.dense().slice(view).roundTo(ot), ot);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, op + "(x, x" + show(view) + ")"), x, (a, b) -> apply(op, a, b.slice(s)),
                        op.isComparison() ? e : e.roundTo(rt), rt, Tol.of(rt), bitsDefined(io.chunkwise.spi.BinaryOp.valueOf(op.name()))));
                double c = rc.pick(0.5, -1.5, 2.0, 3.0, -0.25);
                DType so = NumpyTypes.scalarOperands(op, t), sr = NumpyTypes.binaryScalar(op, t);
                Dense es = apply(op, x.dense().roundTo(so), Dense.scalar(c).roundTo(so), so);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, op + "(x, " + c + ")"), x, (a, b) -> apply(op, a, c),
                        op.isComparison() ? es : es.roundTo(sr), sr, Tol.of(sr), bitsDefined(io.chunkwise.spi.BinaryOp.valueOf(op.name()))));
            }
            for (int rep = 0; rep < 3; rep++) {
                DType t = rc.pick(RandomCases.NUMERIC);
                long[] shape = rc.shape(1, 3);
                Source x = source(rc, t, shape, NumpyTypes.isFloating(t));
                Sel[] view = rc.broadcastView(shape);
                Slice[] s = slices(view);
                double c = rc.pick(0.0, 0.5, -1.5);
                Dense e = Dense.where(x.dense().gt(Dense.scalar(c)), x.dense(), x.dense().slice(view));
                checks.add(sameOnBothGrids(cw, what(ctx, seed, "where(x > " + c + ", x, x" + show(view) + ")"), x,
                        (a, b) -> ChunkedArray.where(a.gt(c), a, b.slice(s)), e, t, Tol.of(t), true));
            }
            for (DType to : RandomCases.DTYPES) {
                DType t = rc.pick(RandomCases.NUMERIC);
                Source x = source(rc, t, rc.shape(1, 3), NumpyTypes.isFloating(t));
                checks.add(sameOnBothGrids(cw, what(ctx, seed, "x.astype(" + to + ")"), x, (a, b) -> a.astype(to), x.dense().astype(t, to), to,
                        Tol.of(to), true));
            }
            checkAll(what(ctx, seed, "elementwise ops on two grids of one source"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void reductionsAndMatmulOnTwoGridsOfOneSource(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (Reduction r : Reduction.values()) {
                DType t = rc.pick(RandomCases.NUMERIC), rt = reductionType(r, t);
                boolean noIdentity = r == Reduction.MIN || r == Reduction.MAX;
                long[] shape = noIdentity ? rc.nonEmptyShape(1, 3) : rc.shape(1, 3);
                int n = (int) Dense.size(shape);
                Source x = source(rc, t, shape, r == Reduction.PROD ? rc.productValues(t, n) : rc.values(t, n, false));
                int[] axes = rc.axes(shape.length);
                Dense in = x.dense().roundTo(rt);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, r + "(x, axes " + Arrays.toString(axes) + ")"), x, (a, b) -> apply(r, a, axes),
                        in.reduce(r, axes).roundTo(rt), rt, reductionTol(r, rt, in, axes), noIdentity || !NumpyTypes.isFloating(rt)));
            }
            for (boolean max : new boolean[]{true, false}) {
                DType t = rc.pick(RandomCases.NUMERIC);
                long[] shape = rc.nonEmptyShape(1, 3);
                double[] v = new double[(int) Dense.size(shape)];
                for (int i = 0; i < v.length; i++) v[i] = rc.between(-1, 2);   // many ties: the first one wins
                Source x = source(rc, t, shape, v);
                int axis = rc.between(-shape.length, shape.length - 1);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, (max ? "argmax" : "argmin") + "(x, " + axis + ")"), x,
                        (a, b) -> max ? a.argmax(axis) : a.argmin(axis), max ? x.dense().argmax(axis) : x.dense().argmin(axis), DType.INT64,
                        Tol.EXACT, true));
            }
            for (String kind : new String[]{"x @ x.T", "x @ x[0]", "v @ v"}) {
                DType t = rc.pick(RandomCases.NUMERIC);
                long m = rc.chance(0.08) ? 0 : rc.between(1, 20), k = rc.chance(0.08) ? 0 : rc.between(1, 20);
                if (kind.equals("x @ x[0]")) m = Math.max(1, m);
                long[] shape = kind.equals("v @ v") ? new long[]{k} : new long[]{m, k};
                Source x = source(rc, t, shape, false);
                Dense d = x.dense(), other = kind.equals("x @ x.T") ? d.transpose() : kind.equals("v @ v") ? d : d.slice(Sel.index(0));
                Dense scale = d.abs().matmul(other.abs());
                Tol tol = Tol.of(t).withAtol(NumpyTypes.isFloating(t) ? 4 * (k + 2) * eps(t) * maxAbs(scale) : 0);
                BinaryOperator<ChunkedArray> f = switch (kind) {
                    case "x @ x.T" -> (a, b) -> a.matmul(b.transpose());
                    case "x @ x[0]" -> (a, b) -> a.matmul(b.slice(Slice.at(0)));
                    default -> ChunkedArray::matmul;
                };
                checks.add(sameOnBothGrids(cw, what(ctx, seed, kind), x, f, d.matmul(other).roundTo(t), t, tol, !NumpyTypes.isFloating(t)));
            }
            checkAll(what(ctx, seed, "reductions and matmul on two grids of one source"), checks);
        }
    }

    /** any/all, the NaN-skipping reductions, the scans, histogram and tensordot on two grids of one source. */
    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void numpyReductionsOnTwoGridsOfOneSource(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (boolean any : new boolean[]{true, false}) {
                DType t = rc.dtype();
                long[] shape = rc.shape(1, 3);
                double[] v = rc.values(t, (int) Dense.size(shape), NumpyTypes.isFloating(t));
                for (int i = 0; i < v.length; i++) if (rc.chance(0.6)) v[i] = 0;
                Source x = source(rc, t, shape, v);
                int[] axes = rc.axes(shape.length);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, (any ? "any" : "all") + "(x, axes " + Arrays.toString(axes) + ")"), x,
                        (a, b) -> any ? a.any(axes) : a.all(axes), any ? x.dense().any(axes) : x.dense().all(axes), DType.BOOL, Tol.EXACT, true));
            }
            for (ConformanceSuite.NanReduction r : ConformanceSuite.NanReduction.values()) {
                DType t = rc.pick(DType.FLOAT64, DType.FLOAT32, rc.pick(RandomCases.NUMERIC));
                DType rt = switch (r) {
                    case NANSUM -> NumpyTypes.sumProd(t);
                    case NANMIN, NANMAX -> t;
                    default -> NumpyTypes.moment(t);
                };
                boolean noIdentity = r == ConformanceSuite.NanReduction.NANMIN || r == ConformanceSuite.NanReduction.NANMAX;
                long[] shape = noIdentity ? rc.nonEmptyShape(1, 3) : rc.shape(1, 3);
                double[] v = rc.values(t, (int) Dense.size(shape), NumpyTypes.isFloating(t));
                if (NumpyTypes.isFloating(t) && rc.chance(0.3)) Arrays.fill(v, Double.NaN);
                Source x = source(rc, t, shape, v);
                int[] axes = rc.axes(shape.length);
                Dense in = x.dense().roundTo(rt);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, r + "(x, axes " + Arrays.toString(axes) + ")"), x,
                        (a, b) -> ConformanceSuite.apply(r, a, axes), ConformanceSuite.apply(r, in, axes).roundTo(rt), rt,
                        ConformanceSuite.nanReductionTol(r, rt, in, axes), noIdentity || !NumpyTypes.isFloating(rt)));
            }
            for (boolean sum : new boolean[]{true, false}) {
                DType t = rc.dtype(), rt = NumpyTypes.sumProd(t);
                long[] shape = rc.shape(1, 3);
                int axis = rc.between(-shape.length, shape.length - 1), n = (int) Dense.size(shape);
                Source x = source(rc, t, shape, sum ? rc.values(t, n, NumpyTypes.isFloating(t)) : rc.productValues(t, n));
                Dense in = x.dense().roundTo(rt);
                int len = (int) shape[Math.floorMod(axis, shape.length)];
                checks.add(sameOnBothGrids(cw, what(ctx, seed, (sum ? "cumsum" : "cumprod") + "(x, " + axis + ")"), x,
                        (a, b) -> sum ? a.cumsum(axis) : a.cumprod(axis), (sum ? in.cumsum(axis, rt) : in.cumprod(axis, rt)).roundTo(rt), rt,
                        ConformanceSuite.scanTol(sum, rt, in, axis, len), !NumpyTypes.isFloating(rt)));
            }
            for (DType t : RandomCases.DTYPES) {
                Source x = source(rc, t, rc.shape(0, 3), NumpyTypes.isFloating(t));
                int bins = rc.between(1, 9);
                double lo = rc.pick(-5.0, -0.5, 0.0), hi = rc.pick(5.0, 0.75, 1.0);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, "histogram(x, " + bins + ", " + lo + ", " + hi + ")"), x,
                        (a, b) -> a.histogram(bins, lo, hi), x.dense().histogram(bins, lo, hi, t == DType.FLOAT32), DType.INT64, Tol.EXACT, true));
            }
            for (int rep = 0; rep < 2; rep++) {
                DType t = rc.pick(RandomCases.NUMERIC);
                long[] shape = rc.shape(1, 3);
                int[] axes = rc.axes(shape.length);
                Source x = source(rc, t, shape, false);
                Dense d = x.dense();
                long depth = 1;
                for (int a : axes) depth *= shape[Math.floorMod(a, shape.length)];
                Dense scale = d.abs().tensordot(d.abs(), axes, axes);
                Tol tol = Tol.of(t).withAtol(NumpyTypes.isFloating(t) ? 4 * (depth + 2) * eps(t) * maxAbs(scale) : 0);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, "tensordot(x, x, " + Arrays.toString(axes) + ", " + Arrays.toString(axes) + ")"), x,
                        (a, b) -> a.tensordot(b, axes, axes), d.tensordot(d, axes, axes).roundTo(t), t, tol, !NumpyTypes.isFloating(t)));
            }
            checkAll(what(ctx, seed, "any/all, NaN-skipping reductions, scans, histogram and tensordot on two grids of one source"), checks);
        }
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void manipulationOnTwoGridsOfOneSource(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int rep = 0; rep < 2; rep++) {
                Source x = source(rc, rc.dtype(), rc.shape(1, 3), true);
                DType t = x.t();
                Dense d = x.dense();
                int nd = d.ndim();
                int[] perm = rc.permutation(nd);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, "x.transpose(" + Arrays.toString(perm) + ")"), x, (a, b) -> a.transpose(perm),
                        d.transpose(perm), t, Tol.EXACT, true));
                long[] target = rc.reshapeTarget(d.size(), true);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, "x.reshape(" + Arrays.toString(target) + ")"), x, (a, b) -> a.reshape(target),
                        d.reshape(target), t, Tol.EXACT, true));
                Sel[] sel = rc.selection(d.shape());
                Slice[] s = slices(sel);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, "x" + show(sel)), x, (a, b) -> a.slice(s), d.slice(sel), t, Tol.EXACT, true));
                // the same start and step, stops a little apart: on one grid and on both
                long len = d.shape()[0], step = rc.pick(1L, 1L, 2L, -1L, -2L), start = rc.between(0, (int) len);
                long stop = rc.between(-1, (int) len + 1), other = stop + rc.pick(-1, 1, 2);
                Sel[] s1 = {Sel.range(start, stop, step)}, s2 = {Sel.range(start, other, step)};
                checks.add(sameOnBothGrids(cw, what(ctx, seed, "concatenate(0, x1" + show(s1) + ", x1" + show(s2) + ", x2" + show(s2) + ")"), x,
                        (a, b) -> ChunkedArray.concatenate(0, a.slice(slices(s1)), a.slice(slices(s2)), b.slice(slices(s2))),
                        Dense.concatenate(0, d.slice(s1), d.slice(s2), d.slice(s2)), t, Tol.EXACT, true));
                int axis = rc.between(-nd, nd - 1);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, "concatenate(" + axis + ", x1, x2)"), x,
                        (a, b) -> ChunkedArray.concatenate(axis, a, b), Dense.concatenate(axis, d, d), t, Tol.EXACT, true));
                int at = rc.between(-nd - 1, nd);
                checks.add(sameOnBothGrids(cw, what(ctx, seed, "stack(" + at + ", x1, x2)"), x,
                        (a, b) -> ChunkedArray.stack(at, a, b), Dense.stack(at, d, d), t, Tol.EXACT, true));
                Chunks g = rc.chunks(d.shape());
                checks.add(sameOnBothGrids(cw, what(ctx, seed, "x.rechunk(" + java(g) + ")"), x, (a, b) -> a.rechunk(g), d, t, Tol.EXACT, true));
            }
            checkAll(what(ctx, seed, "manipulation on two grids of one source"), checks);
        }
    }

    // ---- random pipelines ----

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void randomPipelinesMatchTheDenseModel(TestContext ctx, long seed) {
        RandomCases rc = new RandomCases(seed);
        try (Chunkwise cw = open(ctx)) {
            List<Executable> checks = new ArrayList<>();
            for (int k = 0; k < PIPELINES; k++) {
                Pipeline p = Pipeline.draw(rc);
                String w = what(ctx, seed, "pipeline " + k + " of " + PIPELINES + ":" + p + "\n  ");
                checks.add(named(w, () -> {
                    List<ChunkedArray> built = p.build(cw);
                    for (int i : new int[]{p.intermediate(), built.size() - 1}) {
                        Pipeline.Val v = p.values().get(i);
                        assertArrayClose(built.get(i), v.dense(), v.dtype(), Tol.of(v.dtype()).withAtol(v.err()), w + "v" + i);
                    }
                }));
            }
            checkAll(what(ctx, seed, PIPELINES + " random pipelines"), checks);
        }
    }

    // ---- text ----

    /** The grid as Java source, every size spelled out (a grid's own toString abbreviates long axes). */
    static String java(Chunks c) {
        StringBuilder b = new StringBuilder("Chunks.explicit(new long[][]{");
        for (int a = 0; a < c.ndim(); a++) {
            b.append(a > 0 ? ", " : "").append(Arrays.toString(c.sizes(a)).replace('[', '{').replace(']', '}'));
        }
        return b.append("})").toString();
    }

    /** NumPy's spelling of a selection: {@code [1:5:-2, 3]}. */
    static String show(Sel[] sel) {
        return Arrays.stream(sel).map(Sel::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    static Slice[] slices(Sel[] sel) {
        return Arrays.stream(sel).map(Sel::toSlice).toArray(Slice[]::new);
    }
}
