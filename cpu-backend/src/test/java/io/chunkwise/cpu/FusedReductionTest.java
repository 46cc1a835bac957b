package io.chunkwise.cpu;

import io.chunkwise.DType;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole-chunk reduction of a floating expression reduces the values as they are computed ({@link
 * CpuBackend#reducePartialOf}): every part of the partial bit for bit that of the reduction of the computed chunk,
 * for every reduction op, on the Vector API loops and the plain ones, float64 and float32, for one-pass chains,
 * tiled expressions (broadcast and integer inputs) and generated values (random, arange), over sizes that straddle
 * the vector width, a pairwise leaf, a reduction block and a window; float64 sums also close to an exact sum.
 */
class FusedReductionTest {
    private static final int[] SIZES = {1, 7, 8, 15, 16, 17, 511, 1023, 1024, 1025, 4095, 4097, 16_385, 65_537, 200_003};

    static LongStream seeds() { return Arrays.stream(Contexts.seeds()); }

    private static Expr bin(BinaryOp op, Expr a, Expr b, DType t) { return new Expr.Binary(op, a, b, t); }

    private static Expr c(double v, DType t) { return new Expr.Const(v, t); }

    /** Expressions of dtype {@code t} over input 0 (a {@code t} chunk) and input 1 (an INT64 chunk). */
    private static List<Expr> expressions(DType t, long seed) {
        Expr x = new Expr.Input(0, t);
        return List.of(
                bin(BinaryOp.ADD, bin(BinaryOp.MUL, x, x, t), c(10, t), t),                                // a chain in float64
                bin(BinaryOp.SUB, new Expr.Unary(UnaryOp.EXP, x, t), c(1, t), t),                          // tiles
                bin(BinaryOp.ADD, c(1, t), bin(BinaryOp.MUL, x, c(1e-3, t), t), t),                        // near 1: products
                bin(BinaryOp.MUL, x, new Expr.Cast(new Expr.Input(1, DType.INT64), t), t),                 // integer input
                bin(BinaryOp.MUL, new Expr.Cast(new Expr.Random(seed, true, 0, 1, DType.FLOAT64), t), c(3, t), t),
                bin(BinaryOp.ADD, new Expr.Cast(new Expr.Arange(-5, 0.25, DType.FLOAT64), t), x, t));     // global index
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void reducesAsTheComputedChunkDoes(long seed) {
        Random rnd = new Random(seed);
        for (CpuBackend backend : new CpuBackend[]{new CpuBackend(1), new CpuBackend(1, new ScalarLoops())}) {
            for (int n : SIZES) {
                for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
                    boolean oneD = rnd.nextBoolean();
                    int rows = oneD ? 1 : rnd.nextInt(3) + 1, cols = Math.max(1, n / rows);
                    int[] shape = oneD ? new int[]{cols} : new int[]{rows, cols};
                    long[] offset = oneD ? new long[]{rnd.nextInt(5)} : new long[]{rnd.nextInt(5), 3};
                    long[] global = oneD ? new long[]{cols + 5} : new long[]{rows + 5, cols + 3};
                    Region region = new Region(shape, offset, global);
                    int size = Shapes.size(shape);
                    HostBlock x = HostBlock.allocate(t, shape), k = HostBlock.allocate(DType.INT64, shape);
                    for (int i = 0; i < size; i++) {
                        if (t == DType.FLOAT64) x.doubles()[i] = rnd.nextGaussian();
                        else x.floats()[i] = (float) rnd.nextGaussian();
                        k.longs()[i] = rnd.nextInt(2001) - 1000;
                    }
                    if (size > 3) {   // a zero and a negative zero: signs of zero for min and max
                        set(x, size / 2, 0.0);
                        set(x, size / 3, -0.0);
                    }
                    int[] dense = Shapes.strides(shape);
                    List<ReduceOp> ops = new ArrayList<>(List.of(ReduceOp.values()));
                    if (!oneD) ops.removeIf(ReduceOp::isArg);   // arg ops reduce one axis
                    for (Expr e : expressions(t, seed)) {
                        for (ReduceOp op : ops) check(backend, op, e, new Block[]{x, k}, new int[][]{dense, dense}, region);
                    }
                    // a row broadcast down the chunk (stride 0 along rows): the tiled path with gathered input
                    HostBlock row = HostBlock.allocate(t, new int[]{cols});
                    for (int j = 0; j < cols; j++) set(row, j, rnd.nextGaussian());
                    int[] rowStrides = oneD ? new int[]{1} : new int[]{0, 1};
                    Expr e = bin(BinaryOp.MUL, new Expr.Input(0, t), new Expr.Input(1, t), t);
                    for (ReduceOp op : ops) check(backend, op, e, new Block[]{x, row}, new int[][]{dense, rowStrides}, region);
                }
            }
        }
    }

    /**
     * The NaN-skipping reductions' layers ({@code where(x != x, v, x)}: nansum with 0, nanmin with +inf, nanmax with
     * -inf) stream on data with NaN, with the bits of the reduction of the computed chunk.
     */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void nanReplacingLayersStream(long seed) {
        Random rnd = new Random(seed);
        for (CpuBackend backend : new CpuBackend[]{new CpuBackend(1), new CpuBackend(1, new ScalarLoops())}) {
            for (int n : SIZES) {
                for (DType t : new DType[]{DType.FLOAT64, DType.FLOAT32}) {
                    int[] shape = {n};
                    Region region = new Region(shape, new long[]{0}, new long[]{n});
                    HostBlock x = HostBlock.allocate(t, shape);
                    for (int i = 0; i < n; i++) set(x, i, rnd.nextInt(10) == 0 ? Double.NaN : rnd.nextGaussian());
                    Expr in = new Expr.Input(0, t);
                    Expr isnan = bin(BinaryOp.NE, in, in, DType.BOOL);
                    boolean[] all = {true};
                    for (ReduceOp op : new ReduceOp[]{ReduceOp.SUM, ReduceOp.MIN, ReduceOp.MAX}) {
                        double v = op == ReduceOp.SUM ? 0 : op == ReduceOp.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
                        Expr e = new Expr.Where(isnan, c(v, t), in, t);
                        assertTrue(backend.streamsReduction(op, e, region, all), backend + " streams " + op + " of " + Expr.show(e));
                        check(backend, op, e, new Block[]{x}, new int[][]{{1}}, region);
                    }
                }
            }
        }
    }

    private static void check(CpuBackend backend, ReduceOp op, Expr e, Block[] inputs, int[][] strides, Region region) {
        String what = backend + " " + op + " of " + Expr.show(e) + " (" + e.dtype() + ") over " + Shapes.str(region.shape());
        boolean[] all = new boolean[region.shape().length];
        Arrays.fill(all, true);
        HostBlock chunk = (HostBlock) backend.elementwise(e, inputs, strides, region);
        Partial materialised = (Partial) backend.reducePartial(op, chunk, all, 7);
        Partial fused = (Partial) backend.reducePartialOf(op, e, inputs, strides, region, all, 7);
        assertEquals(materialised.parts().length, fused.parts().length, what);
        for (int q = 0; q < fused.parts().length; q++) {
            HostBlock want = (HostBlock) materialised.parts()[q], got = (HostBlock) fused.parts()[q];
            assertEquals(want.dtype(), got.dtype(), what + " part " + q);
            assertTrue(Arrays.equals(want.shape(), got.shape()), what + " part " + q + " shape");
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.getDouble(i), got.getDouble(i), 0.0, what + ": part " + q + " differs from the reduction of the computed chunk");
            }
        }
        if (op == ReduceOp.SUM && e.dtype() == DType.FLOAT64) {
            BigDecimal exact = BigDecimal.ZERO;
            double scale = 0;
            for (double v : chunk.doubles()) {
                exact = exact.add(new BigDecimal(v));
                scale += Math.abs(v);
            }
            double err = Math.abs(((HostBlock) fused.parts()[0]).getDouble(0) - exact.doubleValue());
            assertTrue(err <= 1e-13 * scale, what + ": error " + err + " against the exact sum, scale " + scale);
        }
    }

    private static void set(HostBlock h, int i, double v) {
        if (h.dtype() == DType.FLOAT64) h.doubles()[i] = v;
        else h.floats()[i] = (float) v;
    }
}
