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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole-chunk float64 sum of an expression reduces the values as they are computed ({@link
 * CpuBackend#reducePartialOf}): bit for bit the sum of the computed chunk, on the Vector API loops and the plain
 * ones, for one-pass chains, tiled expressions (broadcast and integer inputs) and generated values (random, arange),
 * over sizes that straddle the vector width, a pairwise leaf and a tile; and close to an exact sum.
 */
class FusedSumTest {
    private static final DType F = DType.FLOAT64;
    private static final int[] SIZES = {1, 7, 8, 15, 16, 17, 511, 1023, 1024, 1025, 2047, 2049, 4099, 65_537, 200_003};
    private static final Expr X = new Expr.Input(0, F);

    static LongStream seeds() { return Arrays.stream(Contexts.seeds()); }

    private static Expr bin(BinaryOp op, Expr a, Expr b) { return new Expr.Binary(op, a, b, F); }

    private static Expr c(double v) { return new Expr.Const(v, F); }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void sumsAsTheComputedChunkDoes(long seed) {
        Random rnd = new Random(seed);
        List<Expr> dense = List.of(
                bin(BinaryOp.ADD, bin(BinaryOp.MUL, X, X), c(10)),                                    // chain
                bin(BinaryOp.SUB, new Expr.Unary(UnaryOp.EXP, X, F), c(1)),                           // tiles
                bin(BinaryOp.MUL, X, new Expr.Cast(new Expr.Input(1, DType.INT64), F)),               // integer input
                bin(BinaryOp.MUL, new Expr.Random(seed, true, 0, 1, F), c(3)),                        // global index
                bin(BinaryOp.ADD, new Expr.Arange(-5, 0.25, F), X));
        for (CpuBackend backend : new CpuBackend[]{new CpuBackend(1), new CpuBackend(1, new ScalarLoops())}) {
            for (int n : SIZES) {
                int rows = rnd.nextInt(3) + 1, cols = Math.max(1, n / rows);
                int[] shape = {rows, cols};
                int size = rows * cols;
                Region region = new Region(shape, new long[]{rnd.nextInt(5), 3}, new long[]{rows + 5, cols + 3});
                HostBlock x = HostBlock.allocate(F, shape), k = HostBlock.allocate(DType.INT64, shape);
                for (int i = 0; i < size; i++) {
                    x.doubles()[i] = rnd.nextGaussian();
                    k.longs()[i] = rnd.nextInt(2001) - 1000;
                }
                int[] dense2 = Shapes.strides(shape);
                for (Expr e : dense) check(backend, e, new Block[]{x, k}, new int[][]{dense2, dense2}, region);
                // a row broadcast down the chunk (stride 0 along rows): the tiled path with gathered input
                HostBlock row = HostBlock.allocate(F, new int[]{cols});
                for (int j = 0; j < cols; j++) row.doubles()[j] = rnd.nextGaussian();
                check(backend, bin(BinaryOp.MUL, X, new Expr.Input(1, F)), new Block[]{x, row},
                        new int[][]{dense2, {0, 1}}, region);
            }
        }
    }

    private static void check(CpuBackend backend, Expr e, Block[] inputs, int[][] strides, Region region) {
        String what = backend + " " + Expr.show(e) + " over " + Shapes.str(region.shape());
        boolean[] all = new boolean[region.shape().length];
        Arrays.fill(all, true);
        HostBlock chunk = (HostBlock) backend.elementwise(e, inputs, strides, region);
        double materialised = value(backend.reducePartial(ReduceOp.SUM, chunk, all, 0));
        double fused = value(backend.reducePartialOf(ReduceOp.SUM, e, inputs, strides, region, all, 0));
        assertEquals(materialised, fused, 0.0, what + ": fused sum differs from the sum of the computed chunk");
        BigDecimal exact = BigDecimal.ZERO;
        double scale = 0;
        for (double v : chunk.doubles()) {
            exact = exact.add(new BigDecimal(v));
            scale += Math.abs(v);
        }
        double err = Math.abs(fused - exact.doubleValue());
        assertTrue(err <= 1e-13 * scale, what + ": error " + err + " against the exact sum, scale " + scale);
    }

    private static double value(Block partial) {
        HostBlock h = (HostBlock) ((Partial) partial).parts()[0];
        assertEquals(1, h.size());
        return h.doubles()[0];
    }
}
