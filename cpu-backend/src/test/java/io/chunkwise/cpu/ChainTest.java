package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.reference.ReferenceBackend;
import io.chunkwise.spi.BinaryOp;
import io.chunkwise.spi.Block;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Region;
import io.chunkwise.spi.UnaryOp;
import io.chunkwise.testing.Contexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Float64 and float32 chains run in one pass of vectors ({@link ChainProgram}): which expressions are chains, and
 * their values on the Vector API loops bit for bit those of the plain loops and of the reference backend, over sizes
 * that straddle the vector width, a tile and a batch, dense and as a chunk written with a row stride into a larger
 * array.
 */
class ChainTest {
    private static final DType F = DType.FLOAT64;
    private static final DType[] FLOATS = {DType.FLOAT64, DType.FLOAT32};
    private static final int[] SIZES = {0, 1, 7, 8, 9, 63, 64, 65, 511, 512, 513, 8191, 8192, 8195, 20011};
    private static final Expr X = new Expr.Input(0, F), Y = new Expr.Input(1, F);

    static LongStream seeds() { return Arrays.stream(Contexts.seeds()); }

    private static Expr bin(BinaryOp op, Expr a, Expr b) { return bin(F, op, a, b); }

    private static Expr un(UnaryOp op, Expr a) { return un(F, op, a); }

    private static Expr c(double v) { return c(F, v); }

    /**
     * Chains of dtype {@code t} over inputs 0 and 1 (constants such as 0.1 are not exact in float32), and, for every
     * op of the op table that chains, {@code op(x + 1, y)} (or {@code op(x + 1)}): every generated chain case runs.
     */
    static List<Expr> chains(DType t) {
        Expr x = new Expr.Input(0, t), y = new Expr.Input(1, t);
        List<Expr> all = new java.util.ArrayList<>(handWritten(t, x, y));
        Expr x1 = bin(t, BinaryOp.ADD, x, c(t, 1));
        for (BinaryOp op : BinaryOp.values()) if (ChainProgram.code(op) >= 0) all.add(bin(t, op, x1, y));
        for (UnaryOp op : UnaryOp.values()) if (ChainProgram.code(op) >= 0) all.add(un(t, op, x1));
        return all;
    }

    private static List<Expr> handWritten(DType t, Expr x, Expr y) {
        return List.of(
                bin(t, BinaryOp.ADD, bin(t, BinaryOp.MUL, x, x), c(t, 10)),                                  // x * x + 10
                bin(t, BinaryOp.MUL, bin(t, BinaryOp.ADD, x, c(t, 1)), bin(t, BinaryOp.ADD, x, c(t, 1))),     // (x + 1)^2, shared
                bin(t, BinaryOp.SUB, c(t, 3), bin(t, BinaryOp.DIV, x, y)),                                   // 3 - x / y
                un(t, UnaryOp.SQRT, un(t, UnaryOp.ABS, bin(t, BinaryOp.MAXIMUM, bin(t, BinaryOp.SUB, x, c(t, 0.1)), y))),
                bin(t, BinaryOp.MINIMUM, un(t, UnaryOp.NEG, x), c(t, 2)),
                bin(t, BinaryOp.DIV, c(t, 1), x),
                bin(t, BinaryOp.ADD, bin(t, BinaryOp.MUL, bin(t, BinaryOp.SUB, x, y), c(t, 0.3)), y));        // three ops
    }

    private static Expr bin(DType t, BinaryOp op, Expr a, Expr b) { return new Expr.Binary(op, a, b, t); }

    private static Expr un(DType t, UnaryOp op, Expr a) { return new Expr.Unary(op, a, t); }

    private static Expr c(DType t, double v) { return new Expr.Const(v, t); }

    @Test
    void whichExpressionsAreChains() {
        for (DType t : FLOATS) for (Expr e : chains(t)) assertTrue(ElementwiseKernel.compile(e).chained(), t + " " + Expr.show(e));
        List<Expr> not = List.of(
                bin(BinaryOp.ADD, bin(BinaryOp.MUL, X, X), bin(BinaryOp.MUL, Y, Y)),              // two branches
                bin(BinaryOp.ADD, un(UnaryOp.EXP, X), c(1)),                                      // exp is not exact
                new Expr.Binary(BinaryOp.ADD, new Expr.Input(0, DType.FLOAT32), new Expr.Cast(X, DType.FLOAT32), DType.FLOAT32), // mixed
                new Expr.Binary(BinaryOp.ADD, new Expr.Input(0, DType.INT64), new Expr.Const(1, DType.INT64), DType.INT64),
                new Expr.Cast(bin(BinaryOp.ADD, X, c(1)), DType.FLOAT32),
                bin(BinaryOp.POW, X, c(2)),
                X,
                bin(BinaryOp.ADD, new Expr.Arange(0, 1, F), c(1)));
        for (Expr e : not) assertFalse(ElementwiseKernel.compile(e).chained(), Expr.show(e));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void chainsAgreeWithThePlainLoopsAndTheReference(long seed) {
        Random rnd = new Random(seed);
        CpuBackend simd = new CpuBackend(2), plain = new CpuBackend(2, Vectorization.scalar());
        ReferenceBackend reference = new ReferenceBackend();
        for (int n : SIZES) for (DType t : FLOATS) {
            int[] shape = {n};
            HostBlock[] in = {CpuBackendTest.Inputs.random(t, shape, rnd, true), CpuBackendTest.Inputs.random(t, shape, rnd, true)};
            int[][] strides = {{1}, {1}};
            Region region = new Region(shape, new long[]{0}, new long[]{n});
            for (Expr e : chains(t)) {
                String what = "seed " + seed + ", " + t + " " + Expr.show(e) + ", n " + n;
                HostBlock got = (HostBlock) simd.elementwise(e, in, strides, region);
                same((HostBlock) plain.elementwise(e, in, strides, region), got, what + " vs the plain loops");
                same((HostBlock) reference.elementwise(e, in, strides, region), got, what + " vs the reference backend");
            }
        }
    }

    /** A 2-d chunk written into its place in a larger result: one run of the chain per row. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void chainsIntoAPlaceWithARowStride(long seed) {
        Random rnd = new Random(seed);
        CpuBackend simd = new CpuBackend(2);
        int rows = 9, cols = 1037;
        for (int[] part : new int[][]{{0, 9, 0, 1037}, {2, 7, 3, 1030}, {1, 4, 5, 6}, {0, 9, 8, 9}}) for (DType t : FLOATS) {
            int r0 = part[0], r1 = part[1], c0 = part[2], c1 = part[3];
            int[] shape = {r1 - r0, c1 - c0};
            HostBlock[] in = {CpuBackendTest.Inputs.random(t, shape, rnd, true), CpuBackendTest.Inputs.random(t, shape, rnd, true)};
            int[][] strides = {Shapes.strides(shape), Shapes.strides(shape)};
            Region region = new Region(shape, new long[]{r0, c0}, new long[]{rows, cols});
            for (Expr e : chains(t)) {
                HostBlock want = (HostBlock) simd.elementwise(e, in, strides, region);
                HostBlock result = HostBlock.allocate(t, new int[]{rows * cols});
                if (t == F) Arrays.fill(result.doubles(), -7.5);
                else Arrays.fill(result.floats(), -7.5f);
                simd.elementwiseInto(e, in, strides, region, result, r0 * cols + c0, new int[]{cols, 1});
                for (int r = 0; r < rows; r++) {
                    for (int col = 0; col < cols; col++) {
                        boolean inside = r >= r0 && r < r1 && col >= c0 && col < c1;
                        double v = result.getDouble(r * cols + col);
                        double w = inside ? want.getDouble((r - r0) * shape[1] + (col - c0)) : -7.5;
                        if (Double.compare(v, w) != 0) {
                            fail("seed " + seed + ", " + t + " " + Expr.show(e) + " into rows " + r0 + ".." + r1 + ", columns " + c0 + ".." + c1
                                    + ": at (" + r + ", " + col + ") " + v + ", expected " + w);
                        }
                    }
                }
            }
        }
    }

    private static void same(HostBlock want, HostBlock got, String what) {
        assertEquals(want.dtype(), got.dtype(), what);
        assertEquals(want.size(), got.size(), what);
        for (int i = 0; i < want.size(); i++) {
            if (Double.doubleToLongBits(want.getDouble(i)) != Double.doubleToLongBits(got.getDouble(i))) {
                fail(what + ": at " + i + " " + got.getDouble(i) + ", expected " + want.getDouble(i));
            }
        }
    }
}
