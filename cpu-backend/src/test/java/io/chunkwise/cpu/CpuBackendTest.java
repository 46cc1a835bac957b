package io.chunkwise.cpu;

import io.chunkwise.BackendKind;
import io.chunkwise.Backends;
import io.chunkwise.DType;
import io.chunkwise.InvalidArgumentException;
import io.chunkwise.Shapes;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.Backend;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.HostCopy;
import io.chunkwise.spi.Piece;
import io.chunkwise.spi.ReduceOp;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.UnaryOp;
import io.chunkwise.testing.ArrayAssert;
import io.chunkwise.testing.ArrayAssert.Tol;
import io.chunkwise.testing.Contexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The CPU backend against the reference backend, at the SPI level: every op code, every dtype, sizes that straddle
 * the tile and SIMD widths, NaN, infinities and signed zeros among float inputs, broadcast and transposed strides.
 * Each table test counts the op codes it checked, so a new enum constant cannot go untested. Seeds come from
 * {@code -Dchunkwise.test.seeds} (default 1,2,3) and start every failure message.
 */
class CpuBackendTest {
    /** Sizes around the tile (1024), the SIMD widths (8 doubles in a 512-bit lane) and the gather block (4096). */
    private static final int[] SIZES = {0, 1, 7, 8, 9, 63, 64, 65, 1023, 1025, 4097};
    private static final DType[] DTYPES = {DType.FLOAT64, DType.FLOAT32, DType.INT64, DType.INT32, DType.BOOL};
    private static final DType[] NUMERIC = {DType.FLOAT64, DType.FLOAT32, DType.INT64, DType.INT32};

    private final Backend cpu = new CpuBackend(2);
    private final Backend ref = new ReferenceBackend();

    static LongStream seeds() {
        return Arrays.stream(Contexts.seeds());
    }

    // ---------------------------------------------------------------- elementwise

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void unaryOpsMatchReference(long seed) {
        Random rnd = new Random(seed);
        EnumSet<UnaryOp> checked = EnumSet.noneOf(UnaryOp.class);
        for (UnaryOp op : UnaryOp.values()) {
            for (DType t : DTYPES) {
                if (op.forms().javaLong() == null && !t.isFloating()) continue; // integer operands are cast to float64 first
                Expr e = new Expr.Unary(op, new Expr.Input(0, t), op.resultType(t));
                Tol tol = op.exact() ? Tol.EXACT : Tol.of(t);
                for (int n : SIZES) {
                    for (Layout layout : Layout.all(n, 1)) {
                        compareElementwise(e, layout, rnd, tol, "seed " + seed + ", " + op + " " + t + ", " + layout);
                    }
                }
                checked.add(op);
            }
        }
        assertEquals(UnaryOp.values().length, checked.size(), "unary ops checked: " + checked);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void binaryOpsMatchReference(long seed) {
        Random rnd = new Random(seed);
        EnumSet<BinaryOp> checked = EnumSet.noneOf(BinaryOp.class);
        for (BinaryOp op : BinaryOp.values()) {
            for (DType t : DTYPES) {
                if (op.forms().javaLong() == null && !t.isFloating()) continue; // integer operands are promoted first
                DType result = op.resultType(t);
                Expr e = new Expr.Binary(op, new Expr.Input(0, t), new Expr.Input(1, t), result);
                Tol tol = op == BinaryOp.POW ? Tol.of(t) : Tol.EXACT;
                // integer powers: a negative exponent is refused by both (compareElementwise), so values over max(y, 0)
                boolean intPow = op == BinaryOp.POW && (t == DType.INT32 || t == DType.INT64);
                Expr nonNegative = new Expr.Binary(op, new Expr.Input(0, t),
                        new Expr.Binary(BinaryOp.MAXIMUM, new Expr.Input(1, t), new Expr.Const(0, t), t), t);
                for (int n : SIZES) {
                    for (Layout layout : Layout.all(n, 2)) {
                        compareElementwise(e, layout, rnd, tol, "seed " + seed + ", " + op + " " + t + ", " + layout);
                        if (intPow) compareElementwise(nonNegative, layout, rnd, tol, "seed " + seed + ", power(x, max(y, 0)) " + t + ", " + layout);
                    }
                }
                checked.add(op);
            }
        }
        assertEquals(BinaryOp.values().length, checked.size(), "binary ops checked: " + checked);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void whereAndCastsMatchReference(long seed) {
        Random rnd = new Random(seed);
        for (DType condType : new DType[]{DType.BOOL, DType.INT32, DType.INT64}) {
            for (DType t : DTYPES) {
                Expr e = new Expr.Where(new Expr.Input(0, condType), new Expr.Input(1, t), new Expr.Input(2, t), t);
                for (int n : SIZES) {
                    for (Layout layout : Layout.all(n, 3)) {
                        compareElementwise(e, layout, rnd, Tol.EXACT, "seed " + seed + ", where(" + condType + ") " + t + ", " + layout);
                    }
                }
            }
        }
        for (DType from : DTYPES) {
            for (DType to : DTYPES) {
                Expr e = new Expr.Cast(new Expr.Input(0, from), to);
                for (int n : SIZES) {
                    compareElementwise(e, Layout.all(n, 1).get(0), rnd, Tol.EXACT, "seed " + seed + ", cast " + from + " -> " + to);
                }
            }
        }
    }

    /** Expressions of several nodes: FLOAT32 rounds after every op, INT32 wraps after every op, repeats are shared. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void fusedExpressionsMatchReference(long seed) {
        Random rnd = new Random(seed);
        for (DType t : NUMERIC) {
            Expr x = new Expr.Input(0, t), y = new Expr.Input(1, t);
            Expr xx = new Expr.Binary(BinaryOp.MUL, x, x, t);
            Expr poly = new Expr.Binary(BinaryOp.ADD, xx, new Expr.Const(10, t), t);
            Expr cmp = new Expr.Binary(BinaryOp.GT, x, y, DType.BOOL);
            Expr chosen = new Expr.Where(cmp, poly, new Expr.Unary(UnaryOp.NEG, y, t), t);
            Expr mixed = new Expr.Binary(BinaryOp.SUB, new Expr.Binary(BinaryOp.MUL, chosen, xx, t), new Expr.Cast(cmp, t), t);
            Expr narrowed = new Expr.Cast(new Expr.Binary(BinaryOp.MAXIMUM, mixed, y, t), DType.INT32);
            for (Expr e : List.of(xx, poly, chosen, mixed, narrowed)) {
                for (int n : SIZES) {
                    for (Layout layout : Layout.all(n, 2)) {
                        compareElementwise(e, layout, rnd, Tol.EXACT, "seed " + seed + ", " + Expr.show(e) + " " + t + ", " + layout);
                    }
                }
            }
        }
        // a float expression whose FLOAT32 result differs from rounding the double result once at the end
        Expr f = new Expr.Input(0, DType.FLOAT32);
        Expr third = new Expr.Binary(BinaryOp.DIV, f, new Expr.Const(3, DType.FLOAT32), DType.FLOAT32);
        Expr back = new Expr.Binary(BinaryOp.MUL, third, new Expr.Const(3, DType.FLOAT32), DType.FLOAT32);
        Expr sq = new Expr.Unary(UnaryOp.SQRT, new Expr.Unary(UnaryOp.EXP, back, DType.FLOAT32), DType.FLOAT32);
        for (int n : SIZES) {
            compareElementwise(sq, Layout.all(n, 1).get(0), rnd, Tol.of(DType.FLOAT32), "seed " + seed + ", " + Expr.show(sq));
        }
    }

    /** Constants, arange and random leaves over sub-regions of a global array (global flat index per element). */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void generatorsMatchReferenceOverRegions(long seed) {
        Random rnd = new Random(seed);
        List<Region> regions = List.of(
                new Region(new int[]{3, 4, 6}, new long[]{1, 2, 3}, new long[]{5, 7, 9}),   // last axis not full
                new Region(new int[]{5, 7, 9}, new long[]{0, 0, 0}, new long[]{5, 7, 9}),   // the whole array
                new Region(new int[]{2, 7, 9}, new long[]{2, 0, 0}, new long[]{5, 7, 9}),   // whole rows
                new Region(new int[]{3, 4, 1}, new long[]{1, 2, 8}, new long[]{5, 7, 9}),   // a column: stride 9
                new Region(new int[]{0, 4}, new long[]{0, 0}, new long[]{0, 4}),
                new Region(new int[]{}, new long[]{}, new long[]{}),
                new Region(new int[]{4097}, new long[]{4097}, new long[]{10000}),
                new Region(new int[]{1025}, new long[]{(1L << 40) + 5}, new long[]{1L << 41}));
        List<Expr> exprs = new ArrayList<>();
        for (DType t : DTYPES) {
            exprs.add(new Expr.Const(-2.75, t));
            exprs.add(new Expr.Const(Double.NaN, t));
            exprs.add(new Expr.Arange(0, 1, t));
            exprs.add(new Expr.Arange(-3.5, 0.25, t));
        }
        for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
            long s = rnd.nextLong();
            exprs.add(new Expr.Random(s, false, -2, 3, t));
            exprs.add(new Expr.Random(s, true, 1, 0.5, t));
            exprs.add(new Expr.Binary(BinaryOp.ADD, new Expr.Random(s, true, 0, 1, t), new Expr.Arange(0, 1e-3, t), t));
        }
        for (Region region : regions) {
            for (Expr e : exprs) {
                HostBlock want = (HostBlock) ref.elementwise(e, new Block[0], new int[0][], region);
                HostBlock got = (HostBlock) cpu.elementwise(e, new Block[0], new int[0][], region);
                assertClose(want, got, Tol.EXACT, "seed " + seed + ", " + Expr.show(e) + " " + e.dtype() + " over "
                        + Shapes.str(region.shape()) + " at " + Arrays.toString(region.offset()) + " of " + Shapes.str(region.globalShape()));
            }
        }
    }

    @Test
    void elementwiseIsSafeFromManyThreads() throws Exception {
        Random rnd = new Random(7);
        Layout layout = Layout.all(4097, 2).get(1);
        HostBlock[] in = layout.inputs(new DType[]{DType.FLOAT64, DType.FLOAT64}, rnd);
        Expr x = new Expr.Input(0, DType.FLOAT64), y = new Expr.Input(1, DType.FLOAT64);
        Expr e = new Expr.Unary(UnaryOp.TANH, new Expr.Binary(BinaryOp.ADD, new Expr.Binary(BinaryOp.MUL, x, y, DType.FLOAT64),
                new Expr.Random(3, true, 0, 1, DType.FLOAT64), DType.FLOAT64), DType.FLOAT64);
        HostBlock want = (HostBlock) cpu.elementwise(e, in, layout.strides, layout.region());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<HostBlock>> results = new ArrayList<>();
            for (int k = 0; k < 32; k++) results.add(pool.submit(() -> (HostBlock) cpu.elementwise(e, in, layout.strides, layout.region())));
            for (Future<HostBlock> f : results) assertClose(want, f.get(), Tol.EXACT, "concurrent " + Expr.show(e));
        } finally {
            pool.shutdownNow();
        }
    }

    private void compareElementwise(Expr e, Layout layout, Random rnd, Tol tol, String what) {
        DType[] types = new DType[layout.strides.length];
        collectInputTypes(e, types);
        for (int i = 0; i < types.length; i++) if (types[i] == null) types[i] = DType.FLOAT64; // not read by e
        HostBlock[] in = layout.inputs(types, rnd);
        HostBlock want;
        try {
            want = (HostBlock) ref.elementwise(e, in, layout.strides, layout.region());
        } catch (InvalidArgumentException refused) { // data the op refuses (a negative integer exponent): the cpu too
            InvalidArgumentException also = assertThrows(InvalidArgumentException.class,
                    () -> cpu.elementwise(e, in, layout.strides, layout.region()), what + ": the reference refused: " + refused.getMessage());
            assertEquals(refused.getMessage(), also.getMessage(), what);
            return;
        }
        HostBlock got = (HostBlock) cpu.elementwise(e, in, layout.strides, layout.region());
        assertClose(want, got, tol, null, what, i -> layout.describeInputs(in, i));
    }

    private static void collectInputTypes(Expr e, DType[] types) {
        switch (e) {
            case Expr.Input in -> types[in.index()] = in.dtype();
            case Expr.Unary u -> collectInputTypes(u.x(), types);
            case Expr.Binary b -> { collectInputTypes(b.a(), types); collectInputTypes(b.b(), types); }
            case Expr.Where w -> { collectInputTypes(w.cond(), types); collectInputTypes(w.a(), types); collectInputTypes(w.b(), types); }
            case Expr.Cast c -> collectInputTypes(c.x(), types);
            default -> { }
        }
    }

    /**
     * An output shape and, for each operand, the block it reads and its strides along the output axes: dense,
     * transposed, broadcast along rows or columns, a scalar, or rows with a gap (a slice of a wider block).
     */
    record Layout(String name, int[] shape, int[][] blockShapes, int[][] strides) {
        Region region() {
            return new Region(shape, new long[shape.length], Arrays.stream(shape).asLongStream().toArray());
        }

        HostBlock[] inputs(DType[] types, Random rnd) {
            HostBlock[] in = new HostBlock[types.length];
            for (int i = 0; i < types.length; i++) in[i] = Inputs.random(types[i], blockShapes[i], rnd, true);
            return in;
        }

        @Override public String toString() { return name + " " + Shapes.str(shape); }

        /** The values the operands hold at output position {@code flat}, for failure messages. */
        String describeInputs(HostBlock[] in, int flat) {
            int[] idx = new int[shape.length];
            for (int a = shape.length - 1, rest = flat; a >= 0; a--) {
                idx[a] = rest % shape[a];
                rest /= shape[a];
            }
            StringBuilder b = new StringBuilder(" from (");
            for (int i = 0; i < in.length; i++) {
                int off = 0;
                for (int a = 0; a < shape.length; a++) off += idx[a] * strides[i][a];
                b.append(i == 0 ? "" : ", ").append(in[i].dtype().isFloating() ? in[i].getDouble(off) : in[i].getLong(off));
            }
            return b.append(')').toString();
        }

        static List<Layout> all(int n, int operands) {
            List<Layout> out = new ArrayList<>();
            out.add(uniform("dense", new int[]{n}, new int[]{n}, new int[]{1}, operands));
            if (n < 2) return out;
            int r = smallestFactor(n), c = n / r;
            int[] shape = {r, c};
            // operand i takes the i-th variant (cyclically), so every operand meets every kind of stride
            int[][][] variants = {
                    {{c, r}, {1, r}},     // transposed
                    {{c}, {0, 1}},        // broadcast along rows
                    {{r}, {1, 0}},        // broadcast along columns
                    {{r, c}, {c, 1}},     // dense
                    {{1}, {0, 0}},        // a scalar
            };
            for (int shift = 0; shift < variants.length; shift++) {
                int[][] blocks = new int[operands][], strides = new int[operands][];
                for (int i = 0; i < operands; i++) {
                    blocks[i] = variants[(shift + i) % variants.length][0];
                    strides[i] = variants[(shift + i) % variants.length][1];
                }
                out.add(new Layout("2-D mix " + shift, shape, blocks, strides));
            }
            // rows read from a block 3 columns wider, with a length-1 axis between: nothing merges
            out.add(uniform("gapped rows", new int[]{r, 1, c}, new int[]{r, c + 3}, new int[]{c + 3, 0, 1}, operands));
            return out;
        }

        private static Layout uniform(String name, int[] shape, int[] block, int[] stride, int operands) {
            int[][] blocks = new int[operands][], strides = new int[operands][];
            Arrays.fill(blocks, block);
            Arrays.fill(strides, stride);
            return new Layout(name, shape, blocks, strides);
        }

        private static int smallestFactor(int n) {
            for (int f = 2; f * f <= n; f++) if (n % f == 0) return f;
            return n; // a prime: n rows of one column
        }
    }

    // ---------------------------------------------------------------- reductions

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void reductionsMatchReference(long seed) {
        Random rnd = new Random(seed);
        EnumSet<ReduceOp> checked = EnumSet.noneOf(ReduceOp.class);
        List<ReduceCase> cases = ReduceCase.all();
        for (ReduceOp op : ReduceOp.values()) {
            for (DType t : DTYPES) {
                for (ReduceCase c : cases) {
                    if (op.isArg() && c.reducedAxes() != 1) continue;
                    if (!op.hasIdentity() && c.reducedSize() == 0) continue;
                    HostBlock x = Inputs.random(t, c.shape, rnd, true);
                    DType result = switch (op) {
                        case SUM, PROD -> t.isFloating() ? t : DType.INT64;
                        case MEAN, VAR, STD -> t.isFloating() ? t : DType.FLOAT64;
                        case MIN, MAX -> t;
                        case ARGMIN, ARGMAX -> DType.INT64;
                    };
                    for (int pieces : new int[]{1, 3}) {
                        String what = "seed " + seed + ", " + op + " of " + t + " " + Shapes.str(c.shape) + " over "
                                + Arrays.toString(c.axes) + " in " + pieces + " piece(s)";
                        HostBlock want = reduce(ref, op, x, c.axes, pieces, result);
                        HostBlock got = reduce(cpu, op, x, c.axes, pieces, result);
                        assertClose(want, got, Tol.of(result), reductionTolerance(op, x, c.axes, result), what);
                    }
                    checked.add(op);
                }
            }
        }
        assertEquals(ReduceOp.values().length, checked.size(), "reductions checked: " + checked);
    }

    /** Partials of {@code pieces} chunks cut along the first reduced axis, combined in order, then finished. */
    private static HostBlock reduce(Backend backend, ReduceOp op, HostBlock x, boolean[] axes, int pieces, DType result) {
        int axis = 0;
        while (axis < axes.length && !axes[axis]) axis++;
        int[] shape = x.shape();
        List<Block> partials = new ArrayList<>();
        if (axis == axes.length || pieces == 1 || shape[axis] < pieces) {
            partials.add(backend.reducePartial(op, x, axes, 0));
        } else {
            int len = shape[axis];
            for (int p = 0; p < pieces; p++) {
                int from = len * p / pieces, to = len * (p + 1) / pieces;
                partials.add(backend.reducePartial(op, Inputs.slice(x, axis, from, to), axes, from));
            }
        }
        Block combined = partials.size() == 1 ? partials.get(0) : backend.reduceCombine(op, partials);
        int[] outShape = java.util.stream.IntStream.range(0, shape.length).filter(a -> !axes[a]).map(a -> shape[a]).toArray();
        return backend.toHost(backend.reduceFinish(op, combined, result, outShape));
    }

    /**
     * Absolute tolerances per output, or null for exact comparison. Exact where the order of operations is fixed
     * (PROD, MIN, MAX, the arg reductions, integer sums). Float sums and moments are pairwise here and compensated
     * or two-pass in the reference: the bound scales with the sum of magnitudes (or the mean of squares) of each
     * output's elements, which the reference computes for us.
     */
    private double[] reductionTolerance(ReduceOp op, HostBlock x, boolean[] axes, DType result) {
        if (!result.isFloating() || !(op == ReduceOp.SUM || op.isMoment())) return null;
        double eps = result == DType.FLOAT32 ? 1e-6 : 1e-13;
        if (op == ReduceOp.VAR || op == ReduceOp.STD) {
            // the reference sums the squared deviations one by one: its own error grows with the line length
            long line = 1;
            for (int a = 0; a < axes.length; a++) if (axes[a]) line *= x.shape()[a];
            eps = Math.max(eps, line * 0x1p-52);
        }
        DType f64 = DType.FLOAT64;
        Expr v = new Expr.Cast(new Expr.Input(0, x.dtype()), f64);
        Expr magnitude = op == ReduceOp.VAR || op == ReduceOp.STD ? new Expr.Binary(BinaryOp.MUL, v, v, f64) : new Expr.Unary(UnaryOp.ABS, v, f64);
        int[] shape = x.shape();
        HostBlock m = (HostBlock) ref.elementwise(magnitude, new Block[]{x}, new int[][]{Shapes.strides(shape)},
                new Region(shape, new long[shape.length], Arrays.stream(shape).asLongStream().toArray()));
        double[] atol = reduce(ref, op == ReduceOp.SUM ? ReduceOp.SUM : ReduceOp.MEAN, m, axes, 1, f64).doubles().clone();
        for (int i = 0; i < atol.length; i++) atol[i] = op == ReduceOp.STD ? Math.sqrt(eps * atol[i]) : eps * atol[i];
        return atol;
    }

    /** A block shape and the reduced axes. */
    record ReduceCase(int[] shape, boolean[] axes) {
        int reducedAxes() {
            int k = 0;
            for (boolean b : axes) if (b) k++;
            return k;
        }

        int reducedSize() {
            int n = 1;
            for (int a = 0; a < shape.length; a++) if (axes[a]) n *= shape[a];
            return n;
        }

        static List<ReduceCase> all() {
            List<ReduceCase> out = new ArrayList<>();
            for (int n : SIZES) out.add(new ReduceCase(new int[]{n}, new boolean[]{true}));
            // over axis 0 these take the rows path: 130 lanes in blocks of 32 rows; 3 lanes in blocks of 1365 rows
            int[][] shapes2 = {{7, 65}, {65, 9}, {1, 1025}, {33, 1}, {0, 5}, {5, 0}, {3, 4097}, {1025, 130}, {4097, 3}};
            boolean[][] axes2 = {{true, false}, {false, true}, {true, true}, {false, false}};
            for (int[] s : shapes2) for (boolean[] a : axes2) out.add(new ReduceCase(s, a));
            boolean[][] axes3 = {{true, false, true}, {false, true, false}, {true, true, true}, {false, false, true}};
            // (2, 3, 2100) over axes 0 and 2: gathered lines longer than one block
            for (int[] s : new int[][]{{5, 6, 7}, {2, 1, 9}, {2, 3, 2100}}) for (boolean[] a : axes3) out.add(new ReduceCase(s, a));
            out.add(new ReduceCase(new int[]{}, new boolean[]{}));
            return out;
        }
    }

    // ---------------------------------------------------------------- gemm, assemble, discovery

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void gemmMatchesReference(long seed) {
        Random rnd = new Random(seed);
        int[][] mkn = {{0, 3, 4}, {3, 0, 4}, {1, 1, 1}, {7, 9, 8}, {65, 130, 63}, {64, 128, 256}, {130, 257, 65}, {9, 300, 270}};
        for (DType t : NUMERIC) {
            for (int[] d : mkn) {
                int m = d[0], k = d[1], n = d[2];
                for (int variant = 0; variant < 8; variant++) {
                    boolean transA = (variant & 1) != 0, transB = (variant & 2) != 0, accumulate = (variant & 4) != 0;
                    double alpha = t.isFloating() ? (variant % 3 == 0 ? 1 : -0.75) : (variant % 3 == 0 ? 1 : 3);
                    double beta = accumulate ? (t.isFloating() ? (variant % 2 == 0 ? 1 : 0.5) : (variant % 2 == 0 ? 1 : -2)) : 0;
                    HostBlock a = Inputs.random(t, transA ? new int[]{k, m} : new int[]{m, k}, rnd, variant == 5);
                    HostBlock b = Inputs.random(t, transB ? new int[]{n, k} : new int[]{k, n}, rnd, false);
                    HostBlock c = accumulate ? Inputs.random(t, new int[]{m, n}, rnd, false) : null;
                    HostBlock cRef = c == null ? null : Inputs.copy(c);
                    HostBlock cBefore = c == null ? null : Inputs.copy(c);
                    HostBlock want = (HostBlock) ref.gemm(transA, transB, alpha, a, b, beta, cRef);
                    HostBlock got = (HostBlock) cpu.gemm(transA, transB, alpha, a, b, beta, c);
                    String what = "seed " + seed + ", gemm " + t + " " + m + "x" + k + "x" + n + (transA ? " A^T" : "")
                            + (transB ? " B^T" : "") + " alpha " + alpha + (accumulate ? " beta " + beta + " into C" : "");
                    // OpenBLAS sums in its own order (and with FMA): floats agree within k ulps of sum |a||b|
                    assertClose(want, got, Tol.EXACT, t.isFloating() ? gemmErrorBound(t, transA, transB, alpha, a, b, beta, cBefore, m, k, n) : null, what);
                    if (c != null) assertTrue(got == c, what + ": C must be updated in place");
                }
            }
        }
    }

    /** Per element: (k + 2) ulps of |alpha| sum |a||b| + |beta c|, the forward error bound of a dot product. */
    private static double[] gemmErrorBound(DType t, boolean transA, boolean transB, double alpha, HostBlock a, HostBlock b,
                                           double beta, HostBlock c, int m, int k, int n) {
        double eps = t == DType.FLOAT32 ? 0x1p-23 : 0x1p-52;
        double[] bound = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += Math.abs(a.getDouble(transA ? p * m + i : i * k + p)) * Math.abs(b.getDouble(transB ? j * k + p : p * n + j));
                }
                bound[i * n + j] = (k + 2) * eps * (Math.abs(alpha) * s + (c == null ? 0 : Math.abs(beta * c.getDouble(i * n + j))));
            }
        }
        return bound;
    }

    @Test
    void assembleCopiesPieces() {
        Random rnd = new Random(11);
        for (DType t : DTYPES) {
            HostBlock src = Inputs.random(t, new int[]{4, 6}, rnd, true);
            // the transpose of columns 1..4, reversed, then one row broadcast below it
            List<Piece> pieces = List.of(
                    new Piece(0, 4, new int[]{-1, 6}, 0, new int[]{4, 1}, new int[]{4, 4}),
                    new Piece(0, 0, new int[]{0, 1}, 16, new int[]{4, 1}, new int[]{1, 4}));
            HostBlock want = (HostBlock) ref.assemble(t, new int[]{5, 4}, new Block[]{src}, pieces);
            HostBlock got = (HostBlock) cpu.assemble(t, new int[]{5, 4}, new Block[]{src}, pieces);
            assertClose(want, got, Tol.EXACT, "assemble " + t);
        }
    }

    @Test
    void providerIsFoundAndPreferredForCpu() {
        assertTrue(Backends.providers().stream().anyMatch(p -> p instanceof CpuBackendProvider), "CpuBackendProvider through ServiceLoader");
        CpuBackendProvider p = new CpuBackendProvider();
        assertEquals(BackendKind.CPU, p.kind());
        assertEquals(10, p.priority());
        assertTrue(p.unavailableReason().isEmpty());
        try (Backend b = Backends.create(BackendKind.CPU, 2)) {
            assertInstanceOf(CpuBackend.class, b);
            assertEquals("cpu", b.name());
            assertEquals(BackendKind.CPU, b.kind());
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Same dtype and shape, values close (NaN matches NaN, infinities exact, +0 and -0 equal). */
    static void assertClose(HostBlock want, HostBlock got, Tol tol, String what) {
        assertClose(want, got, tol, null, what);
    }

    /** As above, with an absolute tolerance per element ({@code atol[i]}; none when null). */
    static void assertClose(HostBlock want, HostBlock got, Tol tol, double[] atol, String what) {
        assertClose(want, got, tol, atol, what, i -> "");
    }

    /** As above; {@code inputs} describes what an output was computed from. */
    static void assertClose(HostBlock want, HostBlock got, Tol tol, double[] atol, String what, IntFunction<String> inputs) {
        if (got.dtype() != want.dtype() || !Arrays.equals(got.shape(), want.shape())) {
            fail(what + ": got " + got + ", expected " + want);
        }
        int bad = 0;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < want.size(); i++) {
            Tol t = atol == null ? tol : tol.withAtol(atol[i]);
            boolean ok = want.dtype().isFloating()
                    ? ArrayAssert.close(got.getDouble(i), want.getDouble(i), t)
                    : got.getLong(i) == want.getLong(i);
            if (ok) continue;
            if (bad++ < 5) {
                b.append("\n  at flat ").append(i).append(": cpu ")
                        .append(want.dtype().isFloating() ? got.getDouble(i) : got.getLong(i)).append(", reference ")
                        .append(want.dtype().isFloating() ? want.getDouble(i) : want.getLong(i)).append(inputs.apply(i));
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + want.size() + " values differ (rtol " + tol.rtol() + ", atol "
                    + (atol == null ? tol.atol() : "per element") + "):" + b);
        }
    }

    /** Random blocks: floats mix Gaussians of several scales, small integers, NaN, infinities and signed zeros. */
    static final class Inputs {
        private Inputs() {}

        static HostBlock random(DType t, int[] shape, Random rnd, boolean specials) {
            int n = Shapes.size(shape);
            HostBlock b = HostBlock.allocate(t, shape);
            for (int i = 0; i < n; i++) {
                switch (t) {
                    case FLOAT64 -> b.doubles()[i] = randomDouble(rnd, specials);
                    case FLOAT32 -> b.floats()[i] = (float) randomDouble(rnd, specials);
                    case INT64 -> b.longs()[i] = randomLong(rnd);
                    case INT32 -> b.ints()[i] = (int) randomLong(rnd);
                    case BOOL -> b.bools()[i] = (byte) rnd.nextInt(2);
                }
            }
            return b;
        }

        private static double randomDouble(Random rnd, boolean specials) {
            int k = rnd.nextInt(100);
            if (specials) {
                if (k < 3) return Double.NaN;
                if (k < 5) return Double.POSITIVE_INFINITY;
                if (k < 7) return Double.NEGATIVE_INFINITY;
                if (k < 9) return rnd.nextBoolean() ? 0.0 : -0.0;
                if (k < 11) return (rnd.nextBoolean() ? 1 : -1) * rnd.nextDouble() * 1e30; // float32 products overflow
            }
            if (k < 30) return rnd.nextInt(11) - 5; // ties for min/max/arg, exact products
            return rnd.nextGaussian() * (k < 70 ? 1 : 1000);
        }

        private static long randomLong(Random rnd) {
            int k = rnd.nextInt(10);
            if (k < 6) return rnd.nextInt(41) - 20;
            if (k < 8) return rnd.nextInt();
            return rnd.nextLong();
        }

        static HostBlock copy(HostBlock b) {
            HostBlock c = HostBlock.allocate(b.dtype(), b.shape());
            System.arraycopy(b.data(), 0, c.data(), 0, b.size());
            return c;
        }

        /** Elements {@code [from, to)} along {@code axis}, as a new dense block. */
        static HostBlock slice(HostBlock b, int axis, int from, int to) {
            int[] shape = b.shape();
            int[] strides = Shapes.strides(shape);
            int[] outShape = shape.clone();
            outShape[axis] = to - from;
            HostBlock out = HostBlock.allocate(b.dtype(), outShape);
            HostCopy.copy(b.data(), from * strides[axis], strides, out.data(), 0, Shapes.strides(outShape), outShape);
            return out;
        }
    }
}
