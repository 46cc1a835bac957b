package io.chunkwise.cpu;

import io.chunkwise.DType;
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
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Chains compiled per shape ({@link ChainKernel}): every op with every kind of operand, chains of one to
 * {@link ChainKernel#MAX_OPS} ops and one longer (which runs the generic loop), their fused sums bit for bit the sum
 * of the computed chunk, on the Vector API loops and the plain ones, over sizes that straddle a row of lanes, a leaf
 * and a window; and which chains get a kernel.
 */
class ChainKernelTest {
    private static final DType F = DType.FLOAT64;
    private static final Expr X = new Expr.Input(0, F), Y = new Expr.Input(1, F);
    private static final int[] SIZES = {16, 17, 1024, 1040, 4111, 16_384, 40_003};
    private static final BinaryOp[] BINARY = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAXIMUM,
            BinaryOp.MINIMUM};
    private static final UnaryOp[] UNARY = {UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SQRT};

    static LongStream seeds() { return Arrays.stream(Contexts.seeds()); }

    private static Expr bin(BinaryOp op, Expr a, Expr b) { return new Expr.Binary(op, a, b, F); }

    private static Expr c(double v) { return new Expr.Const(v, F); }

    /** Every op after {@code acc}, with each kind of second operand on either side. */
    private static List<Expr> after(Expr acc) {
        List<Expr> out = new ArrayList<>();
        for (UnaryOp op : UNARY) out.add(new Expr.Unary(op, acc, F));
        for (BinaryOp op : BINARY) {
            out.addAll(List.of(bin(op, acc, Y), bin(op, Y, acc), bin(op, acc, c(0.75)), bin(op, c(-3), acc), bin(op, acc, acc)));
        }
        return out;
    }

    /** Chains of one and two ops of every shape, and random ones of three to five ops. */
    private static List<Expr> chains(Random rnd) {
        List<Expr> out = new ArrayList<>();
        List<Expr> first = new ArrayList<>();
        for (UnaryOp op : UNARY) first.add(new Expr.Unary(op, X, F));
        for (BinaryOp op : BINARY) first.addAll(List.of(bin(op, X, X), bin(op, X, Y), bin(op, X, c(2.5)), bin(op, c(-0.5), Y)));
        out.addAll(first);
        for (Expr e : List.of(bin(BinaryOp.MUL, X, Y), bin(BinaryOp.ADD, X, c(1)))) out.addAll(after(e));
        for (int ops = 3; ops <= ChainKernel.MAX_OPS + 1; ops++) {
            for (int i = 0; i < 12; i++) {
                Expr e = first.get(rnd.nextInt(first.size()));
                for (int k = 1; k < ops; k++) {
                    List<Expr> next = after(e);
                    e = next.get(rnd.nextInt(next.size()));
                }
                out.add(e);
            }
        }
        return out;
    }

    private static ChainProgram program(Expr e) {
        ChainEvaluator chain = ChainEvaluator.of(ExprProgram.compile(e));
        if (chain == null) fail(Expr.show(e) + " is not a chain");
        return chain.chain;
    }

    @Test
    void chainsOfUpToMaxOpsGetAKernel() {
        Loops vector = Vectorization.vector();
        assumeTrue(vector != null && TypedVectorLoops.RL == 4, "kernels need the Vector API with 256-bit vectors");
        for (Expr e : chains(new Random(1))) {
            ChainProgram p = program(e);
            ChainKernel k = vector.chainKernel(p);
            if (p.length() <= ChainKernel.MAX_OPS) assertNotNull(k, Expr.show(e));
            else assertNull(k, Expr.show(e));
            assertNull(Vectorization.scalar().chainKernel(p), "the plain loops have no kernels");
        }
        // one class per shape: another constant, the same class
        ChainKernel a = vector.chainKernel(program(bin(BinaryOp.ADD, bin(BinaryOp.MUL, X, X), c(10))));
        ChainKernel b = vector.chainKernel(program(bin(BinaryOp.ADD, bin(BinaryOp.MUL, X, X), c(11))));
        assertSame(a.getClass(), b.getClass());
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void fusedSumsAreTheSumsOfTheComputedChunk(long seed) {
        Random rnd = new Random(seed);
        List<Expr> chains = chains(rnd);
        int finite = 0, compared = 0;
        for (CpuBackend backend : new CpuBackend[]{new CpuBackend(1), new CpuBackend(1, Vectorization.scalar())}) {
            for (int n : SIZES) {
                int[] shape = {n};
                HostBlock x = values(n, rnd, true), y = values(n, rnd, false);
                Region region = new Region(shape, new long[]{0}, new long[]{n});
                int[][] strides = {{1}, {1}};
                for (Expr e : chains) {
                    Block[] in = {x, y};
                    HostBlock chunk = (HostBlock) backend.elementwise(e, in, strides, region);
                    double want = sum(backend.reducePartial(ReduceOp.SUM, chunk, new boolean[]{true}, 0));
                    double got = sum(backend.reducePartialOf(ReduceOp.SUM, e, in, strides, region, new boolean[]{true}, 0));
                    assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got),
                            () -> backend + " " + Expr.show(e) + " over " + n + ": " + got + ", expected " + want);
                    compared++;
                    if (Double.isFinite(want)) finite++;
                }
            }
        }
        assertTrue(finite > compared / 2, "most sums finite (a NaN or infinite sum checks little): " + finite + " of " + compared);
    }

    /**
     * Both widths of kernel (four lanes a vector, or eight: the one this CPU runs is chosen by its vectors), whatever
     * this CPU: each leaf's sum bit for bit the plain loops' sum of the computed values, over leaves of a row of lanes
     * to a whole leaf.
     */
    @ParameterizedTest(name = "lanes a vector={0}")
    @ValueSource(ints = {4, 8})
    void bothWidthsSumLeavesInTheOrderOfThePlainLoops(int width) {
        assumeTrue(Vectorization.vector() != null, "kernels need the Vector API");
        Random rnd = new Random(width);
        CpuBackend backend = new CpuBackend(1, Vectorization.scalar());
        int[] len = {16, 1024, 512, 48, 1008, 16, 992};
        int[] off = new int[len.length];
        for (int k = 1; k < len.length; k++) off[k] = off[k - 1] + len[k - 1];
        int n = off[len.length - 1] + len[len.length - 1];
        HostBlock x = values(n, rnd, true), y = values(n, rnd, false);
        Region region = new Region(new int[]{n}, new long[]{0}, new long[]{n});
        for (Expr e : chains(rnd)) {
            ChainProgram p = program(e);
            if (p.length() > ChainKernel.MAX_OPS) continue;
            double[] values = ((HostBlock) backend.elementwise(e, new Block[]{x, y}, new int[][]{{1}, {1}}, region)).doubles();
            double[] got = new double[len.length];
            ChainKernel kernel = ChainKernel.of(p, width);
            assertNotNull(kernel, Expr.show(e));
            kernel.leafSums(new double[][]{x.doubles(), y.doubles()}, off, len, 0, len.length, got);
            for (int k = 0; k < len.length; k++) {
                double want = Vectorization.scalar().leafSum(values, off[k], len[k], Double.NaN, false, new double[Loops.LANES]);
                int leaf = k;
                assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got[k]),
                        () -> Expr.show(e) + ", leaf " + leaf + ": " + got[leaf] + ", expected " + want);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ChainKernel.of(program(bin(BinaryOp.MUL, X, X)), 2));
    }

    /**
     * Gaussians of two scales, small integers (exact products, ties for min and max) and, where {@code zeros}, a few
     * signed zeros; no NaN, which every sum would then be.
     */
    private static HostBlock values(int n, Random rnd, boolean zeros) {
        HostBlock b = HostBlock.allocate(F, new int[]{n});
        for (int i = 0; i < n; i++) {
            int k = rnd.nextInt(200);
            b.doubles()[i] = zeros && k < 1 ? (rnd.nextBoolean() ? 0.0 : -0.0) : k < 60 ? rnd.nextInt(10) + 1 - 5.5
                    : rnd.nextGaussian() * (k < 140 ? 1 : 1000);
        }
        return b;
    }

    private static double sum(Block partial) { return ((HostBlock) ((Partial) partial).parts()[0]).doubles()[0]; }
}
