package io.chunkwise.cpu;

import io.chunkwise.DType;
import io.chunkwise.Shapes;
import io.chunkwise.cpu.ExprProgram.Kind;
import io.chunkwise.cpu.ExprProgram.Step;
import io.chunkwise.spi.Cancellation;
import io.chunkwise.spi.Expr;
import io.chunkwise.spi.HostBlock;
import io.chunkwise.spi.Region;

import java.util.Arrays;

import static io.chunkwise.cpu.TileEvaluator.TILE;

/**
 * Evaluates a fused {@link Expr} over one output chunk. The expression is compiled once ({@link #compile}) to a
 * post-order program ({@link ExprProgram}: equal sub-expressions are computed once); a call runs it tile by tile,
 * numexpr-style ({@link TileEvaluator}: every step fills an L1-resident tile buffer from its operands' buffers, dense
 * inputs read in place, the last op writing into the output), or, for a float64 or float32 chain such as x * x + 10
 * whose inputs are dense and whose output is dense or in runs of stride 1, in one pass of vectors
 * ({@link ChainEvaluator}), which reads and writes memory as a plain loop does.
 *
 * <p>A kernel object holds no state between calls (so the backend caches one per expression); each call allocates
 * its own tiles, at most one chunk long, so calls from several threads never share a buffer.
 */
final class ElementwiseKernel {
    private final ExprProgram program;
    private final TileEvaluator tiles;
    /** The expression as a float64 or float32 chain run in one pass of vectors, or null ({@link ChainProgram}). */
    private final ChainEvaluator chain;

    private ElementwiseKernel(ExprProgram program) {
        this.program = program;
        this.tiles = new TileEvaluator(program);
        this.chain = ChainEvaluator.of(program);
    }

    static ElementwiseKernel compile(Expr expr) {
        return new ElementwiseKernel(ExprProgram.compile(expr));
    }

    /**
     * Evaluates the program over {@code region} with {@code loops} into a new block; {@code inputs[i]} is read
     * through {@code inputStrides[i]}.
     */
    HostBlock run(Loops loops, HostBlock[] inputs, int[][] inputStrides, Region region, DType outType) {
        HostBlock out = HostBlock.allocate(outType, region.shape());
        if (out.size() > 0) into(loops, inputs, inputStrides, region, out.data(), 0, Shapes.strides(region.shape()));
        return out;
    }

    /**
     * Evaluates the program over {@code region} into {@code dst} (an array of the expression's dtype), position
     * {@code p} of the region at {@code dstOffset} plus its index dotted with {@code dstStrides}: a chunk written
     * in place into a larger result. Dense inputs already of a tile type (FLOAT64 as {@code double[]}, INT64 as
     * {@code long[]}) are read in place, and where the destination is dense and of a tile type the last op writes
     * straight into it: x * x + 10 over float64 reads x once and writes the output once, with a tile in between.
     */
    void into(Loops loops, HostBlock[] inputs, int[][] inputStrides, Region region, Object dst, int dstOffset,
              int[] dstStrides) {
        int[] shape = region.shape();
        int n = Shapes.size(shape);
        if (n == 0) return;
        checkInputs(inputs, inputStrides, shape.length);
        if (dst.getClass() != HostBlock.arrayClass(program.root().dtype()) || dstStrides.length != shape.length) {
            throw new IllegalArgumentException("the destination must be a " + HostBlock.arrayClass(program.root().dtype())
                    .getSimpleName() + " with " + shape.length + " strides, got " + dst.getClass().getSimpleName()
                    + " with " + dstStrides.length);
        }
        LoopSpace space = space(inputStrides, region, dstStrides);
        int outOperand = inputs.length;
        Object[] data = data(inputs);
        boolean denseOut = space.dense(outOperand);
        if (chain != null && !tiles.needsGlobalIndex && chain.chainArray.isInstance(dst) && chain.inputsDense(space, data)
                && (denseOut || space.innerStride(outOperand) == 1)) {
            chain.run(loops, space, data, dst, dstOffset, denseOut, outOperand, n);
            return;
        }
        // the tiles in a method of their own: its profile, which the JIT compiles by, is that of tiled calls only
        TileEvaluator.Call call = tiles.tileCall(loops, space, data, TileEvaluator.tileArray(dst, program.root().floating()),
                denseOut, outOperand, n);
        for (int start = 0; start < n; start += TileEvaluator.BATCH * TILE) {
            if (start > 0) Cancellation.check();   // a cancelled computation stops between batches of tiles
            tiles.tiles(call, dst, dstOffset, start, Math.min(n, start + TileEvaluator.BATCH * TILE));
        }
    }

    /**
     * The values of a floating expression over {@code region}, computed on demand range by range into the caller's
     * buffer as doubles ({@link Loops.Values}; FLOAT32 values rounded to float), for a consumer that reads each
     * value once (a fused reduction): the chunk is never held. A value is the one {@link #into} writes for its
     * position.
     */
    Loops.Values values(Loops loops, HostBlock[] inputs, int[][] inputStrides, Region region) {
        if (!program.root().dtype().isFloating()) {
            throw new IllegalArgumentException("values on demand are floating, not " + program.root().dtype());
        }
        int[] shape = region.shape();
        int n = Shapes.size(shape);
        checkInputs(inputs, inputStrides, shape.length);
        // the destination is dense: position p at buffer[p - from]
        LoopSpace space = space(inputStrides, region, Shapes.strides(shape));
        Object[] data = data(inputs);
        if (chain != null && chain.chainArray == double[].class && !tiles.needsGlobalIndex && chain.inputsDense(space, data)) {
            return chain.values(loops, data, n);
        }
        TileEvaluator.Call call = tiles.tileCall(loops, space, data, true, true, inputs.length, Math.max(1, n));
        return (from, len, out) -> {
            if (from > 0) Cancellation.check();
            tiles.tiles(call, out, -from, from, from + len);
        };
    }

    /** The loop space of an evaluation: the inputs, then the destination as one more operand (its strides last). */
    private LoopSpace space(int[][] inputStrides, Region region, int[] dstStrides) {
        int[] shape = region.shape();
        long[] globalStrides = null;
        long globalBase = 0;
        if (tiles.needsGlobalIndex) {
            globalStrides = region.globalStrides();
            for (int a = 0; a < shape.length; a++) globalBase += region.offset()[a] * globalStrides[a];
        }
        int[][] strides = Arrays.copyOf(inputStrides, inputStrides.length + 1);
        strides[inputStrides.length] = dstStrides;
        return new LoopSpace(shape, strides, globalStrides, globalBase);
    }

    private static Object[] data(HostBlock[] inputs) {
        Object[] data = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) data[i] = inputs[i].data();
        return data;
    }

    private void checkInputs(HostBlock[] inputs, int[][] inputStrides, int ndim) {
        if (inputStrides.length != inputs.length) {
            throw new IllegalArgumentException(inputs.length + " inputs but " + inputStrides.length + " stride arrays");
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputStrides[i].length != ndim) {
                throw new IllegalArgumentException("input " + i + " has " + inputStrides[i].length
                        + " strides for a " + ndim + "-d region");
            }
        }
        for (Step step : program.steps) {
            if (step.kind() != Kind.INPUT) continue;
            int i = ((Expr.Input) step.expr()).index();
            if (i < 0 || i >= inputs.length) {
                throw new IllegalArgumentException("expression reads input " + i + " of " + inputs.length);
            }
            if (inputs[i].dtype() != step.dtype()) {
                throw new IllegalArgumentException("input " + i + " is " + inputs[i].dtype() + " but the expression reads it as "
                        + step.dtype());
            }
        }
    }

    /** Number of program steps after common sub-expressions are merged (for tests and explain output). */
    int stepCount() { return program.steps.length; }

    /** Whether the expression runs as a one-pass chain where its operands are dense ({@link ChainProgram}). */
    boolean chained() { return chain != null; }

    @Override
    public String toString() {
        return "ElementwiseKernel[" + program.steps.length + " steps, " + tiles + "]";
    }
}
